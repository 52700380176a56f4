"""Without a broker (the embedded default) tasks run in-process, with the same idempotency."""

from __future__ import annotations

import uuid
from typing import Any

from ofelia.core.tasks import ping, ping_effects


def test_ping_runs_eagerly_without_a_broker(settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    key = f"eager-{uuid.uuid4().hex}"
    first = ping.delay(idempotency_key=key).get()
    second = ping.delay(idempotency_key=key).get()
    assert first["ran"] is True and second["ran"] is False
    assert ping_effects(key)["runs"] == 1
    assert ping_effects(key)["deliveries"] == 2
