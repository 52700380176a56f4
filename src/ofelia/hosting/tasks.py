"""Celery tasks of the classes' machines (issue 13, items 2 and 7). Safe on any number of
workers: each machine is claimed in the database before its node is created, and a task
redelivered after its worker died (acks late, rejected on worker lost) resumes under the
same claim, finding its nodes by name instead of creating them again."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task

from ofelia.core import clock

from . import provisioning
from .models import VirtualClass


@shared_task(name="ofelia.hosting.tasks.provision_class", bind=True, acks_late=True, reject_on_worker_lost=True)
def provision_class(self: Any, class_id: int) -> dict[str, int]:
    """Every slot of the class given a ready machine (warm pool first)."""
    klass = VirtualClass.objects.get(pk=class_id)
    return provisioning.provision_class(klass, token=self.request.id or uuid.uuid4().hex)


@shared_task(name="ofelia.hosting.tasks.machines_tick", bind=True, acks_late=True, reject_on_worker_lost=True)
def machines_tick(self: Any, at: str | None = None) -> dict[str, int]:
    """Every minute: provisioning due (dispatched as `provision_class` tasks), readiness,
    the days' power schedule and ledger, warm pool, teardown after the storage period."""
    from datetime import datetime

    now = datetime.fromisoformat(at) if at else clock.now()
    return provisioning.tick(now, dispatch=lambda pk: provision_class.delay(pk),
                             token=self.request.id or uuid.uuid4().hex)
