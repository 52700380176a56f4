from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ofelia.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue et sessions"
