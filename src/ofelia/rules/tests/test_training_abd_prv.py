"""ABD-D1, ABD-D2 (consumer abandonment) and PRV-D1..PRV-D4 (provider-side events)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.rules.tests.test_training_helpers import cancel, lines, refund, run, total, training

CONSUMER = {"client": "consumer", "signed_on": "2026-01-05", "price": "3000.00", "hours": "60",
            "start": "2026-03-02", "end": "2026-03-20"}


def abandon(hours: str, reason: str):
    return {"type": "abandonment", "on": "2026-03-09", "hours_attended": hours, "reason": reason}


@pytest.mark.parametrize("reason", ["force_majeure", "legitimate"])
def test_abd_d1_only_hours_delivered_pro_rata(reason):
    outcome = run(training(**CONSUMER, events=[abandon("20", reason)]))
    assert total(outcome, "prorata", "client") == Decimal("1000.00")
    assert total(outcome, "abandonment_fee", "client") == Decimal("0.00")
    assert lines(outcome, "prorata", "client")[0].rule == "ABD-D1"


def test_abd_d2_pro_rata_plus_25_percent_of_the_price_without_vat():
    outcome = run(training(**CONSUMER, vat_rate="20", events=[abandon("20", "other")]))
    prorata = lines(outcome, "prorata", "client")[0]
    fee = lines(outcome, "abandonment_fee", "client")[0]
    assert (prorata.amount, prorata.vat) == (Decimal("1000.00"), Decimal("200.00"))
    assert (fee.amount, fee.vat, fee.rule) == (Decimal("750.00"), Decimal("0.00"), "ABD-D2")
    assert "(CGV Partie 1, art. 4)" in fee.explanation


def test_prv_d1_provider_cancel_by_10_jours_francs_before():
    outcome = run(training(**CONSUMER))
    assert outcome.deadlines["provider_cancel_by"] == date(2026, 2, 19)


@pytest.mark.parametrize(("on", "late"), [("2026-02-19", False), ("2026-02-20", True)])
def test_prv_d2_provider_cancellation_refunds_the_deposit_late_notice_warned(on, late):
    outcome = run(training(**CONSUMER, deposit="900.00", events=[cancel(on, by="provider")]))
    assert total(outcome, "price", "client") == Decimal("0.00")
    assert refund(outcome) == Decimal("900.00") and outcome.refunds[0].rule == "PRV-D2"
    assert any("date limite" in w for w in outcome.warnings) is late


def test_prv_d2_professional_is_invoiced_nothing():
    outcome = run(training(funding=[{"payer": "opco", "amount": "2400.00", "agreement_on": "2026-01-20"}],
                           events=[cancel("2026-02-01", by="provider")]))
    assert total(outcome, "price", "client") == total(outcome, "price", "opco") == Decimal("0.00")
    assert outcome.refunds == ()


@pytest.mark.parametrize(("hours", "owed", "back"), [
    ("10", "500.00", "400.00"),   # deposit covers more: surplus refunded
    ("18", "900.00", "0.00"),     # exactly
    ("20", "1000.00", "0.00"),    # less: the difference is invoiced
])
def test_prv_d3_early_stop_pro_rata_with_deposit_reconciliation(hours, owed, back):
    outcome = run(training(**CONSUMER, deposit="900.00",
                           events=[{"type": "provider_stop", "on": "2026-03-09", "hours_attended": hours}]))
    assert total(outcome, "prorata", "client") == Decimal(owed)
    assert refund(outcome) == Decimal(back)
    assert outcome.refunds[0].rule == "PRV-D3"


def test_prv_d4_schedule_change_lets_the_professional_end_or_postpone():
    outcome = run(training(events=[{"type": "schedule_change", "on": "2026-02-01"}]))
    assert any("mettre fin à la convention jusqu'au 5 mars 2026" in w for w in outcome.warnings)
    assert total(outcome, "price", "client") == Decimal("2400.00")


def test_consumer_cancellation_within_retraction_period_is_a_retraction():
    outcome = run(training(**CONSUMER, events=[cancel("2026-01-10")]))
    assert total(outcome, "abandonment_fee", "client") == Decimal("0.00")
    assert lines(outcome, "price", "client")[0].rule == "RET-3"


def test_events_after_the_end_of_the_contract_are_ignored_and_reported():
    outcome = run(training(**CONSUMER, events=[abandon("20", "other"),
                                               {"type": "provider_stop", "on": "2026-03-10",
                                                "hours_attended": "20"}]))
    assert total(outcome, "abandonment_fee", "client") == Decimal("750.00")
    assert any("sans effet : le contrat a déjà pris fin" in w for w in outcome.warnings)
