"""Reactions of the documents app to the apps below it."""

from __future__ import annotations

from typing import Any

from ofelia.organisations.models import Learner

from . import services


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """The merged learner's documents follow the kept one (organisations.merge)."""
    if sender is not Learner:
        return {}
    return {"documents_moved": services.move_learner_documents(kept=kept, merged=merged)}
