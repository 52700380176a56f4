from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "ofelia.attendance"
    label = "attendance"
    verbose_name = "Émargement et attestations"
