from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ofelia.core"
    label = "core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        from . import checks  # noqa: F401 — registers the deployment checks
