from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "ofelia.support"
    label = "support"
    verbose_name = "Support"
