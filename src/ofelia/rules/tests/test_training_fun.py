"""FUN-D1, FUN-L1, FUN-L2, FUN-L3, FUN-L4: who pays the price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.rules.errors import CaseError
from ofelia.rules.tests.test_training_helpers import lines, run, total, training


def opco(amount: str = "1500.00", agreement_on: str | None = None):
    return [{"payer": "opco", "amount": amount, "agreement_on": agreement_on}]


@pytest.mark.parametrize(("agreement_on", "as_of", "opco_pays", "client_pays"), [
    (None, date(2026, 3, 25), "0.00", "2400.00"),        # no agreement by day 8
    ("2026-03-25", date(2026, 3, 30), "0.00", "2400.00"),  # agreement too late
    ("2026-03-24", date(2026, 3, 30), "1500.00", "900.00"),  # on the 8th day: partial cover
    (None, date(2026, 3, 20), "1500.00", "900.00"),      # still awaited
])
def test_fun_d1_opco_agreement_by_the_8th_day_after_the_start(agreement_on, as_of, opco_pays, client_pays):
    outcome = run(training(funding=opco(agreement_on=agreement_on)), as_of=as_of)
    assert outcome.deadlines["opco_agreement_by"] == date(2026, 3, 24)
    assert total(outcome, "price", "opco") == Decimal(opco_pays)
    assert total(outcome, "price", "client") == Decimal(client_pays)
    assert lines(outcome, "price", "client")[0].rule == "FUN-D1"


def test_fun_d1_remainder_invoice_due_30_days_after_issue():
    outcome = run(training(funding=opco(agreement_on="2026-03-01"),
                           events=[{"type": "invoice", "id": "R-1", "on": "2026-03-20",
                                    "amount": "900.00", "payer": "client"}]), as_of=date(2026, 3, 25))
    assert outcome.deadlines["payment_due"] == {"R-1": date(2026, 4, 19)}


LAPORTE = {"client": "consumer", "format": "elearning", "at_distance": True, "price": "1490.00",
           "signed_on": "2026-03-01", "start": "2026-03-31", "end": "2026-03-31"}


@pytest.mark.parametrize(("rights", "exempt", "learner", "cpf"), [
    ("2000.00", False, "103.20", "1386.80"),
    ("1386.80", False, "103.20", "1386.80"),  # rights = price - P
    ("1386.79", False, "103.21", "1386.79"),  # one cent short
    ("800.00", False, "690.00", "800.00"),
    ("2000.00", True, "0.00", "1490.00"),
    ("1000.00", True, "490.00", "1000.00"),
])
def test_fun_l1_cpf_remaining_charge(rights, exempt, learner, cpf):
    outcome = run(training(**LAPORTE, funding=[{"payer": "cpf", "rights": rights, "exempt": exempt}]), "laporte")
    assert total(outcome, "remaining_charge", "learner") == Decimal(learner)
    assert total(outcome, "price", "cpf") == Decimal(cpf)
    assert lines(outcome, "remaining_charge", "learner")[0].rule == "FUN-L1"


def test_fun_l1_participation_is_the_one_in_force_at_signature():
    outcome = run(training(**{**LAPORTE, "signed_on": "2025-06-01", "start": "2025-07-01", "end": "2025-07-01"},
                           funding=[{"payer": "cpf", "rights": "5000.00", "exempt": False}]), "laporte")
    assert total(outcome, "remaining_charge", "learner") == Decimal("102.23")


def test_fun_l1_employer_top_up_exempts_the_participation():
    outcome = run(training(**LAPORTE, funding=[{"payer": "cpf", "rights": "1000.00", "exempt": False},
                                               {"payer": "employer", "amount": "300.00"}]), "laporte")
    assert total(outcome, "price", "employer") == Decimal("300.00")
    assert total(outcome, "remaining_charge", "learner") == Decimal("190.00")


@pytest.mark.parametrize(("start", "latest"), [
    ("2026-03-31", date(2026, 3, 2)),  # Tuesday start: Monday 2 March
    ("2026-03-30", date(2026, 3, 1)),  # Monday start: a request on Sunday 1 March still fits
])
def test_fun_l2_france_travail_request_21_working_days_before(start, latest):
    outcome = run(training(**{**LAPORTE, "start": start, "end": start},
                           funding=[{"payer": "cpf", "rights": "500.00", "exempt": False},
                                    {"payer": "france_travail", "requested_on": latest.isoformat()}]),
                  "laporte")
    assert outcome.deadlines["france_travail_request_by"] == latest
    assert not any("après la date limite" in w for w in outcome.warnings)
    late = run(training(**{**LAPORTE, "start": start, "end": start},
                        funding=[{"payer": "cpf", "rights": "500.00", "exempt": False},
                                 {"payer": "france_travail",
                                  "requested_on": date.fromordinal(latest.toordinal() + 1).isoformat()}]),
               "laporte")
    assert any("après la date limite" in w for w in late.warnings)


def test_fun_l3_opco_partial_cover_remainder_due_30_days_after_invoice():
    outcome = run(training(**LAPORTE, funding=opco("1000.00"),
                           events=[{"type": "invoice", "id": "R-1", "on": "2026-04-02",
                                    "amount": "490.00", "payer": "client"}]), "laporte")
    assert total(outcome, "price", "opco") == Decimal("1000.00")
    assert lines(outcome, "price", "client")[0].rule == "FUN-L3"
    assert outcome.deadlines["payment_due"] == {"R-1": date(2026, 5, 2)}


def test_fun_l4_faf_client_pays_everything_first():
    outcome = run(training(**LAPORTE, funding=[{"payer": "faf"}]), "laporte")
    assert total(outcome, "price", "client") == Decimal("1490.00")
    assert lines(outcome, "price", "client")[0].rule == "FUN-L4"
    assert any("FAF" in w for w in outcome.warnings)


def test_fun_l4_no_faf_on_a_cpf_funded_training():
    with pytest.raises(CaseError) as error:
        run(training(**LAPORTE, funding=[{"payer": "cpf", "rights": "500.00", "exempt": False},
                                         {"payer": "faf"}]), "laporte")
    assert error.value.rule == "FUN-L4" and error.value.path.startswith("funding[")


def test_fun_a_funder_the_policy_does_not_know_is_an_invalid_case():
    with pytest.raises(CaseError) as error:
        run(training(format="service", funding=opco()), "formagogy")
    assert error.value.path == "funding[0].payer"
