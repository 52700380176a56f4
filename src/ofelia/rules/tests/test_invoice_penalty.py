"""The one penalty computation of an invoice (PEN-1 with the PEN clause), and PAY-L1
instalment schedules: a later instalment not yet due is not late."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ofelia.rules.policy import Clause
from ofelia.rules.tests.test_training_helpers import LEGAL, shipped
from ofelia.rules.training_penalties import (
    InvoicePenalty,
    amount_overdue,
    instalment_schedule,
    invoice_penalty,
    oldest_unpaid_due,
    penalty_explanation,
)


def _clause(rule: str) -> Clause:
    clause = shipped("dixneuf").clause(rule)
    assert clause is not None
    return clause


D2 = _clause("PEN-D2")
D1 = _clause("PEN-D1")
ISSUED = date(2026, 1, 15)
DUE = date(2026, 2, 14)


def test_pay_l1_schedule_equal_monthly_parts_cents_on_the_first():
    assert instalment_schedule(Decimal("1000.00"), 3, date(2026, 1, 31)) == (
        (date(2026, 1, 31), Decimal("333.34")), (date(2026, 2, 28), Decimal("333.33")),
        (date(2026, 3, 31), Decimal("333.33")))


def test_pen_1_paid_on_the_due_date_is_not_late():
    assert invoice_penalty(amount=Decimal("1000.00"), issued_on=ISSUED, due_on=DUE,
                           payments=[(DUE, Decimal("1000.00"))], as_of=date(2026, 4, 1),
                           clause=D2, debtor="professional", legal=LEGAL) is None


def test_pen_1_partial_payment_lowers_the_base_from_the_next_day():
    p = invoice_penalty(amount=Decimal("1000.00"), issued_on=ISSUED, due_on=DUE,
                        payments=[(date(2026, 3, 16), Decimal("500.00")), (date(2026, 2, 24), Decimal("500.00"))],
                        as_of=date(2026, 4, 1), clause=D2, debtor="professional", legal=LEGAL)
    assert p is not None and p.paid and p.end == date(2026, 3, 16)
    # payments given out of order are sorted: 1000 × 10 days + 500 × 20 days at 7.86 %
    assert (p.days_late, p.interest, p.recovery_fee) == (30, Decimal("4.30"), Decimal("40.00"))
    assert [i.amount for i in p.pieces] == [Decimal("2.15"), Decimal("2.15")]


def _d1_unpaid(as_of: date) -> InvoicePenalty | None:
    return invoice_penalty(amount=Decimal("1000.00"), issued_on=ISSUED, due_on=ISSUED, payments=(),
                           as_of=as_of, clause=D1, debtor="consumer", legal=LEGAL)


def test_pen_d1_within_the_grace_period_nothing_then_from_the_invoice_day_no_fee():
    inside = _d1_unpaid(date(2026, 2, 14))  # 30 days after the invoice
    assert inside is not None and inside.within_grace and inside.interest == 0
    assert "pas de pénalité avant 30 jours" in penalty_explanation(inside, invoice="F-1",
                                                                   amount=Decimal("1000.00"), where="art. 3")
    after = _d1_unpaid(date(2026, 2, 15))
    assert after is not None and (after.days_late, after.interest, after.recovery_fee) == (
        31, Decimal("2.23"), Decimal("0.00"))


def test_pay_l1_later_instalments_not_yet_due_are_not_late():
    schedule = instalment_schedule(Decimal("1200.00"), 3, ISSUED)
    first_paid = [(ISSUED, Decimal("400.00"))]
    assert amount_overdue(schedule, first_paid, date(2026, 2, 15)) == 0
    assert oldest_unpaid_due(schedule, first_paid, date(2026, 2, 15)) is None
    assert invoice_penalty(amount=Decimal("1200.00"), issued_on=ISSUED, due_on=ISSUED,
                           payments=first_paid, as_of=date(2026, 2, 15), clause=D2,
                           debtor="professional", legal=LEGAL, instalments=schedule) is None


def test_pay_l1_unpaid_second_instalment_late_from_its_own_due_date_on_its_amount_only():
    schedule = instalment_schedule(Decimal("1200.00"), 3, ISSUED)  # 15/01, 15/02, 15/03
    first_paid = [(ISSUED, Decimal("400.00"))]
    assert amount_overdue(schedule, first_paid, date(2026, 3, 7)) == Decimal("400.00")
    assert oldest_unpaid_due(schedule, first_paid, date(2026, 3, 7)) == date(2026, 2, 15)
    p = invoice_penalty(amount=Decimal("1200.00"), issued_on=ISSUED, due_on=ISSUED,
                        payments=first_paid, as_of=date(2026, 3, 25), clause=D2,
                        debtor="professional", legal=LEGAL, instalments=schedule)
    assert p is not None and p.start == date(2026, 2, 15)
    # 400 € × 28 days, then 800 € × 10 days once the third is due too, at 3 × 2.62 %
    assert p.days_late == 38
    assert p.interest == Decimal("2.41") + Decimal("1.72")
    text = penalty_explanation(p, invoice="F-1", amount=Decimal("1200.00"), where="art. 3")
    assert "depuis le lendemain de l'échéance du 15 février 2026" in text
