"""System checks of our own (`manage.py check`, `check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

# Caches that each worker process (or machine) keeps to itself.
LOCAL_CACHES = ("LocMemCache", "DummyCache", "FileBasedCache")
HINT = "Définir CACHE_URL (Redis partagé, ex. redis://127.0.0.1:6379/1)."


def cache_is_shared() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return not backend.endswith(LOCAL_CACHES)


@register(Tags.security)
def shared_cache_required(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production (OFELIA_REQUIRE_SHARED_CACHE) refuses a per-process cache: login and
    password-reset limits and the idempotency keys would be multiplied by the workers."""
    if getattr(settings, "OFELIA_REQUIRE_SHARED_CACHE", False) and not cache_is_shared():
        return [Error(
            "Le cache est local à chaque processus : les limites de connexion et de "
            "réinitialisation ne tiendraient pas entre les workers.",
            hint=HINT, id="ofelia.E001")]
    return []


@register(Tags.security, deploy=True)
def shared_cache_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Login throttling (and the idempotency keys kept in the cache) must be shared by
    every worker process: a per-process memory cache lets an attacker multiply the allowed
    password attempts by the number of workers."""
    if getattr(settings, "OFELIA_REQUIRE_SHARED_CACHE", False) or cache_is_shared():
        return []  # E001 speaks for production
    return [Warning(
        "Le cache est local à chaque processus : la limitation des tentatives de "
        "connexion n'est pas partagée entre les workers.",
        hint=HINT, id="ofelia.W001")]
