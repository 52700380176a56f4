from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.billing.collections import run_collections
from ofelia.billing.models import DunningStep, PenaltyAssessment
from ofelia.billing.services import invoice_create_draft, invoice_issue, payment_record
from ofelia.billing.terms import invoice_terms

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


def _issued(organisation, *, policy="dixneuf", buyer_kind="professional", on=date(2025, 3, 10)):
    terms = invoice_terms(policy_id=policy, buyer_kind=buyer_kind, on=date(2025, 9, 1)).as_fields()
    fields = draft_fields(buyer_kind=buyer_kind, **terms)
    draft = invoice_create_draft(actor=None, organisation=organisation, **fields)
    return invoice_issue(actor=None, invoice=draft, issue_date=on)


def _steps(invoice):
    return dict(DunningStep.objects.filter(invoice=invoice).values_list("step", "reached_on"))


def test_pen_d2_interest_three_times_legal_rate_and_40_eur_fee(organisation):
    invoice = _issued(organisation)  # 1 200 €, 10/03/2025, due 09/04/2025 (PAY-D2: 30 days)
    run_collections(as_of=date(2025, 5, 9))
    penalty = PenaltyAssessment.objects.get(invoice=invoice)
    # 30 days × 3 × 3.71 % (2025-H1, all-other-cases value): 1200 × 30 × 11.13 / 36 500 = 10.98
    assert (penalty.days_late, penalty.interest, penalty.recovery_fee) == (30, Decimal("10.98"), Decimal("40.00"))
    assert penalty.rule == "PEN-D2"
    assert "CGV Partie 2, art. 3" in penalty.explanation and "3 fois le taux" in penalty.explanation


def test_collections_run_twice_changes_nothing(organisation):
    invoice = _issued(organisation)
    first = run_collections(as_of=date(2025, 5, 10))
    snapshot = list(PenaltyAssessment.objects.values()) + list(DunningStep.objects.values())
    second = run_collections(as_of=date(2025, 5, 10))
    assert (first.penalties_written, first.steps_created) == (1, 3)
    assert (second.penalties_written, second.steps_created) == (0, 0)
    assert list(PenaltyAssessment.objects.values()) + list(DunningStep.objects.values()) == snapshot
    # The next day the interest grows, the steps keep their dates.
    third = run_collections(as_of=date(2025, 5, 11))
    assert (third.penalties_written, third.steps_created) == (1, 0)
    assert PenaltyAssessment.objects.get(invoice=invoice).days_late == 32


def test_pen_d2_dunning_steps_and_order_to_pay_after_60_days_and_a_notice(organisation):
    invoice = _issued(organisation)
    run_collections(as_of=date(2025, 5, 9))
    assert _steps(invoice) == {"reminder": date(2025, 4, 10), "formal_notice": date(2025, 4, 24)}
    run_collections(as_of=date(2025, 5, 10))  # 60 days after 10/03 are over on 10/05
    assert _steps(invoice)["order_to_pay"] == date(2025, 5, 10)
    step = DunningStep.objects.get(invoice=invoice, step="order_to_pay")
    assert step.rule == "PEN-D2" and "(Conditions générales de vente, CGV Partie 2, art. 3)" in step.explanation


def test_pen_d1_consumer_nothing_within_30_days_then_legal_rate_from_the_invoice_day(organisation):
    invoice = _issued(organisation, buyer_kind="consumer")  # PAY-D1: payable on issue
    run_collections(as_of=date(2025, 4, 9))  # 30 days after the invoice: still nothing
    assert not PenaltyAssessment.objects.filter(invoice=invoice).exists()
    run_collections(as_of=date(2025, 4, 20))
    penalty = PenaltyAssessment.objects.get(invoice=invoice)
    # 41 days from 11/03 at 3.71 %: 1200 × 41 × 3.71 / 36 500 = 5.00; no fee for a consumer
    assert (penalty.days_late, penalty.interest, penalty.recovery_fee) == (41, Decimal("5.00"), Decimal("0.00"))


def test_pen_v1_suspension_8_days_after_the_formal_notice(organisation):
    invoice = _issued(organisation, policy="virtualeo")  # PAY-V1: payable on receipt
    # Notice on 25 March: the 8 calendar days are 26 March – 2 April (CAL-3); suspension
    # from 3 April, not before.
    run_collections(as_of=date(2025, 4, 2))
    assert "suspension" not in _steps(invoice)
    run_collections(as_of=date(2025, 4, 3))
    assert _steps(invoice) == {"reminder": date(2025, 3, 11), "formal_notice": date(2025, 3, 25),
                               "suspension": date(2025, 4, 3)}
    penalty = PenaltyAssessment.objects.get(invoice=invoice)
    # ECB + 10 points: 3.15 (rate on 1 January 2025) + 10 = 13.15 %, 24 days: 10.37 €
    assert penalty.rule == "PEN-V1"


def test_paid_invoice_leaves_collections(organisation):
    invoice = _issued(organisation)
    payment_record(actor=None, organisation=organisation, method="transfer", amount="1200",
                   received_on=date(2025, 4, 9), allocations=[(invoice, "1200")])
    report = run_collections(as_of=date(2025, 6, 1))
    assert report.invoices == 0 and not DunningStep.objects.exists()


def test_half_year_without_a_legal_rate_is_reported_not_guessed(organisation):
    invoice = _issued(organisation, on=date(2026, 5, 4))  # due 03/06/2026
    report = run_collections(as_of=date(2026, 7, 15))  # 2026-H2 rate unknown
    assert any("2026-H2" in p for p in report.problems)
    assert not PenaltyAssessment.objects.filter(invoice=invoice).exists()


def test_collections_of_one_organisation_leave_the_others_alone(organisation, other_organisation):
    mine = _issued(organisation)
    theirs = _issued(other_organisation)
    run_collections(as_of=date(2025, 5, 9), organisation_id=organisation.pk)
    assert PenaltyAssessment.objects.filter(invoice=mine).exists()
    assert not PenaltyAssessment.objects.filter(invoice=theirs).exists()


def test_daily_task_is_scheduled_and_runs_the_collections(organisation, settings):
    from ofelia.billing.tasks import collections_daily

    entry = settings.CELERY_BEAT_SCHEDULE["billing-collections-daily"]
    assert entry["task"] == "ofelia.billing.tasks.collections_daily"
    _issued(organisation)
    result = collections_daily.apply(kwargs={"as_of": "2025-05-09"}).get()
    assert result["penalties_written"] == 1 and result["steps_created"] == 2
