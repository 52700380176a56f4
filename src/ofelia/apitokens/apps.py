from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ofelia.apitokens"
    verbose_name = "Jetons d'API"
