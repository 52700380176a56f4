"""The one penalty computation of an invoice (PEN-1 with the PEN clause), and PAY-L1
instalment schedules: a later instalment not yet due is not late."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import ofelia.policies
from ofelia.rules.outcome import Outcome
from ofelia.rules.policy import Clause, Policy, parse_policy
from ofelia.rules.tests.test_training_helpers import LEGAL, run, shipped, training
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


# LA PORTE's terms (PAY-L1: 3 or 4 instalments) with a late-penalty clause added, to see
# the simulation of a training case count only the instalments already due.
PEN_TABLE = """
[rules.PEN-D2]
article = "CGV, art. 6 bis"
summary = "Tout retard : intérêts à 3 fois le taux légal et indemnité de 40 €."
rates = [{ base = "legal", multiplier = "3" }]
recovery_fee = true
count_from = "due_date"
formal_notice_required = true
"""


def _laporte_with_penalties() -> Policy:
    source = Path(ofelia.policies.__file__).parent / "laporte" / "2024.07.29.toml"
    return parse_policy(source.read_text(encoding="utf-8") + PEN_TABLE)


def _three_times(as_of: date, payments: list[dict[str, str]]) -> Outcome:
    case = training(signed_on="2026-01-15", start="2026-04-01", end="2026-04-03", price="1200.00",
                    instalments=3,
                    events=[{"type": "invoice", "id": "F-1", "on": "2026-01-15", "amount": "1200.00",
                             "payer": "client"}, *payments])
    return run(case, _laporte_with_penalties(), as_of=as_of)


FIRST_PAID = [{"type": "payment", "invoice": "F-1", "on": "2026-01-15", "amount": "400.00"}]


def test_pay_l1_simulation_later_instalments_not_due_no_penalty_no_recourse():
    outcome = _three_times(date(2026, 2, 15), FIRST_PAID)  # the 2nd falls due that day
    assert outcome.penalties == ()
    assert "formal_notice_from" not in outcome.deadlines


def test_pay_l1_simulation_unpaid_second_instalment_same_figures_as_invoice_penalty():
    outcome = _three_times(date(2026, 3, 1), FIRST_PAID)
    [p] = outcome.penalties
    # 400 € × 14 days (16/02–01/03) at 3 × 2.62 %: 400 × 14 × 7.86 / 36 500 = 1.21
    assert (p.rule, p.days_late, p.interest, p.recovery_fee) == ("PEN-D2", 14, Decimal("1.21"), Decimal("40.00"))
    assert outcome.deadlines["formal_notice_from"] == {"F-1": date(2026, 2, 16)}
    clause = _laporte_with_penalties().clause("PEN-D2")
    assert clause is not None
    direct = invoice_penalty(
        amount=Decimal("1200.00"), issued_on=date(2026, 1, 15), due_on=date(2026, 1, 15),
        payments=[(date(2026, 1, 15), Decimal("400.00"))], as_of=date(2026, 3, 1), clause=clause,
        debtor="professional", legal=LEGAL,
        instalments=instalment_schedule(Decimal("1200.00"), 3, date(2026, 1, 15)))
    assert direct is not None
    assert (direct.days_late, direct.interest, direct.recovery_fee) == (p.days_late, p.interest, p.recovery_fee)
