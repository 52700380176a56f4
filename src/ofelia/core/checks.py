"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Login throttling (and the idempotency keys kept in the cache) must be shared by
    every worker process: a per-process memory cache lets an attacker multiply the allowed
    password attempts by the number of workers."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("LocMemCache") or backend.endswith("DummyCache"):
        return [Warning(
            "Le cache est local à chaque processus : la limitation des tentatives de "
            "connexion n'est pas partagée entre les workers.",
            hint="Définir CACHE_URL (Redis, ex. redis://127.0.0.1:6379/1).",
            id="ofelia.W001",
        )]
    return []
