"""RET-1..RET-6 (CAL-3) and PAY-D1, PAY-F1, PAY-L1 (CAL-6) of training contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofelia.rules.errors import CaseError
from ofelia.rules.money import cents
from ofelia.rules.tests.test_training_helpers import lines, refund, run, total, training

CONSUMER = {"client": "consumer", "price": "3000.00", "hours": "60", "start": "2026-06-01",
            "end": "2026-06-30"}


@pytest.mark.parametrize(("signed_on", "ends"), [
    ("2026-03-02", date(2026, 3, 12)),  # Thursday
    ("2026-03-04", date(2026, 3, 16)),  # the 14th is a Saturday: Monday
    ("2026-04-21", date(2026, 5, 4)),   # 1 May is a holiday, then a weekend
])
def test_ret_1_ten_days_pushed_past_weekends_and_holidays(signed_on, ends):
    outcome = run(training(**CONSUMER, signed_on=signed_on))
    assert outcome.deadlines["retraction_ends"] == ends
    assert outcome.deadline_reasons["retraction_ends"][0] == "RET-1"
    assert outcome.deadlines["first_payment_from"] == date.fromordinal(ends.toordinal() + 1)


def test_ret_2_fourteen_days_at_distance():
    outcome = run(training(**CONSUMER, signed_on="2026-03-02", at_distance=True))
    assert outcome.deadlines["retraction_ends"] == date(2026, 3, 16)
    assert outcome.deadline_reasons["retraction_ends"][0] == "RET-2"


def test_ret_4_professionals_have_no_retraction():
    outcome = run(training(events=[{"type": "retraction", "on": "2026-01-13"}]))
    assert "retraction_ends" not in outcome.deadlines
    assert outcome.deadline_reasons["retraction_ends"][0] == "RET-4"
    assert total(outcome, "price", "client") == Decimal("2400.00")
    assert any("rétractation" in w for w in outcome.warnings)


@pytest.mark.parametrize(("on", "valid"), [("2026-03-12", True), ("2026-03-13", False)])
def test_ret_6_retraction_sent_on_the_last_day_counts(on, valid):
    outcome = run(training(**CONSUMER, signed_on="2026-03-02",
                           events=[{"type": "retraction", "on": on}]))
    assert (total(outcome, "price", "client") == Decimal("0.00")) is valid
    assert bool(outcome.warnings) is not valid


def test_ret_3_everything_paid_at_order_is_refunded_within_14_days():
    outcome = run(training(client="consumer", format="elearning", at_distance=True, price="1999.00",
                           signed_on="2026-02-10", start="2026-02-13", end="2026-02-13",
                           events=[{"type": "retraction", "on": "2026-02-20"}]), "laporte")
    assert refund(outcome) == Decimal("1999.00")
    assert outcome.refunds[0].rule == "RET-3" and outcome.refunds[0].due_by == date(2026, 3, 6)


def test_ret_3_refund_text_agrees_and_does_not_claim_a_payment_it_does_not_know():
    facts = dict(client="consumer", format="elearning", at_distance=True, price="1999.00",
                 signed_on="2026-02-10", start="2026-02-13", end="2026-02-13")
    assumed = run(training(**facts, events=[{"type": "retraction", "on": "2026-02-20"}]), "laporte")
    text = assumed.refunds[0].explanation
    assert "remboursement intégral des sommes dues à la commande (1\u00a0999,00\u00a0€)" in text
    assert "dans la mesure où elles ont été payées" in text and "(es)" not in text
    paid = run(training(**facts, events=[
        {"type": "invoice", "id": "F-1", "on": "2026-02-10", "amount": "1999.00", "payer": "client"},
        {"type": "payment", "invoice": "F-1", "on": "2026-02-10", "amount": "1999.00"},
        {"type": "retraction", "on": "2026-02-20"}]), "laporte")
    assert "remboursement intégral des paiements reçus (1\u00a0999,00\u00a0€)" in paid.refunds[0].explanation


def test_ret_3_only_the_instalments_already_taken_are_refunded():
    outcome = run(training(client="consumer", format="elearning", at_distance=True, price="1999.00",
                           signed_on="2026-02-10", start="2026-02-13", end="2026-02-13",
                           events=[{"type": "retraction", "on": "2026-02-20"}], instalments=4), "laporte")
    assert refund(outcome) == Decimal("499.75")


def test_ret_3_a_payment_before_the_end_of_the_period_is_reported():
    outcome = run(training(**CONSUMER, signed_on="2026-03-02",
                           events=[{"type": "invoice", "id": "F-1", "on": "2026-03-03",
                                    "amount": "900.00", "payer": "client"},
                                   {"type": "payment", "invoice": "F-1", "on": "2026-03-05",
                                    "amount": "900.00"}]))
    assert any("avant la fin du délai de rétractation" in w for w in outcome.warnings)


def test_pay_d1_first_payment_at_most_30_percent_after_retraction():
    outcome = run(training(**CONSUMER, signed_on="2026-03-02", deposit="900.00"))
    deposit = lines(outcome, "deposit", "client")[0]
    assert (deposit.amount, deposit.due_on, deposit.rule) == (Decimal("900.00"), date(2026, 3, 13), "PAY-D1")
    balance = lines(outcome, "price", "client")[0]
    assert (balance.amount, balance.due_on) == (Decimal("2100.00"), date(2026, 6, 30))
    assert outcome.warnings == ()
    over = run(training(**CONSUMER, signed_on="2026-03-02", deposit="900.01"))
    assert any("30" in w for w in over.warnings)


def test_pay_f1_thirty_percent_deposit_at_order_balance_on_delivery():
    outcome = run(training(format="service", signed_on="2026-04-01", price="10000.00", vat_rate="20",
                           start="2026-06-15", end="2026-06-15"), "formagogy")
    deposit = lines(outcome, "deposit", "client")[0]
    assert (deposit.amount, deposit.vat, deposit.due_on) == (Decimal("3000.00"), Decimal("600.00"), date(2026, 4, 1))
    balance = lines(outcome, "price", "client")[0]
    assert (balance.amount, balance.due_on) == (Decimal("7000.00"), date(2026, 6, 15))


LAPORTE = {"client": "consumer", "format": "elearning", "at_distance": True,
           "start": "2026-02-13", "end": "2026-02-13"}


def test_pay_l1_threshold_999_99_refused_1000_00_accepted():
    with pytest.raises(CaseError) as refused:
        run(training(**LAPORTE, signed_on="2026-02-10", price="999.99", instalments=3), "laporte")
    assert refused.value.path == "instalments" and refused.value.rule == "PAY-L1"
    outcome = run(training(**LAPORTE, signed_on="2026-02-10", price="1000.00", instalments=3), "laporte")
    assert [c.amount for c in lines(outcome, "instalment", "client")] == [
        Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]


def test_pay_l1_policy_without_instalments_refuses_them():
    with pytest.raises(CaseError, match="PAY-L1"):
        run(training(price="5000.00", instalments=3))


def test_pay_l1_cal_6_same_day_each_month_or_the_last_day():
    outcome = run(training(**LAPORTE, signed_on="2026-01-31", price="1500.00", instalments=4), "laporte")
    assert [i["due_on"] for i in outcome.extra["instalments"]] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=100_000, max_value=5_000_000), st.sampled_from([3, 4]),
       st.sampled_from(["0", "5.5", "20"]))
def test_pay_l1_instalments_always_sum_to_the_price(price_cents, count, vat):
    price = Decimal(price_cents) / 100
    outcome = run(training(**LAPORTE, signed_on="2026-02-10", price=f"{price:.2f}", vat_rate=vat,
                           instalments=count), "laporte")
    paid = cents(price + price * Decimal(vat) / 100)
    listed = [Decimal(i["amount"]) for i in outcome.extra["instalments"]]
    assert sum(listed) == paid and len(listed) == count
    assert max(listed) - min(listed) <= Decimal("0.01") * count and listed[0] == max(listed)
    assert sum(c.amount + c.vat for c in lines(outcome, "instalment", "client")) == paid
