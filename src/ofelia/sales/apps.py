from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "ofelia.sales"
    label = "sales"
    verbose_name = "Ventes et contrats"

    def ready(self) -> None:
        # Merging two people moves quotes, contracts, orders and contract learners.
        from ofelia.catalogue.signals import enrolments_merging
        from ofelia.organisations.signals import people_merging

        from .receivers import on_enrolments_merging, on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="sales.people_merging")
        enrolments_merging.connect(on_enrolments_merging, dispatch_uid="sales.enrolments_merging")
