from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "ofelia.privacy"
    label = "privacy"
    verbose_name = "Données personnelles"
