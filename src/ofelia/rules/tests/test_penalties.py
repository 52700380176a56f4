from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ofelia.policies.legal import read_legal_data
from ofelia.rules.errors import MissingLegalData
from ofelia.rules.legal import parse_legal_data
from ofelia.rules.penalties import describe_interest, fmt_rate, late_interest

RATES = """half_year,private_person,other,source
2025-H1,7.21,3.71,test
2025-H2,6.65,2.76,test
2026-H1,6.67,2.62,test
"""
LEGAL = parse_legal_data(legal_interest_rates=RATES)


def three_times_legal(d: date) -> Decimal:
    return 3 * LEGAL.legal_rate(d)


def test_pen_1_worked_case_2400_due_14_feb_paid_15_april_at_3_times_legal_rate() -> None:
    interest = late_interest("2400.00", date(2026, 2, 14), date(2026, 4, 15), three_times_legal)
    assert interest.days == 60
    assert interest.amount == Decimal("31.01")
    (segment,) = interest.segments
    assert (segment.start, segment.end, segment.rate) == (
        date(2026, 2, 15), date(2026, 4, 15), Decimal("7.86"))


def test_pen_1_worked_case_with_the_shipped_legal_data() -> None:
    legal = read_legal_data(None)
    interest = late_interest("2400.00", date(2026, 2, 14), date(2026, 4, 15),
                             lambda d: 3 * legal.legal_rate(d))
    assert (interest.days, interest.amount) == (60, Decimal("31.01"))


def test_pen_1_paid_on_or_before_the_due_date_owes_nothing() -> None:
    on_time = late_interest("2400.00", date(2026, 2, 14), date(2026, 2, 14), three_times_legal)
    assert (on_time.days, on_time.amount, on_time.segments) == (0, Decimal("0.00"), ())
    early = late_interest("2400.00", date(2026, 2, 14), date(2026, 2, 1), three_times_legal)
    assert early.days == 0


def test_pen_1_one_day_late_is_the_day_after_the_due_date() -> None:
    interest = late_interest("36500.00", date(2026, 2, 14), date(2026, 2, 15), lambda d: Decimal(1))
    assert interest.days == 1
    assert interest.amount == Decimal("1.00")


def test_pen_1_split_by_half_year_uses_each_half_years_rate() -> None:
    # Due 15 Dec 2025, paid 10 Jan 2026: 16 days of 2025-H2 then 10 days of 2026-H1.
    interest = late_interest("10000.00", date(2025, 12, 15), date(2026, 1, 10), three_times_legal)
    assert interest.days == 26
    first, second = interest.segments
    assert (first.start, first.end, first.days, first.rate) == (
        date(2025, 12, 16), date(2025, 12, 31), 16, Decimal("8.28"))
    assert (second.start, second.end, second.days, second.rate) == (
        date(2026, 1, 1), date(2026, 1, 10), 10, Decimal("7.86"))
    assert first.amount == Decimal("36.30")  # 10000 × 16 × 8.28 / 36500 = 36.2958…
    assert second.amount == Decimal("21.53")  # 10000 × 10 × 7.86 / 36500 = 21.534…
    assert interest.amount == Decimal("57.83")


def test_pen_1_boundary_30_june_1_july() -> None:
    interest = late_interest("1000.00", date(2025, 6, 29), date(2025, 7, 1), three_times_legal)
    assert [(s.start, s.days, s.rate) for s in interest.segments] == [
        (date(2025, 6, 30), 1, Decimal("11.13")), (date(2025, 7, 1), 1, Decimal("8.28"))]


def test_pen_1_a_missing_half_year_rate_is_an_error_not_a_guess() -> None:
    with pytest.raises(MissingLegalData, match="2026-H2"):
        late_interest("1000.00", date(2026, 6, 1), date(2026, 7, 2), three_times_legal)


def test_pen_1_refuses_negative_amounts_and_rates() -> None:
    with pytest.raises(ValueError):
        late_interest("-1", date(2026, 1, 1), date(2026, 2, 1), three_times_legal)
    with pytest.raises(ValueError):
        late_interest("1", date(2026, 1, 1), date(2026, 2, 1), lambda d: Decimal(-1))


def test_pen_1_explanation_lists_each_half_year() -> None:
    interest = late_interest("10000.00", date(2025, 12, 15), date(2026, 1, 10), three_times_legal)
    text = describe_interest(interest)
    assert "du 16 décembre 2025 au 31 décembre 2025, 16 jours à 8,28\u00a0% l'an : 36,30\u00a0€" in text
    assert "du 1er janvier 2026 au 10 janvier 2026, 10 jours à 7,86\u00a0% l'an" in text
    assert describe_interest(late_interest("1", date(2026, 1, 1), date(2026, 1, 1),
                                           three_times_legal)) == "aucun jour de retard"
    assert fmt_rate(Decimal("12.15")) == "12,15\u00a0%"
    assert fmt_rate(Decimal("10.00")) == "10\u00a0%"


amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
due_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 29))


@given(amount=amounts, due_on=due_dates, a=st.integers(0, 540), b=st.integers(0, 540))
def test_pen_1_split_period_total_equals_the_sum_of_its_parts(amount: Decimal, due_on: date, a: int, b: int) -> None:
    end = min(due_on + timedelta(days=a), date(2026, 6, 30))
    interest = late_interest(amount, due_on, end, three_times_legal)
    assert interest.amount == sum((s.amount for s in interest.segments), Decimal(0))
    assert interest.days == sum(s.days for s in interest.segments) == max(0, (end - due_on).days)
    # Segments tile the late period, each inside one half-year.
    for left, right in zip(interest.segments, interest.segments[1:], strict=False):
        assert right.start == left.end + timedelta(days=1)
        assert (left.end.month, left.end.day) in {(6, 30), (12, 31)}
    # Cutting at a half-year boundary gives two computations adding up to the whole.
    middle = min(due_on + timedelta(days=b), end)
    if interest.segments and (middle.month, middle.day) in {(6, 30), (12, 31)}:
        before = late_interest(amount, due_on, middle, three_times_legal)
        after = late_interest(amount, middle, end, three_times_legal)
        assert before.amount + after.amount == interest.amount


@given(amount=amounts, due_on=due_dates, cut=st.sampled_from(
    [date(2025, 6, 30), date(2025, 12, 31)]), tail=st.integers(1, 180))
def test_pen_1_cut_at_a_half_year_end_adds_up(amount: Decimal, due_on: date, cut: date, tail: int) -> None:
    if cut < due_on:
        return
    end = min(cut + timedelta(days=tail), date(2026, 6, 30))
    whole = late_interest(amount, due_on, end, three_times_legal)
    parts = (late_interest(amount, due_on, cut, three_times_legal).amount
             + late_interest(amount, cut, end, three_times_legal).amount)
    assert whole.amount == parts
