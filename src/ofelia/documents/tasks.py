"""Scheduled job of the documents app (Celery beat, daily, idempotent)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="ofelia.documents.tasks.purge_expired")
def purge_expired() -> int:
    return services.purge_expired()
