from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The home pages: each reads every app below it (staff to-do list, extranet home)."""

    name = "ofelia.desk"
    label = "desk"
    verbose_name = "Accueil"
