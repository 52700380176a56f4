from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ofelia.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from ofelia.organisations.signals import people_merging

        from .receivers import on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="accounts.people_merging")
