"""CAN-D1, CAN-D2, CAN-F1, CAN-F2, CAN-F3: cancellation by the client (CAL-1 jours francs)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofelia.rules.policy import parse_policy
from ofelia.rules.tests.test_training_helpers import cancel, lines, refund, run, total, training

START = date(2026, 3, 16)


def _jf_before(n: int) -> str:
    # CAL-1: n jours francs between act a and start s means a = s - (n + 1) days.
    return (START - timedelta(days=n + 1)).isoformat()


@pytest.mark.parametrize(("jours_francs", "fee"), [
    (31, "0.00"), (30, "600.00"), (20, "600.00"), (19, "1200.00"), (5, "1200.00"),
    (4, "1920.00"), (0, "1920.00"),
])
def test_can_d1_band_boundaries_31_30_20_19_5_4(jours_francs, fee):
    outcome = run(training(events=[cancel(_jf_before(jours_francs))]), as_of=date(2026, 3, 20))
    assert total(outcome, "cancellation_fee", "client") == Decimal(fee)
    line = lines(outcome, "cancellation_fee", "client")[0]
    assert line.rule == "CAN-D1" and line.vat == Decimal("0.00")
    assert "(CGV Partie 2, art. 4)" in line.explanation
    assert f"{jours_francs} jour" in line.explanation


def test_can_d1_fee_due_30_days_after_the_cancellation_pay_d2():
    outcome = run(training(events=[cancel("2026-03-06")]), as_of=date(2026, 3, 20))
    assert lines(outcome, "cancellation_fee", "client")[0].due_on == date(2026, 4, 5)


@pytest.mark.parametrize("reason", ["force_majeure", "legitimate"])
def test_can_d1_force_majeure_or_legitimate_reason_costs_nothing(reason):
    outcome = run(training(events=[cancel("2026-03-14", reason)]), as_of=date(2026, 3, 20))
    assert total(outcome, "cancellation_fee", "client") == Decimal("0.00")
    assert lines(outcome, "cancellation_fee", "client")


def test_can_d1_fee_charged_to_the_client_never_to_the_opco_even_with_vat():
    outcome = run(training(vat_rate="20", events=[cancel("2026-03-06")],
                           funding=[{"payer": "opco", "amount": "1500.00", "agreement_on": "2026-02-01"}]),
                  as_of=date(2026, 3, 20))
    assert total(outcome, "cancellation_fee", "client") == Decimal("1200.00")
    assert lines(outcome, "cancellation_fee", "client")[0].vat == Decimal("0.00")
    assert lines(outcome, "cancellation_fee", "opco")[0].amount == Decimal("0.00")
    assert lines(outcome, "price", "opco")[0].amount == Decimal("0.00")


def test_can_d1_does_not_apply_to_consumers_who_fall_under_abd_d2():
    # A consumer cancelling after the retraction period abandons before any hour (P1 art. 4).
    outcome = run(training(client="consumer", price="3000.00", hours="60",
                           events=[cancel("2026-03-06")]), as_of=date(2026, 3, 20))
    assert total(outcome, "cancellation_fee", "client") == Decimal("0.00")
    assert total(outcome, "abandonment_fee", "client") == Decimal("750.00")
    assert total(outcome, "prorata", "client") == Decimal("0.00")


def test_can_d2_professional_abandonment_owes_the_whole_price():
    outcome = run(training(events=[{"type": "abandonment", "on": "2026-03-17",
                                    "hours_attended": "7", "reason": "other"}]))
    assert total(outcome, "price", "client") == Decimal("2400.00")
    assert lines(outcome, "price", "client")[0].rule == "CAN-D2"


F_START = date(2026, 6, 15)


def _formagogy(days_before: int, reason: str = "other", fmt: str = "service"):
    on = (F_START - timedelta(days=days_before)).isoformat()
    return run(training(format=fmt, signed_on="2026-04-01", price="10000.00", vat_rate="20",
                        start="2026-06-15", end="2026-06-15", deposit="3000.00",
                        events=[cancel(on, reason)]), "formagogy", as_of=date(2026, 6, 20))


@pytest.mark.parametrize(("days_before", "fee", "back"), [
    (14, "10000.00", "0.00"), (15, "5000.00", "0.00"), (21, "5000.00", "0.00"),
    (30, "5000.00", "0.00"), (31, "3000.00", "0.00"), (90, "3000.00", "0.00"),
])
def test_can_f1_calendar_day_bands_14_15_30_31_deposit_counts_towards_the_fee(days_before, fee, back):
    outcome = _formagogy(days_before)
    assert total(outcome, "cancellation_fee", "client") == Decimal(fee)
    assert refund(outcome) == Decimal(back)
    assert lines(outcome, "cancellation_fee", "client")[0].rule == "CAN-F1"
    assert "(CGV, art. 2.3)" in lines(outcome, "cancellation_fee", "client")[0].explanation


def test_can_f1_force_majeure_refunds_the_deposit_with_its_vat():
    outcome = _formagogy(10, "force_majeure")
    assert total(outcome, "cancellation_fee", "client") == Decimal("0.00")
    assert refund(outcome) == Decimal("3600.00")


def test_can_f1_legitimate_reason_does_not_save_the_deposit():
    assert total(_formagogy(60, "legitimate"), "cancellation_fee", "client") == Decimal("3000.00")


def test_can_f1_products_owe_the_whole_price_once_the_quote_is_accepted():
    assert total(_formagogy(90, fmt="product"), "cancellation_fee", "client") == Decimal("10000.00")


def test_can_f2_long_service_cancelled_during_performance_owes_the_price_to_term():
    outcome = run(training(format="long_service", signed_on="2026-01-05", price="12000.00",
                           vat_rate="20", start="2026-02-01", end="2026-12-31",
                           events=[cancel("2026-05-10")]), "formagogy")
    line = lines(outcome, "cancellation_fee", "client")[0]
    assert (line.rule, line.amount, line.vat) == ("CAN-F2", Decimal("12000.00"), Decimal("2400.00"))


def test_can_f3_modification_request_by_five_days_before():
    outcome = run(training(signed_on="2026-04-01", start="2026-06-15", end="2026-06-15"), "formagogy")
    assert outcome.deadlines["modification_request_by"] == date(2026, 6, 10)
    assert outcome.deadline_reasons["modification_request_by"][0] == "CAN-F3"


OTHER_BANDS = """
[policy]
id = "autre"
version = "1"
effective_from = "2020-01-01"
organisation = "Autre organisme"
document = "CGV"

