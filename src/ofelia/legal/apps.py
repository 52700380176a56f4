from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "ofelia.legal"
    label = "legal"
    verbose_name = "Données légales"
