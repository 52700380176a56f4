"""Scheduled billing work (Celery beat: `collections-daily`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from ofelia.core import clock

from .collections import run_collections


@shared_task(name="ofelia.billing.tasks.collections_daily")
def collections_daily(as_of: str | None = None) -> dict[str, Any]:
    """Idempotent for a day: a redelivered or repeated run writes nothing more."""
    from datetime import date

    day = date.fromisoformat(as_of) if as_of else clock.today()
    report = run_collections(as_of=day)
    return {"as_of": day.isoformat(), "invoices": report.invoices,
            "penalties_written": report.penalties_written, "steps_created": report.steps_created,
            "problems": report.problems}
