"""Reads of attendance. Every selector takes the organisation (or a row that carries it).

`hours_attended` is the door through which sales and billing read the hours actually
attended (abandonment, provider stop, OPCO prorata): see docs/attendance.md.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from ofelia.catalogue.models import Enrolment, SessionSlot, Trainer, TrainingSession
from ofelia.core.clock import PARIS

from .models import AttendanceSheet, Document, Mark

# Learners may sign a little before the half-day starts (arrival, coffee), never after it ends.
SIGN_EARLY = timedelta(minutes=30)
ATTENDED = (Mark.Status.PRESENT, Mark.Status.LATE)
REMOTE_MODALITIES = frozenset({"remote", "virtual_class", "elearning"})


def slot_window(slot: SessionSlot) -> tuple[datetime, datetime]:
    """When a learner may sign this half-day (Paris time)."""
    starts = datetime.combine(slot.day, slot.starts_at, tzinfo=PARIS)
    ends = datetime.combine(slot.day, slot.ends_at, tzinfo=PARIS)
    return starts - SIGN_EARLY, ends


def trainer_window(slot: SessionSlot) -> tuple[datetime, datetime]:
    """When the trainer may record marks and close: from the learners' window to midnight."""
    opens, _ = slot_window(slot)
    return opens, datetime.combine(slot.day + timedelta(days=1), time(0), tzinfo=PARIS)


def _minutes(start: time, end: time) -> int:
    return max(0, (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))


def mark_hours(mark: Mark, slot: SessionSlot) -> Decimal:
    """Hours one mark proves: from arrival (when late) to departure (when early), else the
    half-day; never more than the half-day, rounded down to the hundredth of an hour."""
    if mark.status not in ATTENDED:
        return Decimal("0")
    start = max(slot.starts_at, mark.arrived_at) if mark.arrived_at else slot.starts_at
    end = min(slot.ends_at, mark.left_at) if mark.left_at else slot.ends_at
    return (Decimal(_minutes(start, end)) / 60).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def slot_hours(slot: SessionSlot) -> Decimal:
    return (Decimal(_minutes(slot.starts_at, slot.ends_at)) / 60).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN)


def _counted_marks(enrolments: Any, until: date | None) -> QuerySet[Mark]:
    marks = Mark.objects.filter(enrolment__in=enrolments, status__in=ATTENDED,
                                sheet__status=AttendanceSheet.Status.CLOSED)
    if until is not None:
        marks = marks.filter(sheet__slot__day__lte=until)
    return marks.select_related("sheet__slot")


def hours_attended(enrolment: Enrolment, until: date | None = None) -> Decimal:
    """Hours the learner attended, proven by closed sheets (half-days up to `until`)."""
    return sum((mark_hours(m, m.sheet.slot) for m in _counted_marks([enrolment], until)),
               Decimal("0"))


def hours_attended_by_enrolment(session: TrainingSession, until: date | None = None
                                ) -> dict[int, Decimal]:
    """Per enrolment of the session (confirmed or not), the hours attended."""
    totals: dict[int, Decimal] = {}
    enrolments = Enrolment.objects.filter(session=session, organisation=session.organisation_id)
    for mark in _counted_marks(enrolments, until):
        totals[mark.enrolment_id] = totals.get(mark.enrolment_id, Decimal("0")) + mark_hours(
            mark, mark.sheet.slot)
    return {e: totals.get(e, Decimal("0")) for e in enrolments.values_list("pk", flat=True)}


def hours_attended_for_learner(*, organisation: Any, learner: Any, sessions: Any,
                               until: date | None = None) -> Decimal:
    """For a contract: the learner's hours over the contract's sessions."""
    enrolments = Enrolment.objects.for_organisation(organisation).filter(
        learner=learner, session__in=sessions)
    return sum((mark_hours(m, m.sheet.slot) for m in _counted_marks(enrolments, until)),
               Decimal("0"))


def planned_hours(session: TrainingSession) -> Decimal:
    return sum((slot_hours(s) for s in session.slots.all()), Decimal("0"))


def trainer_of(*, organisation: Any, membership: Any) -> Trainer | None:
    return Trainer.objects.for_organisation(organisation).filter(membership=membership).first()


def sessions_of_trainer(*, organisation: Any, trainer: Trainer) -> QuerySet[TrainingSession]:
    from django.db.models import Q

    return (TrainingSession.objects.for_organisation(organisation)
            .filter(Q(trainers=trainer) | Q(training__trainers=trainer)).distinct()
            .select_related("training").prefetch_related(
                Prefetch("slots", queryset=SessionSlot.objects.select_related("attendance_sheet"))))


def trainer_may_run(*, trainer: Trainer | None, session: TrainingSession) -> bool:
    if trainer is None:
        return False
    return (session.trainers.filter(pk=trainer.pk).exists()
            or session.training.trainers.filter(pk=trainer.pk).exists())


def slot_for_organisation(*, organisation: Any, pk: int) -> SessionSlot | None:
    return (SessionSlot.objects.filter(pk=pk, session__organisation=organisation)
            .select_related("session__training").first())


