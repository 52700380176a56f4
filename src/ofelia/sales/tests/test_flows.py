"""Each flow recorded on a contract gives the figures `ofelia simulate` gives for the same
facts: the case below is written by hand, as a person would type it, not by rules_io."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Role
from ofelia.policies import load_shipped
from ofelia.policies.legal import load_legal_data
from ofelia.rules.simulate import simulate
from ofelia.sales import rules_io, services
from ofelia.sales.models import Contract, ContractEvent

from .conftest import make_contract, make_learner, make_session, make_user


def simulated(case: dict[str, Any]) -> dict[str, Any]:
    return simulate(case, today=date.fromisoformat(case["as_of"]), policies=load_shipped,
                    legal=load_legal_data())


def line(outcome: dict[str, Any], kind: str, payer: str) -> Decimal:
    return sum((Decimal(c["amount"]) for c in outcome["charges"]
                if c["kind"] == kind and c["payer"] == payer), Decimal("0.00"))


def record(contract: Contract, actor: Any, *, as_of: str, **event: Any) -> ContractEvent:
    with clock.frozen(datetime.fromisoformat(as_of + "T12:00")):
        return services.contract_event_record(actor=actor, contract=contract, **event)


def signed(org: Any, actor: Any, *, on: str, **kwargs: Any) -> Contract:
    with clock.frozen(datetime.fromisoformat(on + "T10:00")):
        return make_contract(org, actor, **kwargs)


def test_can_d1_client_cancellation_9_jours_francs_agrees_with_simulate(
    org: Any, admin: Any, company: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 16), price="2400.00", hours="21")
    contract = signed(org, admin, on="2026-01-12", client=company, session=session,
                      funding=[{"payer": "opco", "amount": Decimal("1500.00")}])
    event = record(contract, admin, as_of="2026-03-20", type="cancellation",
                   on=date(2026, 3, 6), by="client", reason="other")

    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-20",
        "contract": {"client": "professional", "format": "inter", "signed_on": "2026-01-12",
                     "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2026-03-16", "end": "2026-03-16", "deposit": "0.00"},
        "funding": [{"payer": "opco", "amount": "1500.00", "agreement_on": None}],
        "events": [{"type": "cancellation", "by": "client", "on": "2026-03-06", "reason": "other"}],
    })
    assert event.outcome == expected
    assert line(event.outcome, "cancellation_fee", "client") == Decimal("1200.00")
    assert line(event.outcome, "cancellation_fee", "opco") == Decimal("0.00")
    assert any(c["rule"] == "CAN-D1" and "art. 4" in c["explanation"] for c in event.outcome["charges"])
    contract.refresh_from_db()
    assert contract.status == "cancelled"


def test_ret_1_consumer_retraction_inside_the_period_agrees_with_simulate(
    org: Any, admin: Any, consumer: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 2), end=date(2026, 3, 20), price="3000.00",
                           hours="60")
    learner = make_learner(org)
    enrolment = services.enrolment_create(actor=admin, organisation=org, session=session, learner=learner)
    with clock.frozen(datetime(2026, 1, 5, 10, 0)):
        contract = services.contract_create(actor=admin, organisation=org, session=session,
                                            consumer=consumer, enrolments=[enrolment],
                                            **_document_fields())
        contract = services.contract_sign(actor=admin, contract=contract,
                                          accepted_by_name="Paul Durand", method="online_checkbox")
    event = record(contract, admin, as_of="2026-01-15", type="retraction", on=date(2026, 1, 15))

    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-01-15",
        "contract": {"client": "consumer", "format": "inter", "signed_on": "2026-01-05",
                     "at_distance": False, "price": "3000.00", "vat_rate": "0", "hours": "60",
                     "start": "2026-03-02", "end": "2026-03-20", "deposit": "0.00"},
        "funding": [],
        "events": [{"type": "retraction", "on": "2026-01-15"}],
    })
    assert event.outcome == expected
    assert event.outcome["deadlines"]["retraction_ends"] == "2026-01-15"
    assert line(event.outcome, "price", "client") == Decimal("0.00")
    contract.refresh_from_db()
    enrolment.refresh_from_db()
    assert contract.status == "retracted" and enrolment.status == "cancelled"


def test_ret_1_retraction_the_day_after_the_period_is_refused_with_the_clause(
    org: Any, admin: Any, consumer: Any
) -> None:
    contract = signed(org, admin, on="2026-01-05", client=consumer,
                      session=make_session(org, start=date(2026, 3, 2)))
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-01-16", type="retraction", on=date(2026, 1, 16))
    assert refused.value.rule == "RET-1"
    assert "15 janvier 2026" in str(refused.value) and "art. 11" in str(refused.value)
    assert not ContractEvent.objects.exists()
    contract.refresh_from_db()
    assert contract.status == "signed"


def test_ret_4_professional_cannot_retract(org: Any, admin: Any, company: Any) -> None:
    contract = signed(org, admin, on="2026-01-05", client=company)
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-01-06", type="retraction", on=date(2026, 1, 6))
    assert refused.value.rule == "RET-4"


def test_abd_d2_consumer_abandonment_other_reason_agrees_with_simulate(
    org: Any, admin: Any, consumer: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 2), end=date(2026, 3, 20), price="3000.00",
                           hours="60")
    contract = signed(org, admin, on="2026-01-05", client=consumer, session=session)
    event = record(contract, admin, as_of="2026-03-25", type="abandonment", on=date(2026, 3, 9),
                   hours_attended=Decimal("20"), reason="other")
    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-25",
        "contract": {"client": "consumer", "format": "inter", "signed_on": "2026-01-05",
                     "at_distance": False, "price": "3000.00", "vat_rate": "0", "hours": "60",
                     "start": "2026-03-02", "end": "2026-03-20", "deposit": "0.00"},
        "funding": [],
        "events": [{"type": "abandonment", "on": "2026-03-09", "hours_attended": "20",
                    "reason": "other"}],
    })
    assert event.outcome == expected
    assert line(event.outcome, "prorata", "client") == Decimal("1000.00")
    assert line(event.outcome, "abandonment_fee", "client") == Decimal("750.00")


def test_prv_d3_provider_stop_refunds_the_deposit_surplus_and_agrees_with_simulate(
    org: Any, admin: Any, consumer: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 2), end=date(2026, 3, 20), price="3000.00",
                           hours="60")
    contract = signed(org, admin, on="2026-01-05", client=consumer, session=session,
                      deposit=Decimal("900.00"))
    event = record(contract, admin, as_of="2026-03-10", type="provider_stop", on=date(2026, 3, 6),
                   hours_attended=Decimal("12"))
    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-10",
        "contract": {"client": "consumer", "format": "inter", "signed_on": "2026-01-05",
                     "at_distance": False, "price": "3000.00", "vat_rate": "0", "hours": "60",
                     "start": "2026-03-02", "end": "2026-03-20", "deposit": "900.00"},
        "funding": [],
        "events": [{"type": "provider_stop", "on": "2026-03-06", "hours_attended": "12"}],
    })
    assert event.outcome == expected
    assert line(event.outcome, "prorata", "client") == Decimal("600.00")
    assert sum(Decimal(r["amount"]) for r in event.outcome["refunds"] if r["payee"] == "client") == Decimal("300.00")


def _pro_contract_starting_16_march(org: Any, admin: Any, company: Any) -> Contract:
    session = make_session(org, start=date(2026, 3, 16), price="2400.00", hours="21")
    return signed(org, admin, on="2026-01-12", client=company, session=session)


def test_prv_d1_provider_cancellation_on_the_last_allowed_day_agrees_with_simulate(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _pro_contract_starting_16_march(org, admin, company)
    # 16 March − (10 + 1) days = 5 March (CAL-2).
    event = record(contract, admin, as_of="2026-03-05", type="cancellation", on=date(2026, 3, 5),
                   by="provider", reason="other")
    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-05",
        "contract": {"client": "professional", "format": "inter", "signed_on": "2026-01-12",
                     "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2026-03-16", "end": "2026-03-16", "deposit": "0.00"},
        "funding": [],
        "events": [{"type": "cancellation", "by": "provider", "on": "2026-03-05", "reason": "other"}],
    })
    assert event.outcome == expected
    assert event.outcome["deadlines"]["provider_cancel_by"] == "2026-03-05"
    assert line(event.outcome, "price", "client") == Decimal("0.00")
    assert not event.forced


def test_prv_d1_provider_cancellation_after_the_deadline_is_refused_naming_the_clause(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _pro_contract_starting_16_march(org, admin, company)
    with pytest.raises(services.RuleRefusal) as refused:
        record(contract, admin, as_of="2026-03-06", type="cancellation", on=date(2026, 3, 6),
               by="provider", reason="other")
    assert refused.value.rule == "PRV-D1"
    assert "5 mars 2026" in str(refused.value)
    assert not ContractEvent.objects.exists()
    # Postponement (schedule change) is held to the same deadline.
    with pytest.raises(services.RuleRefusal, match="PRV-D1"):
        record(contract, admin, as_of="2026-03-06", type="schedule_change", on=date(2026, 3, 6))


def test_prv_d1_only_an_administrator_with_a_reason_can_force_it_and_it_is_audited(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _pro_contract_starting_16_march(org, admin, company)
    staff = make_user(org, Role.STAFF)
    with pytest.raises(services.RuleRefusal, match="administrateurs"):
        record(contract, staff, as_of="2026-03-06", type="cancellation", on=date(2026, 3, 6),
               by="provider", reason="force_majeure", force_reason="Formateur hospitalisé")
    event = record(contract, admin, as_of="2026-03-06", type="cancellation", on=date(2026, 3, 6),
                   by="provider", reason="force_majeure", force_reason="Formateur hospitalisé")
    assert event.forced and event.force_reason == "Formateur hospitalisé"
    entry = AuditEntry.objects.get(action="contract_event.force")
    assert entry.after["force_reason"] == "Formateur hospitalisé"
    assert entry.actor == admin


def test_prv_d4_schedule_change_before_the_deadline_keeps_the_contract_and_agrees(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _pro_contract_starting_16_march(org, admin, company)
    event = record(contract, admin, as_of="2026-02-20", type="schedule_change", on=date(2026, 2, 20))
    case = rules_io.contract_case(contract, as_of=date(2026, 2, 20))
    assert case["events"] == [{"type": "schedule_change", "on": "2026-02-20"}]
    assert event.outcome == simulated(case)
    contract.refresh_from_db()
    assert contract.status == "signed"


def test_fun_d1_opco_agreement_received_agrees_with_simulate(
    org: Any, admin: Any, company: Any
) -> None:
    session = make_session(org, start=date(2026, 3, 16), price="2400.00", hours="21")
    contract = signed(org, admin, on="2026-01-12", client=company, session=session,
                      funding=[{"payer": "opco", "amount": Decimal("1500.00")}])
    event = record(contract, admin, as_of="2026-03-30", type="opco_agreement", on=date(2026, 3, 10))
    expected = simulated({
        "case": "training", "policy": "dixneuf", "as_of": "2026-03-30",
        "contract": {"client": "professional", "format": "inter", "signed_on": "2026-01-12",
                     "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2026-03-16", "end": "2026-03-16", "deposit": "0.00"},
        "funding": [{"payer": "opco", "amount": "1500.00", "agreement_on": "2026-03-10"}],
        "events": [],
    })
    assert event.outcome == expected
    assert line(event.outcome, "price", "opco") == Decimal("1500.00")
    assert line(event.outcome, "price", "client") == Decimal("900.00")
    assert str(contract.funding.get().agreement_on) == "2026-03-10"


def test_event_on_a_cancelled_contract_is_refused(org: Any, admin: Any, company: Any) -> None:
    contract = _pro_contract_starting_16_march(org, admin, company)
    record(contract, admin, as_of="2026-02-01", type="cancellation", on=date(2026, 2, 1),
           by="client", reason="other")
    with pytest.raises(ValidationError, match="aucun événement"):
        record(contract, admin, as_of="2026-02-02", type="schedule_change", on=date(2026, 2, 2))


def _document_fields() -> dict[str, Any]:
    from .conftest import DOCUMENT_FIELDS

    return dict(DOCUMENT_FIELDS)
