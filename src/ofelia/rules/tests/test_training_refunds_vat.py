"""Refunds are money paid back, VAT included (SIMULATION.md): a deposit of 3 000.00
excluding VAT at 20 % was paid 3 600.00 and comes back as 3 600.00; what is kept of it is
compared as money too (hours owed with their VAT, a compensation without)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ofelia.rules.tests.test_training_helpers import cancel, refund, run, total, training

CONSUMER = {"client": "consumer", "price": "6000.00", "vat_rate": "20", "hours": "60",
            "deposit": "3000.00"}


def test_ret_3_retraction_refunds_the_deposit_as_paid_vat_included():
    outcome = run(training(**CONSUMER, events=[{"type": "retraction", "on": "2026-01-15"}]))
    assert refund(outcome) == Decimal("3600.00")
    assert {r.rule for r in outcome.refunds} == {"RET-3"}


def test_prv_d2_provider_cancellation_refunds_the_deposit_as_paid_vat_included():
    outcome = run(training(**CONSUMER, events=[cancel("2026-02-20", by="provider")]))
    assert refund(outcome) == Decimal("3600.00")
    assert total(outcome, "price", "client") == Decimal("0.00")


@pytest.mark.parametrize(("attended", "back"), [
    ("20", "1200.00"),  # 2 000 HT owed = 2 400 TTC of the 3 600 paid
    ("29", "120.00"),
    ("30", "0.00"),     # the deposit covers exactly the hours: kept
    ("40", "0.00"),     # covers less: the difference is invoiced, nothing comes back
])
def test_prv_d3_early_stop_refunds_the_surplus_of_the_deposit_vat_included(attended, back):
    outcome = run(training(**CONSUMER, events=[{"type": "provider_stop", "on": "2026-03-17",
                                                 "hours_attended": attended}]))
    assert refund(outcome) == Decimal(back)
    assert {r.rule for r in outcome.refunds} == {"PRV-D3"}


def test_abd_d2_compensation_without_vat_is_imputed_on_the_deposit_paid():
    # 10 h of 60: prorata 1 000 HT = 1 200 TTC; compensation 25 % = 1 500 (no VAT);
    # 3 600 paid − 2 700 owed = 900 back.
    outcome = run(training(**CONSUMER, events=[{"type": "abandonment", "on": "2026-03-17",
                                                 "hours_attended": "10", "reason": "other"}]))
    assert total(outcome, "abandonment_fee", "client") == Decimal("1500.00")
    assert refund(outcome) == Decimal("900.00")


def test_abd_d1_legitimate_reason_refunds_what_the_hours_do_not_use():
    outcome = run(training(**CONSUMER, events=[{"type": "abandonment", "on": "2026-03-17",
                                                 "hours_attended": "10", "reason": "legitimate"}]))
    assert refund(outcome) == Decimal("2400.00")  # 3 600 − 1 200


@pytest.mark.parametrize(("cancelled_on", "fee", "back"), [
    ("2026-02-12", "0.00", "3600.00"),     # 31 jours francs: nothing owed
    ("2026-02-13", "1500.00", "2100.00"),  # 30 jours francs: 25 % = 1 500 without VAT
    ("2026-03-10", "3000.00", "600.00"),   # 5 jours francs: 50 %, the VAT paid comes back
    ("2026-03-12", "4800.00", "0.00"),     # 3 jours francs: 80 % exceeds the deposit
])
def test_can_d1_fee_without_vat_is_imputed_on_the_deposit_paid_with_vat(cancelled_on, fee, back):
    outcome = run(training(price="6000.00", vat_rate="20", deposit="3000.00",
                           events=[cancel(cancelled_on)]))
    assert total(outcome, "cancellation_fee", "client") == Decimal(fee)
    assert refund(outcome) == Decimal(back)
