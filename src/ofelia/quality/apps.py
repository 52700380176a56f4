from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "ofelia.quality"
    label = "quality"
    verbose_name = "Qualité"
