from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "ofelia.sales"
    label = "sales"
    verbose_name = "Ventes et contrats"
