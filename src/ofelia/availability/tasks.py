"""Celery tasks of the availability app (run by beat; safe on any number of workers)."""

from __future__ import annotations

from celery import shared_task

from . import probes


@shared_task(name="ofelia.availability.tasks.probe_minute", ignore_result=True)
def probe_minute() -> bool:
    return probes.probe_minute()


@shared_task(name="ofelia.availability.tasks.compact_probes", ignore_result=True)
def compact_probes() -> int:
    return probes.compact()
