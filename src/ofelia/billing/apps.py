from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ofelia.billing"
    label = "billing"
    verbose_name = "Facturation"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