[rules.PAY-D2]
article = "CGV, art. 8"
summary = "Paiement à 45 jours."
invoice_due_days = 45

[rules.CAN-D1]
article = "CGV, art. 12"
summary = "Annulation : rien à 10 jours francs ou plus, tout le prix en deçà."
measure = "jours_francs"
bands = [{ min = 10, percent = "0" }, { max = 9, percent = "100" }]
"""


def test_can_d1_is_generic_another_policy_brings_its_own_bands_and_article():
    policy = parse_policy(OTHER_BANDS)
    at_10 = run(training(events=[cancel(_jf_before(10))]), policy)
    at_9 = run(training(vat_rate="20", events=[cancel(_jf_before(9))]), policy)
    assert total(at_10, "cancellation_fee", "client") == Decimal("0.00")
    line = lines(at_9, "cancellation_fee", "client")[0]
    assert line.amount == Decimal("2400.00") and "(CGV, art. 12)" in line.explanation
    # no `compensation` in this clause: the fee carries the contract's VAT
    assert line.vat == Decimal("480.00")
    # cancelled on 6 March, payable at 45 days under this policy's PAY-D2
    assert line.due_on == date(2026, 4, 20)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-3, max_value=60), st.sampled_from(["dixneuf", "formagogy"]))
def test_can_fee_never_decreases_as_notice_shrinks(days_before, policy_id):
    fmt = "inter" if policy_id == "dixneuf" else "service"

    def fee(k: int) -> Decimal:
        on = (START - timedelta(days=k)).isoformat()
        data = training(format=fmt, signed_on="2025-12-01", deposit="300.00", events=[cancel(on)])
        return total(run(data, policy_id, as_of=date(2026, 3, 20)), "cancellation_fee", "client")

    assert fee(days_before) >= fee(days_before + 1)
