"""Reads of the sales app. Every selector takes the organisation; None means no data."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import with_seats

from .models import Contract, ContractEvent, Quote


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
        .prefetch_related("lines")
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


def contracts_of_member(*, organisation: Any, membership: Any, user: Any) -> QuerySet[Contract]:
    """Extranet: the contracts a client contact, consumer or learner may see, nothing else."""
    from ofelia.organisations.models import Role

    qs = contract_list(organisation=organisation).exclude(status=Contract.Status.DRAFT)
    if membership is None:
        return qs.none()
    if membership.role == Role.CLIENT_CONTACT and membership.company_id:
        return qs.filter(client_company_id=membership.company_id)
    if membership.role == Role.CONSUMER:
        return qs.filter(consumer__user=user)
    if membership.role == Role.LEARNER:
        return qs.filter(enrolments__learner__user=user).distinct()
    return qs.none()


def cancellation_estimate(*, contract: Contract, today: Any) -> dict[str, Any] | None:
    """What the client would owe if they cancelled today, from the rules core (not stored)."""
    from ofelia.rules.errors import RulesError

    from . import rules_io

    if contract.status != Contract.Status.SIGNED or contract.signed_on is None:
        return None
    recorded = list(contract.events.order_by("on", "id"))
    kind = (ContractEvent.Type.RETRACTION if _retraction_open(contract, recorded, today)
            else ContractEvent.Type.CANCELLATION)
    hypothetical = ContractEvent(contract=contract, type=kind, on=today,
                                 by=ContractEvent.By.CLIENT, reason=ContractEvent.Reason.OTHER)
    try:
        outcome = rules_io.evaluate_contract(contract, as_of=today, events=[*recorded, hypothetical])
    except RulesError as exc:
        return {"problem": str(exc)}
    return {"kind": kind, "outcome": outcome}


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
