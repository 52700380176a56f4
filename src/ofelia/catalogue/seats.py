"""How many seats are free, and who takes them: the one door for a session's seats.

Every enrolment, removal, transfer and waiting-list promotion goes through here, with the
session row locked, so that concurrent requests never confirm more learners than capacity.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from ofelia.core import audit
from ofelia.notifications.services import notify
from ofelia.organisations.models import Learner, Organisation
from ofelia.rules.french import fr_date

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


def free_seats(session: TrainingSession) -> int:
    """Seats still free: capacity less the confirmed learners, never below zero."""
    return max(session.capacity - confirmed_count(session), 0)


def waitlist_position(enrolment: Enrolment) -> int:
    """1 for the next person to get a freed seat (queue order: see enrolment_cancel)."""
    ahead = Q(updated_at__lt=enrolment.updated_at) | Q(updated_at=enrolment.updated_at,
                                                         id__lte=enrolment.pk)
    return Enrolment.objects.filter(ahead, session=enrolment.session_id,
                                    status=Enrolment.Status.WAITLISTED).count()


def has_started(session: TrainingSession, *, today: date) -> bool:
    """A session has started from its first day on (that day included)."""
    return session.start_date <= today


def _status_count(status: str) -> Coalesce:
    # A correlated subquery per row: a paginated list counts only the sessions it shows,
    # where a JOIN + GROUP BY would aggregate every session before the LIMIT.
    rows = (Enrolment.objects.filter(session=OuterRef("pk"), status=status).order_by()
            .values("session").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


S = TypeVar("S", bound=TrainingSession)


def with_seats(sessions: QuerySet[S]) -> QuerySet[S]:
    """Sessions annotated with `confirmed`, `waitlisted` and `seats_free` (the same rule
    as `free_seats`), for lists."""
    return sessions.annotate(
        confirmed=_status_count(Enrolment.Status.CONFIRMED),
        waitlisted=_status_count(Enrolment.Status.WAITLISTED),
    ).annotate(seats_free=Greatest(F("capacity") - F("confirmed"), Value(0),
                                   output_field=IntegerField()))


@transaction.atomic
def enrolment_create(
    *, actor: Any, organisation: Organisation, session: TrainingSession, learner: Learner
) -> Enrolment:
    """Confirmed while seats remain, waitlisted otherwise; never more confirmed than capacity."""
    if learner.organisation_id != organisation.pk:
        raise ValidationError("Ce stagiaire appartient à un autre organisme.")
    session = locked_session(organisation=organisation, session_id=session.pk)
    status = Enrolment.Status.CONFIRMED if free_seats(session) else Enrolment.Status.WAITLISTED
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
    notify(organisation=enrolment.organisation, kind="waitlist_promoted", to=enrolment.learner.email,
           about=enrolment, context={
               "first_name": enrolment.learner.first_name, "title": session.training.title,
               "start_date": f"{fr_date(session.start_date)}",
               "end_date": f"{fr_date(session.end_date)}"})


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
    if not freed_seat or not free_seats(session):
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
    _notify_promotion(promoted)
    return promoted


def check_transfer(*, source: TrainingSession, target: TrainingSession, today: date) -> None:
    """What a move between two sessions needs: same training, neither started, a seat free
    on the target (call it with the target locked)."""
    if target.pk == source.pk:
        raise ValidationError("Choisissez une autre session que celle-ci.")
    if target.training_id != source.training_id:
        raise ValidationError("Transfert refusé : la session choisie n'est pas une session de la "
                              "même formation.")
    for which, session in (("d'origine", source), ("choisie", target)):
        if has_started(session, today=today):
            raise ValidationError(f"Transfert refusé : la session {which} a déjà commencé "
                                  f"(le {fr_date(session.start_date)}).")
    if free_seats(target) < 1:
        raise ValidationError(f"Transfert refusé : la session du {fr_date(target.start_date)} est "
                              f"complète ({target.capacity} places confirmées).")


@transaction.atomic
def enrolment_transfer(
    *, actor: Any, organisation: Organisation, enrolment: Enrolment, target: TrainingSession,
    today: date,
) -> tuple[Enrolment, Enrolment | None]:
    """Move an enrolment to another session of the same training, confirmed there.

    Both sessions are locked (in id order, so two opposite transfers cannot deadlock); the
    seat freed at the origin goes to its waiting list. Returns the new enrolment and the
    person promoted at the origin, if any. Refused (nothing changes) when the target is full.
    """
    current = Enrolment.objects.filter(pk=enrolment.pk, organisation=organisation).first()
    if current is None:
        raise ValidationError("Inscription introuvable dans cet organisme.")
    locked = {pk: locked_session(organisation=organisation, session_id=pk)
              for pk in sorted({current.session_id, target.pk})}
    source, target = locked[current.session_id], locked[target.pk]
    current = Enrolment.objects.select_for_update().select_related("learner").get(pk=current.pk)
    if current.status == Enrolment.Status.CANCELLED:
        raise ValidationError("Cette inscription est annulée : il n'y a rien à transférer.")
    check_transfer(source=source, target=target, today=today)
    if Enrolment.objects.filter(session=target, learner=current.learner_id).exclude(
            status=Enrolment.Status.CANCELLED).exists():
        raise ValidationError(f"{current.learner} est déjà inscrit(e) à la session du "
                              f"{fr_date(target.start_date)}.")
    promoted = enrolment_cancel(actor=actor, organisation=organisation, enrolment=current)
    moved = enrolment_create(actor=actor, organisation=organisation, session=target,
                             learner=current.learner)
    audit.record(actor=actor, action="enrolment.transfer", organisation=organisation, obj=moved,
                 before={"session": source.pk, "enrolment": current.pk},
                 after={"session": target.pk, "enrolment": moved.pk, "status": moved.status})
    return moved, promoted
