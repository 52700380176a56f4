"""PAY-L1: an invoice paid in 3 instalments is overdue only for the instalments already
due — collections, the receivables ageing and the overdue list agree."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ofelia.billing.collections import run_collections
from ofelia.billing.gateways import FakeGateway
from ofelia.billing.models import DunningStep, Instalment, PenaltyAssessment
from ofelia.billing.online import checkout_create, stripe_event_process
from ofelia.billing.selectors import ageing, invoice_list
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.billing.terms import invoice_terms
from ofelia.core import clock
from ofelia.policies import policy_in_force

from .conftest import draft_fields

pytestmark = pytest.mark.django_db
ORDERED = date(2025, 3, 10)


def _three_times_first_paid(organisation):
    # Professional terms (PEN-D2), payable on the order day; 1 200 € in 3 × 400 €.
    terms = invoice_terms(policy_id="dixneuf", buyer_kind="professional", on=date(2025, 9, 1))
    draft = invoice_create_draft(actor=None, organisation=organisation,
                                 **draft_fields(**{**terms.as_fields(), "payment_delay_days": 0}))
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=ORDERED)
    checkout = checkout_create(actor=None, organisation=organisation, order_reference="CMD-3X",
                               amount="1200.00", amount_excl_vat="1200.00", instalments=3,
                               policy=policy_in_force("laporte", date(2025, 6, 1)),
                               gateway=FakeGateway(), invoice=invoice, ordered_on=ORDERED)
    with clock.frozen(datetime(2025, 3, 10, 12, 0)):
        stripe_event_process({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {
            "id": "pi_1", "amount": 40000, "amount_received": 40000, "customer": "cus_1",
            "payment_method": "pm_1", "payment_method_types": ["card"],
            "metadata": {"checkout_id": str(checkout.pk), "organisation_id": str(organisation.pk),
                         "instalment": "1"}}}})
    return invoice


def _buckets(organisation, today):
    return {b.key: (b.amount, b.count) for b in ageing(organisation=organisation, today=today)
            if b.count}


def test_pay_l1_schedule_of_the_invoice_comes_from_the_rules_core(organisation):
    invoice = _three_times_first_paid(organisation)
    rows = Instalment.objects.filter(checkout__invoice=invoice).values_list("due_on", "amount")
    assert list(rows) == [(date(2025, 3, 10), Decimal("400.00")), (date(2025, 4, 10), Decimal("400.00")),
                          (date(2025, 5, 10), Decimal("400.00"))]


def test_pay_l1_invoice_not_overdue_while_its_later_instalments_are_not_due(organisation):
    invoice = _three_times_first_paid(organisation)
    today = date(2025, 4, 10)  # the invoice's own due date (10/03) is past, instalment 2 due today
    report = run_collections(as_of=today)
    assert report.invoices == 0
    assert not PenaltyAssessment.objects.filter(invoice=invoice).exists()
    assert not DunningStep.objects.filter(invoice=invoice).exists()
    assert _buckets(organisation, today) == {"not_due": (Decimal("800.00"), 1)}
    assert not invoice_list(organisation=organisation, filters={"overdue": "1"}, today=today).exists()


def test_pay_l1_unpaid_second_instalment_is_overdue_on_its_amount_from_its_due_date(organisation):
    invoice = _three_times_first_paid(organisation)
    today = date(2025, 4, 25)
    report = run_collections(as_of=today)
    assert report.invoices == 1 and not report.problems
    penalty = PenaltyAssessment.objects.get(invoice=invoice)
    # 400 € × 15 days (11/04–25/04) at 3 × 3.71 %: 400 × 15 × 11.13 / 36 500 = 1.83
    assert (penalty.days_late, penalty.interest, penalty.recovery_fee) == (15, Decimal("1.83"), Decimal("40.00"))
    assert "échéance du 10 avril 2025" in penalty.explanation
    steps = dict(DunningStep.objects.filter(invoice=invoice).values_list("step", "reached_on"))
    assert steps == {"reminder": date(2025, 4, 11), "formal_notice": date(2025, 4, 25)}
    assert _buckets(organisation, today) == {"not_due": (Decimal("400.00"), 1),
                                             "0_30": (Decimal("400.00"), 1)}
    assert list(invoice_list(organisation=organisation, filters={"overdue": "1"}, today=today)) == [invoice]
