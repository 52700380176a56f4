"""Scheduled jobs of the e-learning app (Celery beat, daily, idempotent)."""

from __future__ import annotations

from celery import shared_task

from . import certification


@shared_task(name="ofelia.elearning.tasks.evaluation_reminders")
def evaluation_reminders() -> int:
    return certification.evaluation_reminders()
