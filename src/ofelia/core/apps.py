from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ofelia.core"
    label = "core"
    verbose_name = "Noyau"
