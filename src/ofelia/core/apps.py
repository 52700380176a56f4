from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ofelia.core"
    label = "core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        from . import checks  # noqa: F401 — registers the deployment checks
        from .request_id import connect_celery

        connect_celery()  # tasks carry the request id of the request that queued them
