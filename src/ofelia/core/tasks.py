"""Background work shared by every app: idempotency keys, and `ping` to prove a worker runs.

Brokers deliver at least once: with late acknowledgement a task whose worker dies is
delivered again, and a producer that retries may publish twice. Tasks with an effect
therefore claim an idempotency key first and do nothing when it is already taken.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache

from . import clock

KEY_PREFIX = "ofelia:once:"
KEY_TTL = 7 * 24 * 3600  # longer than any broker keeps a message for redelivery


@lru_cache(maxsize=4)
def _redis_store(url: str) -> RedisCache:
    return RedisCache(url, {"KEY_PREFIX": "ofelia"})


def key_store() -> BaseCache:
    """Where idempotency keys live: every worker must see the same store.

    The Redis broker when there is one (always shared by the workers); otherwise the
    configured cache, which in eager mode is this very process.
    """
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        return _redis_store(broker)
    return cache


def claim_once(key: str) -> bool:
    """True for the first caller only; `add` is atomic (SET NX on Redis)."""
    return bool(key_store().add(KEY_PREFIX + key, clock.now().isoformat(), timeout=KEY_TTL))


@shared_task(name="ofelia.core.ping", acks_late=True)
def ping(*, idempotency_key: str) -> dict[str, Any]:
    """Record a pong under `idempotency_key`, once however often the message arrives."""
    store = key_store()
    # Counted before the claim: how many times the message reached a worker.
    store.add(f"ping:{idempotency_key}:deliveries", 0, timeout=KEY_TTL)
    deliveries = store.incr(f"ping:{idempotency_key}:deliveries")
    if not claim_once(f"ping:{idempotency_key}"):
        return {"key": idempotency_key, "ran": False, "deliveries": deliveries}
    store.add(f"ping:{idempotency_key}:runs", 0, timeout=KEY_TTL)
    runs = store.incr(f"ping:{idempotency_key}:runs")
    store.set(f"ping:{idempotency_key}:pong", clock.now().isoformat(), timeout=KEY_TTL)
    from .request_id import current

    # The id of the request that queued the ping, as the worker sees it (logs carry the same).
    return {"key": idempotency_key, "ran": True, "runs": runs, "deliveries": deliveries,
            "request_id": current.get()}


def ping_effects(idempotency_key: str) -> dict[str, Any]:
    """What `ping` left behind: how often it was delivered and how often it really ran."""
    store = key_store()
    return {
        "deliveries": store.get(f"ping:{idempotency_key}:deliveries", 0),
        "runs": store.get(f"ping:{idempotency_key}:runs", 0),
        "pong": store.get(f"ping:{idempotency_key}:pong"),
    }
