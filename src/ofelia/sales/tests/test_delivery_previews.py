"""What has been delivered on a day (planned half-days elapsed, else weekdays pro rata of the
hours) and the client's way out that day: cancellation before the start, abandonment during,
nothing to cancel after the end. Boundaries on the start and end days."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.catalogue.models import SessionSlot
from ofelia.core import clock
from ofelia.sales import selectors
from ofelia.sales.models import Contract, ContractEvent

from .conftest import make_session
from .test_flows import record, signed

START, END = date(2026, 3, 16), date(2026, 3, 18)  # Monday to Wednesday, 21 hours


def _contract(org: Any, admin: Any, company: Any, *, slots: bool) -> Contract:
    session = make_session(org, start=START, end=END, hours="21")
    if slots:
        for day in (16, 17, 18):
            SessionSlot.objects.create(session=session, day=date(2026, 3, day), part="morning",
                                       starts_at=time(9), ends_at=time(12, 30))
            SessionSlot.objects.create(session=session, day=date(2026, 3, day), part="afternoon",
                                       starts_at=time(13, 30), ends_at=time(17))
    return signed(org, admin, on="2026-01-12", client=company, session=session)


@pytest.mark.parametrize(("day", "phase", "hours", "exit_event"), [
    (date(2026, 3, 15), "before", "0", "cancellation"),
    (START, "during", "0.00", "abandonment"),
    (date(2026, 3, 17), "during", "7.00", "abandonment"),
    (END, "during", "14.00", "abandonment"),
    (date(2026, 3, 19), "after", "21", None),
])
@pytest.mark.parametrize("slots", [True, False], ids=["half-days", "pro-rata"])
def test_can_d1_abd_delivery_phases_with_boundaries(
    org: Any, admin: Any, company: Any, day: date, phase: str, hours: str,
    exit_event: str | None, slots: bool,
) -> None:
    contract = _contract(org, admin, company, slots=slots)
    delivery = selectors.delivery_as_of(contract=contract, day=day)
    assert (delivery.phase, delivery.hours, delivery.exit_event) == (phase, Decimal(hours),
                                                                     exit_event)


def test_can_d1_half_days_count_even_when_unevenly_planned(
    org: Any, admin: Any, company: Any,
) -> None:
    contract = _contract(org, admin, company, slots=True)
    SessionSlot.objects.filter(session=contract.session, day=date(2026, 3, 16),
                               part="afternoon").delete()
    # 1 of 5 planned half-days elapsed on the 17th.
    assert selectors.delivery_as_of(contract=contract, day=date(2026, 3, 17)).hours == Decimal("4.20")


def test_can_d1_preview_before_start_is_a_cancellation(org: Any, admin: Any, company: Any) -> None:
    contract = _contract(org, admin, company, slots=True)
    estimate = selectors.cancellation_estimate(contract=contract, today=date(2026, 3, 15))
    assert estimate is not None and estimate["kind"] == "cancellation"
    assert estimate["outcome"]["charges"]


def test_abd_preview_during_is_an_abandonment_with_the_hours_delivered(
    org: Any, admin: Any, company: Any,
) -> None:
    contract = _contract(org, admin, company, slots=True)
    estimate = selectors.cancellation_estimate(contract=contract, today=date(2026, 3, 17))
    assert estimate is not None and estimate["kind"] == "abandonment"
    assert "problem" not in estimate
    assert estimate["delivery"].hours == Decimal("7.00")


def test_preview_after_the_end_says_delivered_not_a_cancellation_before_the_start(
    org: Any, admin: Any, company: Any,
) -> None:
    from django.test import Client

    contract = _contract(org, admin, company, slots=False)
    estimate = selectors.cancellation_estimate(contract=contract, today=date(2026, 4, 30))
    assert estimate is not None and estimate["kind"] == "delivered" and "outcome" not in estimate
    web = Client()
    web.force_login(admin)
    with clock.frozen(datetime(2026, 4, 30, 9, 0)):
        body = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
    assert "Formation réalisée" in body and "son prix est dû" in body
    assert "Si le client annulait aujourd" not in body


def test_abd_recorded_abandonment_takes_the_hours_delivered_by_default(
    org: Any, admin: Any, company: Any,
) -> None:
    contract = _contract(org, admin, company, slots=True)
    event = record(contract, admin, as_of="2026-03-18", type="abandonment",
                   on=date(2026, 3, 18), reason="other")
    assert event.hours_attended == Decimal("14.00")


def test_can_d1_cancellation_after_the_end_is_refused_and_changes_nothing(
    org: Any, admin: Any, company: Any,
) -> None:
    contract = _contract(org, admin, company, slots=True)
    with pytest.raises(ValidationError, match="il n'y a plus rien à annuler"):
        record(contract, admin, as_of="2026-03-19", type="cancellation", on=date(2026, 3, 19),
               by="client", reason="other")
    assert not ContractEvent.objects.exists()
    # On the end day itself the training is still running: a cancellation is recorded.
    record(contract, admin, as_of="2026-03-18", type="cancellation", on=END, by="client",
           reason="other")


def test_abd_closed_attendance_sheets_replace_the_plan_for_their_half_days(
        org: Any, admin: Any, company: Any) -> None:
    """Issue 11 item 2: a half-day signed off counts the hours really attended (here: the
    learner missed the first morning, came an hour late in the afternoon); the half-days
    not yet signed off still count as planned."""
    from ofelia.attendance.models import AttendanceSheet, Mark
    from ofelia.catalogue.seats import enrolment_create
    from ofelia.organisations.models import Learner

    contract = _contract(org, admin, company, slots=True)
    learner = Learner.objects.create(organisation=org, company=company, civility="mme",
                                     first_name="Inès", last_name="Assidue",
                                     email="ines@acme.example")
    enrolment = enrolment_create(actor=None, organisation=org, session=contract.session,
                                 learner=learner)
    contract.enrolments.add(enrolment)
    morning, afternoon = contract.session.slots.filter(day=START).order_by("starts_at")
    for slot, status, arrived in ((morning, Mark.Status.ABSENT, None),
                                  (afternoon, Mark.Status.LATE, time(14, 30))):
        sheet = AttendanceSheet.objects.create(organisation=org, slot=slot,
                                               status=AttendanceSheet.Status.CLOSED)
        Mark.objects.create(organisation=org, sheet=sheet, enrolment=enrolment, status=status,
                            arrived_at=arrived)
    delivery = selectors.delivery_as_of(contract=contract, day=date(2026, 3, 17))
    # 21 h over 6 half-days of 3.5 h: 0 + 2.5/3.5 of a half-day attended → 21 × (5/7) / 6.
    assert delivery.hours == Decimal("2.50")
    assert "émargée" in delivery.basis
    # The next day, the second day's half-days (not signed off) count as planned.
    assert selectors.delivery_as_of(contract=contract, day=END).hours == Decimal("9.50")
