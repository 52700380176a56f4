"""Signals of the organisations app, for the apps above it (which organisations may not import)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `merge.person_merge` inside its transaction, before the merged record is deleted:
# sender is the model (Learner or ConsumerClient); kwargs `kept`, `merged`, `organisation`.
# Each receiver repoints its own app's foreign keys from `merged` to `kept` and returns a
# dict {what: count} that goes into the audit row. A receiver that raises aborts the merge.
people_merging = Signal()
