"""Reactions of the catalogue to the apps below it."""

from __future__ import annotations

from typing import Any

from ofelia.organisations.models import Learner

from .models import Enrolment, TrainingSession
from .signals import enrolments_merging

# When both people were enrolled in the same session, the kept enrolment takes the "best" status.
STATUS_RANK = {Enrolment.Status.CANCELLED: 0, Enrolment.Status.WAITLISTED: 1, Enrolment.Status.CONFIRMED: 2}


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """Enrolments of the merged learner follow the kept one (organisations.merge)."""
    if sender is not Learner:
        return {}
    moved = combined = 0
    for enrolment in Enrolment.objects.select_for_update().filter(learner=merged).order_by("pk"):
        twin = Enrolment.objects.select_for_update().filter(
            session_id=enrolment.session_id, learner=kept).first()
        if twin is None:
            enrolment.learner = kept
            enrolment.save(update_fields=["learner", "updated_at"])
            moved += 1
            continue
        # Both in the same session: one enrolment survives (the unique constraint says so).
        enrolments_merging.send(sender=Enrolment, kept=twin, merged=enrolment)
        if STATUS_RANK.get(enrolment.status, 0) > STATUS_RANK.get(twin.status, 0):
            twin.status = enrolment.status
            twin.save(update_fields=["status", "updated_at"])
        enrolment.delete()
        combined += 1
    return {"enrolments_moved": moved, "enrolments_combined": combined}


def on_public_content_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A training, session, slot, trainer or enrolment (free seats) saved or deleted: the
    organisation's cached public pages are stale."""
    from ofelia.organisations import public_pages

    organisation_id = getattr(instance, "organisation_id", None)
    if organisation_id is None and getattr(instance, "session_id", None) is not None:
        organisation_id = (TrainingSession.objects.filter(pk=instance.session_id)
                           .values_list("organisation_id", flat=True).first())
    if organisation_id is not None:
        public_pages.bump(organisation_id)


def on_public_reviews_changed(sender: type, organisation: Any, **kwargs: Any) -> None:
    """A review published, rejected after publication or answered: the cached public pages
    show the old reviews and average."""
    from ofelia.organisations import public_pages

    public_pages.bump(organisation.pk)


def connect_public_pages() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .signals import public_reviews_changed

    public_reviews_changed.connect(on_public_reviews_changed, dispatch_uid="catalogue.public_pages.reviews")

    from .models import SessionSlot, Trainer, Training

    for model in (Training, TrainingSession, SessionSlot, Trainer, Enrolment):
        for signal in (post_save, post_delete):
            signal.connect(on_public_content_changed, sender=model,
                           dispatch_uid=f"catalogue.public_pages.{signal is post_save}.{model.__name__}")
    for through in (Training.trainers.through, TrainingSession.trainers.through):
        m2m_changed.connect(on_public_content_changed, sender=through,
                            dispatch_uid=f"catalogue.public_pages.m2m.{through.__name__}")
