"""Catalogue reads. The public ones only ever return published, active trainings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from ofelia.organisations.models import Membership, Role

from .models import Trainer, Training, TrainingSession
from .seats import with_seats


def training_list(*, organisation: Any) -> QuerySet[Training]:
    return Training.objects.for_organisation(organisation).prefetch_related(
        "trainers__membership__user").order_by("title")


def public_trainings(*, organisation: Any) -> QuerySet[Training]:
    return training_list(organisation=organisation).filter(is_published=True, is_active=True)


def upcoming_sessions(*, training: Training, today: date) -> QuerySet[TrainingSession]:
    return (
        with_seats(TrainingSession.objects.for_organisation(training.organisation))
        .filter(training=training, start_date__gte=today)
        .prefetch_related("slots", Prefetch("trainers", Trainer.objects.select_related(
            "membership__user")))
        .order_by("start_date", "id")
    )


def trainer_memberships(*, organisation: Any) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation=organisation, role=Role.TRAINER)
            .select_related("user", "trainer_profile").order_by("user__last_name", "id"))
