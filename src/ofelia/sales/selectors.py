"""Reads of the sales app. Every selector takes the organisation; None means no data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from ofelia.attendance.selectors import attended_share_by_slot
from ofelia.catalogue.models import Enrolment, SessionSlot, TrainingSession
from ofelia.catalogue.seats import with_seats

from .models import Contract, ContractEvent, Quote

LIVE_STATUSES = (Contract.Status.DRAFT, Contract.Status.SIGNED)


def live_contract_of_client(*, session: TrainingSession, client_company: Any = None,
                            consumer: Any = None, lock: bool = False) -> Contract | None:
    """The one live (draft or signed) convention / contrat of this client for the session."""
    if (client_company is None) == (consumer is None):
        return None
    qs = Contract.objects.filter(session=session, status__in=LIVE_STATUSES)
    qs = (qs.filter(client_company=client_company) if client_company is not None
          else qs.filter(consumer=consumer))
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.order_by("id").first()


def contract_list(*, organisation: Any, status: str | None = None) -> QuerySet[Contract]:
    qs = (
        Contract.objects.for_organisation(organisation)
        .select_related("client_company", "consumer", "session__training")
        .order_by("-id")
    )
    return qs.filter(status=status) if status else qs


def contract_get(*, organisation: Any, pk: int) -> Contract | None:
    return (
        Contract.objects.for_organisation(organisation)
        .select_related("organisation", "client_company", "consumer", "session__training")
        .filter(pk=pk)
        .first()
    )


def contract_events(*, contract: Contract) -> QuerySet[ContractEvent]:
    return contract.events.select_related("recorded_by").order_by("on", "id")


def quote_list(*, organisation: Any) -> QuerySet[Quote]:
    return (
        Quote.objects.for_organisation(organisation)
        .select_related("client_company", "consumer", "session__training")
        .prefetch_related("lines", "learners")
        .order_by("-issued_on", "-id")
    )


def quote_get(*, organisation: Any, pk: int) -> Quote | None:
    return quote_list(organisation=organisation).filter(pk=pk).first()


def session_list(*, organisation: Any) -> QuerySet[TrainingSession]:
    return (
        with_seats(TrainingSession.objects.for_organisation(organisation))
        .select_related("training")
        .order_by("start_date", "id")
    )


def session_get(*, organisation: Any, pk: int) -> TrainingSession | None:
    return session_list(organisation=organisation).filter(pk=pk).first()


def session_roster(*, organisation: Any, session: TrainingSession) -> QuerySet[Enrolment]:
    """Confirmed first, then the waiting list in queue order, then the cancelled."""
    return (
        Enrolment.objects.for_organisation(organisation)
        .filter(session=session)
        .select_related("learner", "learner__company")
        .annotate(rank=Case(
            When(status=Enrolment.Status.CONFIRMED, then=Value(0)),
            When(status=Enrolment.Status.WAITLISTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ))
        .order_by("rank", "updated_at", "id")
    )


def _of_client_member(qs: QuerySet[Any], *, membership: Any, user: Any) -> QuerySet[Any] | None:
    """A contract or quote queryset narrowed to what a client contact (their company's) or a
    consumer (their own) may see; None for any other member."""
    from ofelia.organisations.models import Role

    if membership is None:
        return qs.none()
    if membership.role == Role.CLIENT_CONTACT and membership.company_id:
        return qs.filter(client_company_id=membership.company_id)
    if membership.role == Role.CONSUMER:
        return qs.filter(consumer__user=user)
    return None


def contracts_of_member(*, organisation: Any, membership: Any, user: Any) -> QuerySet[Contract]:
    """Extranet: the contracts a client contact, consumer or learner may see, nothing else."""
    from ofelia.organisations.models import Role

    qs = (contract_list(organisation=organisation).exclude(status=Contract.Status.DRAFT)
          .prefetch_related(Prefetch("enrolments", queryset=Enrolment.objects.select_related(
              "learner").order_by("id"))))
    scoped = _of_client_member(qs, membership=membership, user=user)
    if scoped is not None:
        return scoped
    if membership.role == Role.LEARNER:
        return qs.filter(enrolments__learner__user=user).distinct()
    return qs.none()


def quotes_of_member(*, organisation: Any, membership: Any, user: Any) -> QuerySet[Quote]:
    """Extranet: the sent quotes of the client contact's company or of the consumer (drafts
    are staff's); learners see no quote."""
    qs = quote_list(organisation=organisation).exclude(status=Quote.Status.DRAFT)
    scoped = _of_client_member(qs, membership=membership, user=user)
    return scoped if scoped is not None else qs.none()


@dataclass(frozen=True)
class Delivery:
    """Where a training stands on a day, and what has been delivered by then."""

    phase: str  # "before" (day < start), "during" (start ≤ day ≤ end), "after" (day > end)
    hours: Decimal  # delivered before that day
    basis: str  # how `hours` was counted, in French
    # The client's way out on that day: cancellation before the start, abandonment during,
    # none after the end (the training is delivered, its price is due).
    exit_event: str | None


def _weekdays(first: date, last: date) -> int:
    return sum(1 for n in range((last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


def delivery_as_of(*, contract: Contract, day: date,
                   slots: list[SessionSlot] | None = None) -> Delivery:
    """The one rule of what a contract has delivered on `day` (the day itself not counted).

    Planned half-days (`SessionSlot`) elapsed before the day, pro rata of the contract's
    hours — a half-day whose attendance sheet is closed counts for the share its learners
    really attended (`attendance`); without planned half-days, the weekdays elapsed pro
    rata of the hours.
    """
    hours = contract.hours
    if day < contract.start_date:
        return Delivery("before", Decimal(0), "formation pas encore commencée",
                        ContractEvent.Type.CANCELLATION)
    if day > contract.end_date:
        return Delivery("after", hours, "formation terminée : toutes les heures sont dues", None)
    if slots is None:
        slots = list(contract.session.slots.all()) if contract.session_id else []
    slots = [s for s in slots if contract.start_date <= s.day <= contract.end_date]
    if slots:
        elapsed = [s for s in slots if s.day < day]
        # A closed attendance sheet is the evidence of what a half-day delivered; the plan
        # stands for the half-days not yet signed off.
        enrolments = (list(contract.enrolments.exclude(status=Enrolment.Status.CANCELLED))
                      if contract.pk and elapsed else [])
        signed = attended_share_by_slot(enrolments=enrolments, slots=elapsed)
        done = sum((signed.get(s.pk, Decimal(1)) for s in elapsed), Decimal(0))
        delivered = hours * done / len(slots)
        basis = (f"{len(elapsed)} sur {len(slots)} "
                 f"{'demi-journées prévues écoulées' if len(elapsed) > 1 else 'demi-journée prévue écoulée'}")
        if signed:
            basis += (f", dont {len(signed)} {'émargées' if len(signed) > 1 else 'émargée'} "
                      "(heures réellement suivies)")
    else:
        total = max(_weekdays(contract.start_date, contract.end_date), 1)
        done = _weekdays(contract.start_date, day - timedelta(days=1)) if day > contract.start_date else 0
        delivered = hours * done / total
        basis = (f"{done} sur {total} {'jours de formation écoulés' if done > 1 else 'jour de formation écoulé'}, "
                 "au prorata des heures")
    return Delivery("during", delivered.quantize(Decimal("0.01")), basis,
                    ContractEvent.Type.ABANDONMENT)


def cancellation_estimate(*, contract: Contract, today: Any,
                          events: list[ContractEvent] | None = None) -> dict[str, Any] | None:
    """What the client would owe if they stopped today, from the rules core (not stored):
    a cancellation (or retraction) before the start, an abandonment with the hours delivered
    during the training, and after the end nothing to cancel — the price is due."""
    from ofelia.rules.errors import RulesError

    from . import rules_io

    if contract.status != Contract.Status.SIGNED or contract.signed_on is None:
        return None
    delivery = delivery_as_of(contract=contract, day=today,
                              slots=list(contract.session.slots.all()))
    if delivery.exit_event is None:
        return {"kind": "delivered", "delivery": delivery}
    recorded = events if events is not None else list(contract.events.order_by("on", "id"))
    kind = delivery.exit_event
    if kind == ContractEvent.Type.CANCELLATION and _retraction_open(contract, recorded, today):
        kind = ContractEvent.Type.RETRACTION
    hypothetical = ContractEvent(contract=contract, type=kind, on=today,
                                 by=ContractEvent.By.CLIENT, reason=ContractEvent.Reason.OTHER)
    if kind == ContractEvent.Type.ABANDONMENT:
        hypothetical.hours_attended = delivery.hours
    try:
        outcome = rules_io.evaluate_contract(contract, as_of=today, events=[*recorded, hypothetical])
    except RulesError as exc:
        return {"problem": str(exc), "delivery": delivery}
    return {"kind": kind, "outcome": outcome, "delivery": delivery}


def _retraction_open(contract: Contract, recorded: list[ContractEvent], today: Any) -> bool:
    from datetime import date

    from ofelia.rules.errors import RulesError

    from . import rules_io

    if contract.client_kind != "consumer":
        return False
    try:
        outcome = rules_io.evaluate_contract(contract, as_of=today, events=recorded)
    except RulesError:
        return False
    ends = outcome.get("deadlines", {}).get("retraction_ends")
    return isinstance(ends, str) and today <= date.fromisoformat(ends)


def contracts_by_enrolment(*, session: TrainingSession) -> dict[int, Contract]:
    """The live contract (not cancelled nor retracted) of each enrolment of the session."""
    through = Contract.enrolments.through
    rows = (through.objects.filter(enrolment__session=session)
            .exclude(contract__status__in=[Contract.Status.CANCELLED, Contract.Status.RETRACTED])
            .select_related("contract"))
    return {row.enrolment_id: row.contract for row in rows}


def contract_enrolments(*, contract: Contract) -> list[Enrolment]:
    """The learners of the contract (cancelled ones last), with their session."""
    return sorted(
        contract.enrolments.select_related("learner", "session__training"),
        key=lambda e: (e.status == Enrolment.Status.CANCELLED, e.pk),
    )


def contract_hub(*, organisation: Any, pk: int, today: date) -> dict[str, Any] | None:
    """What the contract page shows besides the contract: learners, events with their
    outcome, avenants, acceptances, funding, the mentions still missing and where the
    training stands. A fixed number of queries whatever the number of events."""
    from .documents import MENTION_FIELDS, MENTIONS_ELSEWHERE, document_values
    from .mentions import missing_mentions

    contract = (Contract.objects.for_organisation(organisation).filter(pk=pk)
                .select_related("organisation", "client_company", "consumer",
                                "session__training", "quote")
                .prefetch_related(
                    Prefetch("enrolments", queryset=Enrolment.objects.select_related(
                        "learner", "session__training")),
                    "funding", "acceptances", "amendments",
                    Prefetch("session__slots", queryset=SessionSlot.objects.order_by("day", "starts_at")),
                    Prefetch("events", queryset=ContractEvent.objects.select_related("recorded_by")
                             .order_by("on", "id")),
                )).first()
    if contract is None:
        return None
    enrolments = sorted(contract.enrolments.all(),
                        key=lambda e: (e.status == Enrolment.Status.CANCELLED, e.pk))
    missing = [
        {"mention": m, "field": (MENTION_FIELDS.get(m.key) or ("",))[0],
         "elsewhere": MENTIONS_ELSEWHERE.get(m.key, "")}
        for m in missing_mentions(contract.kind, document_values(contract))
    ]
    return {
        "contract": contract,
        "enrolments": enrolments,
        "events": list(contract.events.all()),
        "amendments": list(contract.amendments.all()),
        "acceptances": list(contract.acceptances.all()),
        "funding": list(contract.funding.all()),
        "missing": missing,
        "delivery": delivery_as_of(contract=contract, day=today,
                                   slots=list(contract.session.slots.all())),
    }
