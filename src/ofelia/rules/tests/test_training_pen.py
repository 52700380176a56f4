"""PEN-1, PEN-2b, PEN-D1, PEN-D2, PEN-F1, PEN-V1 and PAY-* due dates of invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.rules.errors import MissingLegalData
from ofelia.rules.tests.test_training_helpers import run, training


def invoice(on: str, amount: str = "2400.00", payer: str = "client", id_: str = "F-1", **more):
    return {"type": "invoice", "id": id_, "on": on, "amount": amount, "payer": payer, **more}


def paid(on: str, amount: str = "2400.00", id_: str = "F-1"):
    return {"type": "payment", "invoice": id_, "on": on, "amount": amount}


def only_penalty(outcome):
    assert len(outcome.penalties) == 1
    return outcome.penalties[0]


def test_pen_d2_three_times_legal_rate_plus_40_euros_over_60_days():
    outcome = run(training(start="2026-01-12", end="2026-01-14",
                           events=[invoice("2026-01-15"), paid("2026-04-15")]),
                  as_of=date(2026, 4, 20))
    assert outcome.deadlines["payment_due"] == {"F-1": date(2026, 2, 14)}
    p = only_penalty(outcome)
    assert (p.days_late, p.interest, p.recovery_fee, p.rule) == (60, Decimal("31.01"), Decimal("40.00"), "PEN-D2")
    assert "(CGV Partie 2, art. 3)" in p.explanation


def test_pay_d2_paid_on_the_30th_day_is_on_time():
    outcome = run(training(events=[invoice("2026-01-15"), paid("2026-02-14")]))
    assert outcome.penalties == ()


def test_pen_1_days_across_a_half_year_change_use_each_half_year_rate():
    # due 31 May 2025: 30 days of June at 3 × 3.71, 30 days of July at 3 × 2.76
    outcome = run(training(signed_on="2025-03-01", start="2025-04-01", end="2025-04-02",
                           events=[invoice("2025-05-01", "1000.00"), paid("2025-07-30", "1000.00")]),
                  as_of=date(2025, 8, 1))
    p = only_penalty(outcome)
    assert p.days_late == 60
    assert p.interest == Decimal("9.15") + Decimal("6.81")


def test_pen_1_partial_payment_accrues_on_the_unpaid_part_only():
    outcome = run(training(events=[invoice("2026-01-15", "1000.00"), paid("2026-02-24", "500.00"),
                                   paid("2026-03-16", "500.00")]))
    p = only_penalty(outcome)
    # 1000 × 10 days + 500 × 20 days at 7.86 %: 2.15 + 2.15
    assert (p.days_late, p.interest) == (30, Decimal("4.30"))


def test_pen_d2_unpaid_invoice_runs_to_as_of_and_opens_recourse_dates():
    outcome = run(training(events=[invoice("2026-01-15"), {"type": "formal_notice", "invoice": "F-1",
                                                           "on": "2026-03-01"}]),
                  as_of=date(2026, 4, 1))
    p = only_penalty(outcome)
    assert p.days_late == (date(2026, 4, 1) - date(2026, 2, 14)).days
    assert outcome.deadlines["formal_notice_from"] == {"F-1": date(2026, 2, 15)}
    # not paid within 60 days of the invoice, and a formal notice was sent
    assert outcome.deadlines["order_to_pay_from"] == {"F-1": date(2026, 3, 17)}


def test_pen_missing_legal_rate_is_an_error_never_a_guess():
    with pytest.raises(MissingLegalData, match="2026-H2"):
        run(training(events=[invoice("2026-06-01")]), as_of=date(2026, 8, 15))


CONSUMER = {"client": "consumer", "signed_on": "2025-11-02", "start": "2025-12-01", "end": "2026-01-10"}


@pytest.mark.parametrize(("paid_on", "days", "interest"), [
    ("2026-02-14", 0, "0.00"),   # 30 days after the invoice: nothing
    ("2026-02-15", 31, "2.23"),  # 31 days: every day from the day after the invoice
])
def test_pen_d1_consumer_nothing_until_30_days_then_from_the_day_after_the_invoice(paid_on, days, interest):
    outcome = run(training(**CONSUMER, events=[invoice("2026-01-15", "1000.00"),
                                               paid(paid_on, "1000.00")]))
    p = only_penalty(outcome)
    assert (p.rule, p.days_late, p.interest) == ("PEN-D1", days, Decimal(interest))
    # PEN-2b: a consumer never owes the recovery fee
    assert p.recovery_fee == Decimal("0.00")
    assert outcome.deadlines["payment_due"] == {"F-1": date(2026, 1, 15)}


def test_pen_f1_stacks_ecb_plus_10_and_three_times_legal_plus_40():
    outcome = run(training(format="service", signed_on="2025-12-01", start="2026-01-10",
                           end="2026-01-10", vat_rate="20",
                           events=[invoice("2026-01-10", "1200.00"), paid("2026-02-09", "1200.00")]),
                  "formagogy")
    p = only_penalty(outcome)
    # 30 days at (2.15 + 10) + 3 × 2.62 = 20.01 % on the amount incl. VAT
    assert (p.rule, p.days_late, p.interest, p.recovery_fee) == ("PEN-F1", 30, Decimal("19.74"), Decimal("40.00"))


def test_pen_v1_ecb_plus_10_and_suspension_8_days_after_the_notice():
    outcome = run(training(signed_on="2026-02-01", start="2026-02-02", end="2026-02-27",
                           events=[invoice("2026-03-02", "1000.00"),
                                   {"type": "formal_notice", "invoice": "F-1", "on": "2026-03-10"}]),
                  "virtualeo", as_of=date(2026, 3, 31))
    p = only_penalty(outcome)
    assert (p.rule, p.days_late, p.interest, p.recovery_fee) == ("PEN-V1", 29, Decimal("9.65"), Decimal("40.00"))
    assert outcome.deadlines["payment_due"] == {"F-1": date(2026, 3, 2)}
    # Notice on 10 March: the 8 calendar days are 11–18 March (CAL-3, the day of the notice
    # does not count); still without effect at the end of the 18th, suspension from the 19th.
    assert outcome.deadlines["suspension_from"] == {"F-1": date(2026, 3, 19)}


def test_pay_v1_payable_on_receipt_paid_the_same_day_owes_nothing_one_day_later_is_late():
    on_time = run(training(signed_on="2026-02-01", start="2026-02-02", end="2026-02-27",
                           events=[invoice("2026-03-02", "1000.00"), paid("2026-03-02", "1000.00")]),
                  "virtualeo", as_of=date(2026, 3, 31))
    assert on_time.deadlines["payment_due"] == {"F-1": date(2026, 3, 2)}
    assert on_time.penalties == ()
    assert "dès réception" in on_time.deadline_reasons["payment_due"][1]
    assert on_time.deadline_reasons["payment_due"][0] == "PAY-V1"
    late = run(training(signed_on="2026-02-01", start="2026-02-02", end="2026-02-27",
                        events=[invoice("2026-03-02", "1000.00"), paid("2026-03-03", "1000.00")]),
               "virtualeo", as_of=date(2026, 3, 31))
    assert only_penalty(late).days_late == 1


def test_invoice_own_due_date_wins_over_the_policy_term():
    outcome = run(training(events=[invoice("2026-01-15", due_on="2026-03-31"), paid("2026-03-31")]))
    assert outcome.deadlines["payment_due"] == {"F-1": date(2026, 3, 31)}
    assert outcome.penalties == ()


def test_pen_2b_recovery_fee_once_per_late_invoice():
    outcome = run(training(events=[invoice("2026-01-15", "1200.00"), invoice("2026-01-20", "1200.00", id_="F-2"),
                                   paid("2026-03-01", "600.00"), paid("2026-03-20", "600.00"),
                                   paid("2026-03-01", "1200.00", "F-2")]))
    assert [(p.invoice, p.recovery_fee) for p in outcome.penalties] == [
        ("F-1", Decimal("40.00")), ("F-2", Decimal("40.00"))]


# --- L441-10: terms silent on late payment -------------------------------------------------

def _laporte_opco_and_learner(as_of: date):
    case = training(client="consumer", format="elearning", signed_on="2026-02-10",
                    start="2026-02-13", end="2026-02-13", price="1999.00",
                    funding=[{"payer": "opco", "amount": "1000.00"}],
                    events=[invoice("2026-03-01", "1000.00", payer="opco", id_="F-OPCO"),
                            invoice("2026-03-01", "999.00", payer="learner", id_="F-L")])
    return run(case, "laporte", as_of=as_of)


def test_l441_10_professional_debtor_owes_ecb_plus_10_and_40_euros_when_terms_are_silent():
    outcome = _laporte_opco_and_learner(date(2026, 6, 30))
    p = only_penalty(outcome)  # the learner's invoice: a consumer owes what the terms say, nothing
    assert (p.invoice, p.rule, p.days_late, p.recovery_fee) == ("F-OPCO", "L441-10", 121, Decimal("40.00"))
    # payable on receipt (1 March): 2 March to 30 June at ECB 2.15 % + 10 points
    assert p.interest == Decimal("40.28")
    assert "(Code de commerce, art. L441-10 et D441-5)" in p.explanation
    assert any("F-L" in w and "F-OPCO" not in w for w in outcome.warnings)
    assert "formal_notice_from" not in outcome.deadlines  # the statute sets no notice dates


def test_l441_10_paid_on_its_due_date_owes_nothing():
    case = training(client="consumer", format="elearning", signed_on="2026-02-10",
                    start="2026-02-13", end="2026-02-13", price="1999.00",
                    funding=[{"payer": "opco", "amount": "1000.00"}],
                    events=[invoice("2026-03-01", "1000.00", payer="opco", id_="F-OPCO"),
                            paid("2026-03-01", "1000.00", id_="F-OPCO")])
    outcome = run(case, "laporte", as_of=date(2026, 6, 30))
    assert outcome.penalties == () and outcome.warnings == ()


def test_l441_10_does_not_replace_a_clause_of_the_terms():
    outcome = run(training(events=[invoice("2026-01-15"), paid("2026-04-15")]), as_of=date(2026, 4, 20))
    assert only_penalty(outcome).rule == "PEN-D2"
