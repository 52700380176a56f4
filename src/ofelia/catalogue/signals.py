"""Signals of the catalogue app, for the apps above it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when two people merge and both were enrolled in the same session: `kept` and `merged`
# are the two enrolments; `merged` is deleted right after, so whatever points at it (a
# contract's learners in sales) must move to `kept` now.
enrolments_merging = Signal()

# Sent on commit when what the public sees of a training's reviews changes (ACC-9: a review
# published, rejected after publication, or answered): `organisation`, `training`. A cache
# of the public pages drops that organisation's entries on it.
public_reviews_changed = Signal()
