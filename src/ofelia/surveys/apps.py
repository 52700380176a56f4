from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "ofelia.surveys"
    label = "surveys"
    verbose_name = "Évaluations et questionnaires"