def sheet_of(slot: SessionSlot) -> AttendanceSheet | None:
    return AttendanceSheet.objects.filter(slot=slot, organisation=slot.session.organisation_id).first()


def roster(session: TrainingSession) -> QuerySet[Enrolment]:
    return (Enrolment.objects.filter(session=session, organisation=session.organisation_id,
                                     status=Enrolment.Status.CONFIRMED)
            .select_related("learner").order_by("learner__last_name", "learner__first_name", "id"))


def sheet_rows(slot: SessionSlot, sheet: AttendanceSheet | None) -> list[dict[str, Any]]:
    """Each confirmed learner with their mark on this half-day (None when not yet)."""
    marks = ({m.enrolment_id: m for m in sheet.marks.defer("signature")}
             if sheet is not None else {})
    return [{"enrolment": e, "learner": e.learner, "mark": marks.get(e.pk)}
            for e in roster(slot.session)]


def session_list(*, organisation: Any) -> QuerySet[TrainingSession]:
    return (TrainingSession.objects.for_organisation(organisation).select_related("training")
            .order_by("-start_date", "id"))


def session_get(*, organisation: Any, pk: int) -> TrainingSession | None:
    return (TrainingSession.objects.for_organisation(organisation).filter(pk=pk)
            .select_related("training").first())


def sheet_get(*, organisation: Any, pk: int) -> AttendanceSheet | None:
    return (AttendanceSheet.objects.for_organisation(organisation).filter(pk=pk)
            .select_related("slot__session__training", "trainer__membership__user").first())


def documents_of_session(*, organisation: Any, session: TrainingSession) -> QuerySet[Document]:
    return (Document.objects.for_organisation(organisation)
            .filter(enrolment__session=session).select_related("enrolment__learner")
            .defer("pdf").order_by("enrolment__learner__last_name", "kind", "-version"))


def latest_sheet_pdf(sheet: AttendanceSheet, *, with_pdf: bool = False) -> Document | None:
    rows = Document.objects.filter(organisation=sheet.organisation_id, sheet=sheet,
                                   kind=Document.Kind.SHEET).order_by("-version")
    return (rows if with_pdf else rows.defer("pdf")).first()


def document_get(*, organisation: Any, pk: int) -> Document | None:
    return (Document.objects.for_organisation(organisation).filter(pk=pk)
            .select_related("enrolment__learner").first())


def documents_of_learner(*, organisation: Any, learner: Any) -> list[Document]:
    """The latest version of each of the learner's documents."""
    rows = (Document.objects.for_organisation(organisation)
            .filter(enrolment__learner=learner).select_related("enrolment__session__training")
            .defer("pdf").order_by("enrolment_id", "kind", "-version"))
    latest: dict[tuple[int | None, str], Document] = {}
    for doc in rows:
        latest.setdefault((doc.enrolment_id, doc.kind), doc)
    return list(latest.values())


def remote_slots_to_sign(*, organisation: Any, learner: Any, now: datetime) -> list[dict[str, Any]]:
    """Open half-days of the learner's remote sessions they may sign now from the extranet."""
    enrolments = (Enrolment.objects.for_organisation(organisation)
                  .filter(learner=learner, status=Enrolment.Status.CONFIRMED,
                          session__training__modality__in=REMOTE_MODALITIES,
                          session__slots__day=now.date())
                  .select_related("session__training").distinct())
    found = []
    for enrolment in enrolments:
        for slot in enrolment.session.slots.all():
            opens, closes = slot_window(slot)
            if opens <= now <= closes:
                sheet = sheet_of(slot)
                signed = sheet is not None and sheet.marks.filter(enrolment=enrolment).exists()
                if not (sheet is not None and sheet.is_closed) and not signed:
                    found.append({"slot": slot, "enrolment": enrolment})
    return found


def attended_share_by_slot(*, enrolments: Any, slots: list[SessionSlot]) -> dict[int, Decimal]:
    """For each of `slots` whose sheet is closed: the share of the half-day the learners of
    `enrolments` attended, on average (1 = everyone for the whole half-day). Half-days
    without a closed sheet are absent from the answer: the plan still stands for them."""
    enrolment_ids = [e.pk for e in enrolments]
    if not enrolment_ids or not slots:
        return {}
    closed = {s.pk: s for s in slots}
    closed_ids = set(AttendanceSheet.objects.filter(
        slot__in=list(closed), status=AttendanceSheet.Status.CLOSED).values_list("slot_id", flat=True))
    attended: dict[int, Decimal] = {pk: Decimal("0") for pk in closed_ids}
    marks = Mark.objects.filter(enrolment_id__in=enrolment_ids, sheet__slot_id__in=closed_ids,
                                status__in=ATTENDED).select_related("sheet")
    for mark in marks:
        slot = closed[mark.sheet.slot_id]
        attended[slot.pk] += mark_hours(mark, slot)
    shares: dict[int, Decimal] = {}
    for pk in closed_ids:
        full = slot_hours(closed[pk]) * len(enrolment_ids)
        shares[pk] = attended[pk] / full if full else Decimal("0")
    return shares
