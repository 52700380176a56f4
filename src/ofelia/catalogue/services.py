"""Catalogue writes: trainings, sessions with their half-days, trainers' titles. Audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.core import audit
from ofelia.organisations.models import Membership, Organisation, Role

from .models import Trainer, Training, TrainingSession
from .seats import confirmed_count, locked_session
from .virtual_classes import virtual_class_capacity_error

_TRAINING_AUDIT = ["title", "reference", "duration_hours", "modality", "format", "price_excl_vat",
                   "price_intra_excl_vat", "cpf_eligible", "certification_code", "is_published",
                   "is_active"]
_SESSION_AUDIT = ["training", "start_date", "end_date", "place", "remote_link", "capacity"]


@transaction.atomic
def training_save(*, actor: Any, organisation: Organisation, form: Any) -> Training:
    """Create or update a training from a valid TrainingForm of this organisation."""
    training: Training = form.instance
    if training.organisation_id != organisation.pk:
        raise ValidationError("Cette formation appartient à un autre organisme.")
    creating = training.pk is None
    before = None if creating else audit.snapshot(
        Training.objects.get(pk=training.pk), _TRAINING_AUDIT)
    training = form.save()
    after = {**audit.snapshot(training, _TRAINING_AUDIT),
             "trainers": [t.pk for t in training.trainers.all()]}
    audit.record(actor=actor, action="training.create" if creating else "training.update",
                 organisation=organisation, obj=training, before=before, after=after)
    return training


@transaction.atomic
def session_save(*, actor: Any, organisation: Organisation, form: Any, slots: Any) -> TrainingSession:
    """Create or update a session and its half-days (a valid SessionForm and SlotFormSet).

    Capacity cannot drop below the seats already confirmed: confirmed learners keep theirs.
    """
    session: TrainingSession = form.instance
    if session.organisation_id != organisation.pk:
        raise ValidationError("Cette session appartient à un autre organisme.")
    creating = session.pk is None
    before = None
    refused = virtual_class_capacity_error(organisation=organisation, training=session.training,
                                           capacity=session.capacity, on=session.start_date)
    if refused:
        raise ValidationError({"capacity": refused})
    if not creating:
        # Lock the row enrolments lock too, so a concurrent enrolment cannot slip in.
        current = locked_session(organisation=organisation, session_id=session.pk)
        before = audit.snapshot(current, _SESSION_AUDIT)
        confirmed = confirmed_count(current)
        if form.cleaned_data["capacity"] < confirmed:
            raise ValidationError(
                f"{confirmed} places sont déjà confirmées : la capacité ne peut pas être inférieure.")
    session = form.save()
    slots.instance = session
    for slot_form in slots.forms:
        slot = slot_form.instance
        slot.session = session
    saved = slots.save()
    for slot in session.slots.all():
        slot.full_clean()
    audit.record(actor=actor, action="session.create" if creating else "session.update",
                 organisation=organisation, obj=session, before=before,
                 after={**audit.snapshot(session, _SESSION_AUDIT),
                        "trainers": [t.pk for t in session.trainers.all()],
                        "slots": [str(s) for s in session.slots.all()], "slots_changed": len(saved)})
    return session


@transaction.atomic
def trainer_titles_set(*, actor: Any, organisation: Organisation, membership: Membership,
                       titles: str) -> Trainer:
    if membership.organisation_id != organisation.pk or membership.role != Role.TRAINER:
        raise ValidationError("Ce compte n'est pas formateur dans cet organisme.")
    trainer, created = Trainer.objects.get_or_create(organisation=organisation, membership=membership)
    before = None if created else {"titles": trainer.titles}
    trainer.titles = titles.strip()
    trainer.full_clean()
    trainer.save()
    audit.record(actor=actor, action="trainer.titles", organisation=organisation, obj=trainer,
                 before=before, after={"titles": trainer.titles})
    return trainer
