"""Reads of the documents, always scoped to the organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ofelia.catalogue.models import Trainer
from ofelia.organisations.models import Organisation

from .models import PersonDocument


def of_learner(*, organisation: Organisation, learner_id: int) -> QuerySet[PersonDocument]:
    return PersonDocument.objects.for_organisation(organisation).filter(learner_id=learner_id)


def of_trainer(*, organisation: Organisation, trainer_id: int) -> QuerySet[PersonDocument]:
    return PersonDocument.objects.for_organisation(organisation).filter(trainer_id=trainer_id)


def trainer_of_user(*, organisation: Organisation, user: Any) -> Trainer | None:
    return (Trainer.objects.for_organisation(organisation)
            .filter(membership__user=user, membership__organisation=organisation).first())


def trainer_cvs(*, organisation: Organisation, trainer_ids: list[int] | None = None
                ) -> QuerySet[PersonDocument]:
    """The trainers' CVs and diplomas (Qualiopi indicators 21–22), newest first."""
    qs = (PersonDocument.objects.for_organisation(organisation)
          .filter(trainer__isnull=False,
                  kind__in=[PersonDocument.Kind.CV, PersonDocument.Kind.DIPLOMA])
          .select_related("trainer__membership__user"))
    if trainer_ids is not None:
        qs = qs.filter(trainer_id__in=trainer_ids)
    return qs


def get(*, organisation: Organisation, pk: int) -> PersonDocument | None:
    return (PersonDocument.objects.for_organisation(organisation)
            .select_related("trainer__membership", "learner").filter(pk=pk).first())
