"""Reactions of accounts to the organisations app."""

from __future__ import annotations

from typing import Any

from ofelia.organisations.models import Learner

from .models import Invitation


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """An invitation made for the merged learner record now names the kept one."""
    if sender is not Learner:
        return {}
    return {"invitations": Invitation.objects.filter(learner=merged).update(learner=kept)}
