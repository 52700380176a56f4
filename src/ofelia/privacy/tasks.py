"""Scheduled jobs of the privacy app (Celery beat, daily, idempotent)."""

from __future__ import annotations

from celery import shared_task

from . import inactivity


@shared_task(name="ofelia.privacy.tasks.inactivity_scan")
def inactivity_scan() -> dict[str, int]:
    return inactivity.inactivity_scan()
