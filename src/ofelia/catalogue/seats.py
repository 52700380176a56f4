"""How many seats are free, and who takes them: the one door for a session's seats.

Every enrolment, removal, transfer and waiting-list promotion goes through here, with the
session row locked, so that concurrent requests never confirm more learners than capacity.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from ofelia.core import audit
from ofelia.organisations.models import Learner, Organisation

from .models import Enrolment, TrainingSession


def locked_session(*, organisation: Organisation, session_id: int) -> TrainingSession:
    # The session row is the lock that serialises every change to its seats: two requests
    # for the last seat queue here, the second one then counts the first one's enrolment.
    session = (
        TrainingSession.objects.for_organisation(organisation)
        .select_for_update()
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise ValidationError("Session introuvable dans cet organisme.")
    return session


def confirmed_count(session: TrainingSession) -> int:
    return Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED).count()


@transaction.atomic
def enrolment_create(
    *, actor: Any, organisation: Organisation, session: TrainingSession, learner: Learner
) -> Enrolment:
    """Confirmed while seats remain, waitlisted otherwise; never more confirmed than capacity."""
    if learner.organisation_id != organisation.pk:
        raise ValidationError("Ce stagiaire appartient à un autre organisme.")
    session = locked_session(organisation=organisation, session_id=session.pk)
    status = (
        Enrolment.Status.CONFIRMED
        if confirmed_count(session) < session.capacity
        else Enrolment.Status.WAITLISTED
    )
    enrolment = Enrolment.objects.filter(session=session, learner=learner).first()
    before = None
    if enrolment is None:
        enrolment = Enrolment(organisation=organisation, session=session, learner=learner)
    elif enrolment.status != Enrolment.Status.CANCELLED:
        raise ValidationError(f"{learner} est déjà inscrit(e) à cette session.")
    else:
        before = audit.snapshot(enrolment)
    enrolment.status = status
    # save() stamps updated_at: for a waitlisted row, the moment it joined the queue.
    enrolment.save()
    audit.record(
        actor=actor,
        action="enrolment.create",
        organisation=organisation,
        obj=enrolment,
        before=before,
        after=audit.snapshot(enrolment),
    )
    return enrolment


def _notify_promotion(enrolment: Enrolment) -> None:
    session = enrolment.session
    learner = enrolment.learner
    send_mail(
        subject=f"Une place s'est libérée : {session.training.title}",
        message=(
            f"Bonjour {learner.first_name},\n\n"
            f"Une place s'est libérée pour la session « {session.training.title} » "
            f"du {session.start_date:%d/%m/%Y} au {session.end_date:%d/%m/%Y}. "
            "Vous étiez premier ou première sur la liste d'attente : votre inscription est "
            "maintenant confirmée.\n\n"
            f"{enrolment.organisation}"
        ),
        from_email=None,
        recipient_list=[learner.email],
    )


@transaction.atomic
def enrolment_cancel(*, actor: Any, organisation: Organisation, enrolment: Enrolment) -> Enrolment | None:
    """Cancel; a confirmed seat freed goes to the first waitlisted person, who is e-mailed.

    Returns the promoted enrolment, if any.
    """
    session = locked_session(organisation=organisation, session_id=enrolment.session_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk, organisation=organisation)
    if enrolment.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est déjà annulée.")
    before = audit.snapshot(enrolment)
    freed_seat = enrolment.status == Enrolment.Status.CONFIRMED
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status"])
    audit.record(
        actor=actor, action="enrolment.cancel", organisation=organisation, obj=enrolment,
        before=before, after=audit.snapshot(enrolment),
    )
    if not freed_seat or confirmed_count(session) >= session.capacity:
        return None
    promoted = (
        Enrolment.objects.filter(session=session, status=Enrolment.Status.WAITLISTED)
        .select_related("learner", "session__training", "organisation")
        .order_by("updated_at", "id")  # arrival in the queue; see enrolment_create
        .first()
    )
    if promoted is None:
        return None
    before = audit.snapshot(promoted)
    promoted.status = Enrolment.Status.CONFIRMED
    promoted.save(update_fields=["status"])
    audit.record(
        actor=actor, action="enrolment.promote_from_waitlist", organisation=organisation,
        obj=promoted, before=before, after=audit.snapshot(promoted),
    )
    # Only once the seat is really theirs (the transaction committed).
    transaction.on_commit(lambda: _notify_promotion(promoted))
    return promoted
