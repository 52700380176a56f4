"""FUN-D1, FUN-L1, FUN-L2, FUN-L3, FUN-L4: who pays the price."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ofelia.rules.calendars import add_working_days, french_calendar
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
    # Monday start: a request on Sunday 1 March would still fit, but the deadline is the
    # latest *working* day that fits (FUN-L2): Friday 27 February.
    ("2026-03-30", date(2026, 2, 27)),
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


def _fun_l2(start: str, requested_on: str):
    return run(training(**{**LAPORTE, "start": start, "end": start},
                        funding=[{"payer": "cpf", "rights": "500.00", "exempt": False},
                                 {"payer": "france_travail", "requested_on": requested_on}]),
               "laporte")


def _meets_fun_l2(day: date, start: date) -> bool:
    """FUN-L2's own words: the request day plus 21 working days does not fall after the first day."""
    return add_working_days(day, 21, french_calendar("national")) <= start


@pytest.mark.parametrize(("start", "latest"), [
    # Saturday 28 March 2026: the 21st working day after Friday 27 February is Monday
    # 30 March, after the start; after Thursday 26 February it is Friday 27 March.
    ("2026-03-28", date(2026, 2, 26)),
    ("2026-03-29", date(2026, 2, 26)),  # Sunday: the same
])
def test_fun_l2_first_day_on_a_weekend(start, latest):
    outcome = _fun_l2(start, latest.isoformat())
    assert outcome.deadlines["france_travail_request_by"] == latest
    assert _meets_fun_l2(latest, date.fromisoformat(start))
    assert not _meets_fun_l2(latest + timedelta(days=1), date.fromisoformat(start))
    assert not any("après la date limite" in w for w in outcome.warnings)
    late = _fun_l2(start, (latest + timedelta(days=1)).isoformat())
    assert any("après la date limite du 26 février 2026" in w for w in late.warnings)


def test_fun_l2_first_day_on_a_holiday():
    # Easter Monday 6 April 2026: counted back from Friday 3 April, the request must be
    # made by Thursday 5 March (5 March + 21 working days = 3 April; 6 March + 21 = 7 April).
    outcome = _fun_l2("2026-04-06", "2026-03-05")
    assert outcome.deadlines["france_travail_request_by"] == date(2026, 3, 5)
    assert _meets_fun_l2(date(2026, 3, 5), date(2026, 4, 6))
    assert not _meets_fun_l2(date(2026, 3, 6), date(2026, 4, 6))
    assert any("après la date limite" in w for w in _fun_l2("2026-04-06", "2026-03-06").warnings)


@pytest.mark.parametrize(("start", "latest"), [
    ("2026-03-30", date(2026, 2, 27)),  # a Sunday request would fit: the Friday is the deadline
    ("2026-04-13", date(2026, 3, 12)),  # the week before holds Easter Monday: one day earlier
])
def test_fun_l2_first_day_on_a_monday(start, latest):
    outcome = _fun_l2(start, latest.isoformat())
    assert outcome.deadlines["france_travail_request_by"] == latest
    assert _meets_fun_l2(latest, date.fromisoformat(start))
    assert not _meets_fun_l2(_next_working_day(latest), date.fromisoformat(start))


def _next_working_day(day: date) -> date:
    return add_working_days(day, 1, french_calendar("national"))


def test_fun_l2_deadline_is_the_latest_working_day_meeting_the_rule_for_every_first_day_of_2026():
    cal = french_calendar("national")
    start = date(2026, 1, 1)
    while start.year == 2026:
        day = _fun_l2(start.isoformat(), start.isoformat()).deadlines["france_travail_request_by"]
        assert isinstance(day, date)
        assert cal.is_working_day(day), start
        assert _meets_fun_l2(day, start), start
        assert not _meets_fun_l2(_next_working_day(day), start), start
        start += timedelta(days=1)
