from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ofelia.billing"
    label = "billing"
    verbose_name = "Facturation"

    def ready(self) -> None:
        # Merging two consumer clients moves their invoices (organisations.merge).
        from ofelia.organisations.signals import people_merging

        from .receivers import on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="billing.people_merging")
