from django.apps import AppConfig


class ElearningConfig(AppConfig):
    name = "ofelia.elearning"
    label = "elearning"
    verbose_name = "Formation en ligne"
