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
