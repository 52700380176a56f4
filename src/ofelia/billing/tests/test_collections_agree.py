"""One penalty computation: the collections job and `ofelia simulate` give the same days,
interest and fee for the same facts (PEN-D1, PEN-D2, PEN-F1, PEN-V1), unpaid or partly paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.billing.collections import run_collections
from ofelia.billing.models import PenaltyAssessment
from ofelia.billing.services import invoice_create_draft, invoice_issue, payment_record
from ofelia.billing.terms import invoice_terms
from ofelia.simulator.selectors import simulate_for

from .conftest import draft_fields

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 2, 10)  # 2025-H2 and 2026-H1 rates both in the shipped legal data
ISSUED = date(2025, 11, 3)
# The partial payment splits the late days in two bases (1 200 € then 500 €).
PARTLY_PAID = [(date(2025, 12, 20), Decimal("700.00"))]


def _invoice(organisation, policy: str, buyer_kind: str):
    terms = invoice_terms(policy_id=policy, buyer_kind=buyer_kind, on=ISSUED).as_fields()
    draft = invoice_create_draft(actor=None, organisation=organisation,
                                 **draft_fields(buyer_kind=buyer_kind, **terms))
    return invoice_issue(actor=None, invoice=draft, issue_date=ISSUED)


def _simulated(organisation, invoice, payments, contract: dict[str, str]):
    client = "consumer" if invoice.buyer_kind == "consumer" else "professional"
    case = {
        "case": "training", "policy": invoice.policy_id, "policy_version": invoice.policy_version,
        "as_of": AS_OF.isoformat(),
        "contract": {"client": client, "format": "inter", "signed_on": "2025-10-01",
                     "at_distance": False, "price": "1200.00", "vat_rate": "0", "hours": "21",
                     "start": "2025-10-20", "end": "2025-10-22", "deposit": "0.00", **contract},
        "funding": [],
        "events": [
            {"type": "invoice", "id": invoice.number, "on": ISSUED.isoformat(), "amount": "1200.00",
             "payer": "client", "due_on": invoice.due_date.isoformat()},
            *({"type": "payment", "invoice": invoice.number, "on": on.isoformat(), "amount": str(amount)}
              for on, amount in payments),
        ],
    }
    outcome = simulate_for(organisation=organisation, case=case, today=AS_OF)
    [penalty] = outcome["penalties"]
    return penalty["rule"], penalty["days_late"], Decimal(penalty["interest"]), Decimal(penalty["recovery_fee"])


def _agree(organisation, policy: str, buyer_kind: str, rule: str, payments, contract=None):
    invoice = _invoice(organisation, policy, buyer_kind)
    for on, amount in payments:
        payment_record(actor=None, organisation=organisation, method="transfer", amount=amount,
                       received_on=on, allocations=[(invoice, amount)])
    run_collections(as_of=AS_OF)
    job = PenaltyAssessment.objects.get(invoice=invoice)
    simulated = _simulated(organisation, invoice, payments, contract or {})
    assert (job.rule, job.days_late, job.interest, job.recovery_fee) == simulated
    assert job.rule == rule and job.interest > 0
    return job


@pytest.mark.parametrize("payments", [[], PARTLY_PAID], ids=["unpaid", "partly_paid"])
def test_pen_d1_collections_agrees_with_simulation(organisation, payments):
    job = _agree(organisation, "dixneuf", "consumer", "PEN-D1", payments)
    # From the day after the invoice (count_from = invoice), no fee for a consumer.
    assert job.days_late == (AS_OF - ISSUED).days and job.recovery_fee == 0


@pytest.mark.parametrize("payments", [[], PARTLY_PAID], ids=["unpaid", "partly_paid"])
def test_pen_d2_collections_agrees_with_simulation(organisation, payments):
    job = _agree(organisation, "dixneuf", "professional", "PEN-D2", payments)
    assert job.recovery_fee == Decimal("40.00")


def test_pen_d2_partly_paid_interest_runs_on_the_unpaid_part_of_each_period(organisation):
    unpaid = _agree(organisation, "dixneuf", "professional", "PEN-D2", []).interest
    PenaltyAssessment.objects.all().delete()
    partly = _agree(organisation, "dixneuf", "professional", "PEN-D2", PARTLY_PAID).interest
    # due 03/12/2025; 17 days on 1 200 € then 52 days on 500 € (2025-H2: 3 × 2.76 %, 2026-H1:
    # 3 × 2.62 %): 1200 × 17 × 8.28 / 36 500 = 4.63; 500 × 11 × 8.28 / 36 500 = 1.25;
    # 500 × 41 × 7.86 / 36 500 = 4.41
    assert partly == Decimal("4.63") + Decimal("1.25") + Decimal("4.41")
    assert unpaid > partly


@pytest.mark.parametrize("payments", [[], PARTLY_PAID], ids=["unpaid", "partly_paid"])
def test_pen_f1_collections_agrees_with_simulation(organisation, payments):
    _agree(organisation, "formagogy", "professional", "PEN-F1", payments, {"format": "service"})


@pytest.mark.parametrize("payments", [[], PARTLY_PAID], ids=["unpaid", "partly_paid"])
def test_pen_v1_collections_agrees_with_simulation(organisation, payments):
    _agree(organisation, "virtualeo", "professional", "PEN-V1", payments)


@pytest.mark.parametrize("payments", [[], PARTLY_PAID], ids=["unpaid", "partly_paid"])
def test_l441_10_terms_silent_collections_agrees_with_simulation(organisation, payments):
    """LA PORTE ACADÉMIE's terms have no PEN clause: its invoice to an OPCO (a professional
    debtor) carries the statutory ECB + 10 points and 40 €, and both sides charge them."""
    invoice = _invoice(organisation, "laporte", "professional")
    assert invoice.late_penalty_rule == "L441-10"
    for on, amount in payments:
        payment_record(actor=None, organisation=organisation, method="transfer", amount=amount,
                       received_on=on, allocations=[(invoice, amount)])
    run_collections(as_of=AS_OF)
    job = PenaltyAssessment.objects.get(invoice=invoice)
    case = {
        "case": "training", "policy": "laporte", "policy_version": invoice.policy_version,
        "as_of": AS_OF.isoformat(),
        "contract": {"client": "consumer", "format": "elearning", "signed_on": "2025-10-01",
                     "at_distance": True, "price": "2400.00", "vat_rate": "0", "hours": "21",
                     "start": "2025-10-20", "end": "2025-10-22", "deposit": "0.00"},
        "funding": [{"payer": "opco", "amount": "1200.00"}],
        "events": [
            {"type": "invoice", "id": invoice.number, "on": ISSUED.isoformat(), "amount": "1200.00",
             "payer": "opco", "due_on": invoice.due_date.isoformat()},
            *({"type": "payment", "invoice": invoice.number, "on": on.isoformat(), "amount": str(amount)}
              for on, amount in payments),
        ],
    }
    [penalty] = simulate_for(organisation=organisation, case=case, today=AS_OF)["penalties"]
    assert (job.rule, job.days_late, job.interest, job.recovery_fee) == (
        penalty["rule"], penalty["days_late"], Decimal(penalty["interest"]), Decimal(penalty["recovery_fee"]))
    assert job.rule == "L441-10" and job.interest > 0 and job.recovery_fee == Decimal("40.00")
