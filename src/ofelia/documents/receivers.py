"""Reactions of the documents app to the apps below it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ofelia.organisations.models import Learner

from . import services
from .models import PersonDocument


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """The merged learner's documents follow the kept one (organisations.merge)."""
    if sender is not Learner:
        return {}
    moved = services.move_learner_documents(kept=kept, merged=merged)
    return {"documents_moved": moved} if moved else {}


def on_document_deleted(sender: type, instance: PersonDocument, **kwargs: Any) -> None:
    """The file goes once the row is gone for good (a rolled back transaction keeps both),
    whether the row was deleted by a service or by a cascade (a learner or a trainer
    deleted)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
