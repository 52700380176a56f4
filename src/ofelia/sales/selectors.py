"""Reads of the sales app. Every selector takes the organisation; None means no data."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from ofelia.catalogue.models import Enrolment, TrainingSession

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
        TrainingSession.objects.for_organisation(organisation)
        .select_related("training")
        .annotate(
            confirmed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.CONFIRMED)),
            waitlisted=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        )
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
