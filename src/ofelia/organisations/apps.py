from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ofelia.organisations"
    label = "organisations"
    verbose_name = "Organisations"
