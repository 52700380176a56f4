"""PRV-D4: after the provider's unilateral change, the client ends the convention (until 10
jours francs before the start) or moves to a later session — a follow-up event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.sales import services
from ofelia.sales.models import Contract, ContractEvent

from .conftest import make_learner, make_session
from .test_flows import line, record, signed, simulated

START = date(2026, 3, 16)  # PRV-D4 latest day to end: 16 - (10 + 1) = 5 March


def _contract_with_change(org: Any, admin: Any, company: Any) -> Contract:
    session = make_session(org, start=START, price="2400.00", hours="21")
    enrolment = services.enrolment_create(actor=admin, organisation=org, session=session,
                                          learner=make_learner(org, company=company))
    contract = signed(org, admin, on="2026-01-12", client=company, session=session,
                      enrolments=[enrolment])
    record(contract, admin, as_of="2026-03-01", type="schedule_change", on=date(2026, 3, 1))
    return contract


def test_prv_d4_end_on_the_last_day_agrees_with_simulate_and_charges_nothing(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _contract_with_change(org, admin, company)
    event = record(contract, admin, as_of="2026-03-05", type="schedule_choice",
                   on=date(2026, 3, 5), choice="end")
    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-05",
        "contract": {"client": "professional", "format": "inter", "signed_on": "2026-01-12",
                     "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2026-03-16", "end": "2026-03-16", "deposit": "0.00"},
        "funding": [],
        "events": [{"type": "schedule_change", "on": "2026-03-01"},
                   {"type": "cancellation", "by": "client", "on": "2026-03-05", "reason": "legitimate"}],
    })
    assert event.outcome["charges"] == expected["charges"]
    assert line(event.outcome, "cancellation_fee", "client") == 0
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED
    assert not contract.enrolments.filter(status=Enrolment.Status.CONFIRMED).exists()


def test_prv_d4_end_one_day_late_is_refused_with_the_rule_and_changes_nothing(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _contract_with_change(org, admin, company)
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-03-06", type="schedule_choice", on=date(2026, 3, 6),
               choice="end")
    assert refused.value.rule == "PRV-D4"
    assert "5 mars 2026" in refused.value.explanation and "CGV Partie 2, art. 5" in refused.value.explanation
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert contract.events.count() == 1


def test_prv_d4_move_to_a_later_session_moves_the_contract_and_its_learners(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _contract_with_change(org, admin, company)
    later = TrainingSession.objects.create(organisation=org, training=contract.session.training,
                                           start_date=date(2026, 5, 11), end_date=date(2026, 5, 11),
                                           place="Paris", capacity=5)
    old_session = contract.session
    record(contract, admin, as_of="2026-03-10", type="schedule_choice", on=date(2026, 3, 10),
           choice="move", moved_to=later)
    contract.refresh_from_db()
    assert (contract.session, contract.start_date, contract.status) == (
        later, date(2026, 5, 11), Contract.Status.SIGNED)
    assert Enrolment.objects.get(session=later).status == Enrolment.Status.CONFIRMED
    assert Enrolment.objects.get(session=old_session).status == Enrolment.Status.CANCELLED
    # One answer per change: a second choice waits for another change.
    with pytest.raises(services.RuleRefusal, match="PRV-D4"):
        record(contract, admin, as_of="2026-03-11", type="schedule_choice", on=date(2026, 3, 11),
               choice="end")


def test_prv_d4_choice_without_a_change_or_to_an_earlier_session_is_refused(
    org: Any, admin: Any, company: Any
) -> None:
    session = make_session(org, start=START)
    contract = signed(org, admin, on="2026-01-12", client=company, session=session)
    with pytest.raises(services.RuleRefusal, match="Aucun changement"):
        record(contract, admin, as_of="2026-02-01", type="schedule_choice", on=date(2026, 2, 1),
               choice="end")
    record(contract, admin, as_of="2026-02-01", type="schedule_change", on=date(2026, 2, 1))
    earlier = make_session(org, start=date(2026, 3, 2))
    with pytest.raises(services.RuleRefusal, match="ultérieure"):
        record(contract, admin, as_of="2026-02-02", type="schedule_choice", on=date(2026, 2, 2),
               choice="move", moved_to=earlier)
    assert list(contract.events.values_list("type", flat=True)) == [ContractEvent.Type.SCHEDULE_CHANGE]


def test_prv_d4_staff_form_records_the_choice(org: Any, admin: Any, company: Any) -> None:
    from datetime import datetime

    from django.test import Client

    from ofelia.core import clock

    contract = _contract_with_change(org, admin, company)
    web = Client()
    web.force_login(admin)
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        late = web.post(f"/ventes/contrats/{contract.pk}/evenement/",
                        {"type": "schedule_choice", "on": "2026-03-06", "choice": "end"}, follow=True)
        assert "Refusé (PRV-D4)" in late.content.decode()
        ok = web.post(f"/ventes/contrats/{contract.pk}/evenement/",
                      {"type": "schedule_choice", "on": "2026-03-05", "choice": "end"}, follow=True)
    assert "Événement enregistré" in ok.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED
