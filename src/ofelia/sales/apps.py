from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "ofelia.sales"
    label = "sales"
    verbose_name = "Ventes et contrats"

    def ready(self) -> None:
        # Billing tells sales when an online order's payment is accepted or refused.
        from ofelia.billing.online import order_paid, order_voided

        from .orders import on_billing_order_paid, on_billing_order_voided

        order_paid.connect(on_billing_order_paid, dispatch_uid="sales.order_paid")
        order_voided.connect(on_billing_order_voided, dispatch_uid="sales.order_voided")
        # Merging two people moves quotes, contracts, orders and contract learners.
        from ofelia.catalogue.signals import enrolments_merging
        from ofelia.organisations.signals import people_merging

        from .receivers import on_enrolments_merging, on_people_merging

        people_merging.connect(on_people_merging, dispatch_uid="sales.people_merging")
        enrolments_merging.connect(on_enrolments_merging, dispatch_uid="sales.enrolments_merging")
