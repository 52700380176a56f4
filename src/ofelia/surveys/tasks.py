"""The daily run (Celery beat): questionnaires due today are sent, unanswered ones reminded.
Idempotent: an invitation is unique per questionnaire, session and person; a reminder is
counted under a row lock."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="ofelia.surveys.tasks.surveys_daily")
def surveys_daily() -> dict[str, int]:
    return services.daily()
