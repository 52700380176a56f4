from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofelia.rules.calendars import (
    BusinessHours,
    Calendar,
    add_business_time,
    add_months,
    add_working_days,
    add_years,
    business_time_between,
    french_calendar,
    jours_francs_between,
    latest_act_day,
    legal_period_end,
    working_days_between,
)

PARIS = ZoneInfo("Europe/Paris")
NATIONAL = french_calendar()
ALSACE = french_calendar("alsace-moselle")


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


# --- calendar ---------------------------------------------------------------------------


def test_cal_4_national_holidays_2026_are_the_eleven_of_l3133_1() -> None:
    days = [date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8),
            date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 14), date(2026, 8, 15),
            date(2026, 11, 1), date(2026, 11, 11), date(2026, 12, 25)]
    assert all(NATIONAL.is_holiday(d) for d in days)
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    all_days = (first + timedelta(n) for n in range((last - first).days + 1))
    assert sum(NATIONAL.is_holiday(d) for d in all_days) == 11


def test_cal_4_alsace_moselle_adds_good_friday_and_26_december() -> None:
    # The package's old "GES" code silently returned national days only: guard against it.
    assert ALSACE.is_holiday(date(2026, 4, 3))
    assert ALSACE.is_holiday(date(2026, 12, 26))
    assert not NATIONAL.is_holiday(date(2026, 4, 3))
    assert not NATIONAL.is_holiday(date(2026, 12, 26))
    assert ALSACE.is_holiday(date(2026, 5, 1))


def test_cal_4_working_days_exclude_weekends_and_holidays() -> None:
    assert NATIONAL.is_working_day(date(2026, 3, 6))  # Friday
    assert not NATIONAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not NATIONAL.is_working_day(date(2026, 3, 8))  # Sunday
    assert not NATIONAL.is_working_day(date(2026, 5, 1))
    assert NATIONAL.is_working_day(date(2026, 4, 3))
    assert not ALSACE.is_working_day(date(2026, 4, 3))


def test_french_calendar_is_cached_and_rejects_unknown_regions() -> None:
    assert french_calendar() is french_calendar("national")
    assert NATIONAL == Calendar()
    with pytest.raises(ValueError):
        Calendar(region="bretagne")  # type: ignore[arg-type]


# --- CAL-1, CAL-2 -----------------------------------------------------------------------


def test_cal_1_jours_francs_exclude_the_act_day_and_the_start_day() -> None:
    start = date(2026, 3, 16)
    assert jours_francs_between(date(2026, 3, 6), start) == 9
    assert jours_francs_between(date(2026, 3, 15), start) == 0
    assert jours_francs_between(date(2026, 3, 16), start) == -1
    assert jours_francs_between(date(2026, 2, 13), start) == 30
    assert jours_francs_between(date(2026, 2, 12), start) == 31


def test_cal_2_latest_act_day_is_start_minus_n_plus_one() -> None:
    start = date(2026, 3, 16)
    assert latest_act_day(start, 10) == date(2026, 3, 5)
    assert jours_francs_between(latest_act_day(start, 10), start) == 10
    assert latest_act_day(start, 0) == date(2026, 3, 15)
    with pytest.raises(ValueError):
        latest_act_day(start, -1)


@given(act=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       n=st.integers(min_value=0, max_value=400))
def test_cal_1_cal_2_latest_act_day_leaves_exactly_n_jours_francs(act: date, n: int) -> None:
    start = act + timedelta(days=n + 1)
    assert latest_act_day(start, n) == act
    assert jours_francs_between(act, start) == n


# --- CAL-3 ------------------------------------------------------------------------------


def test_cal_3_period_ending_on_a_working_day_is_not_moved() -> None:
    # Signed Monday 12 Jan 2026 + 10 days = Thursday 22 Jan.
    assert legal_period_end(date(2026, 1, 12), 10, NATIONAL) == date(2026, 1, 22)


def test_cal_3_period_ending_saturday_or_sunday_moves_to_monday() -> None:
    assert legal_period_end(date(2026, 1, 7), 10, NATIONAL) == date(2026, 1, 19)  # Sat 17
    assert legal_period_end(date(2026, 1, 8), 10, NATIONAL) == date(2026, 1, 19)  # Sun 18
    assert legal_period_end(date(2026, 1, 9), 10, NATIONAL) == date(2026, 1, 19)  # Mon 19


def test_cal_3_period_ending_on_1_may_moves_to_the_next_working_day() -> None:
    # 17 Apr 2026 + 14 = Fri 1 May (holiday) → Sat, Sun → Mon 4 May.
    assert legal_period_end(date(2026, 4, 17), 14, NATIONAL) == date(2026, 5, 4)


def test_cal_3_period_ending_on_easter_monday_moves_to_tuesday() -> None:
    # 23 Mar 2026 + 14 = Mon 6 Apr 2026 (Easter Monday) → Tue 7 Apr.
    assert legal_period_end(date(2026, 3, 23), 14, NATIONAL) == date(2026, 4, 7)


def test_cal_3_good_friday_extends_only_in_alsace_moselle() -> None:
    # 20 Mar 2026 + 14 = Fri 3 Apr (Good Friday).
    assert legal_period_end(date(2026, 3, 20), 14, NATIONAL) == date(2026, 4, 3)
    assert legal_period_end(date(2026, 3, 20), 14, ALSACE) == date(2026, 4, 7)


def test_cal_3_rejects_negative_periods() -> None:
    with pytest.raises(ValueError):
        legal_period_end(date(2026, 1, 1), -1, NATIONAL)


# --- CAL-4 ------------------------------------------------------------------------------


def test_cal_4_add_working_days_skips_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 3, 6), 1, NATIONAL) == date(2026, 3, 9)  # Fri → Mon
    assert add_working_days(date(2026, 3, 6), 0, NATIONAL) == date(2026, 3, 6)
    # Thu 30 Apr + 1: Fri 1 May is off → Mon 4 May.
    assert add_working_days(date(2026, 4, 30), 1, NATIONAL) == date(2026, 5, 4)
    # 21 working days from Mon 2 Mar 2026: no holiday in March → Tue 31 Mar.
    assert add_working_days(date(2026, 3, 2), 21, NATIONAL) == date(2026, 3, 31)
    assert add_working_days(date(2026, 3, 9), -1, NATIONAL) == date(2026, 3, 6)


def test_cal_4_working_days_between_counts_the_half_open_interval() -> None:
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9), NATIONAL) == 1
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 6), NATIONAL) == 0
    assert working_days_between(date(2026, 4, 27), date(2026, 5, 4), NATIONAL) == 4
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6), NATIONAL) == -1


@given(d=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       n=st.integers(min_value=-60, max_value=60))
def test_cal_4_working_days_between_inverts_add_working_days(d: date, n: int) -> None:
    assert working_days_between(d, add_working_days(d, n, NATIONAL), NATIONAL) == n


# --- CAL-5 ------------------------------------------------------------------------------


def test_cal_5_friday_1730_plus_15_minutes_is_1745() -> None:
    assert add_business_time(paris(2026, 3, 6, 17, 30), timedelta(minutes=15), NATIONAL) == \
        paris(2026, 3, 6, 17, 45)


def test_cal_5_friday_1730_plus_2_hours_is_monday_1000() -> None:
    result = add_business_time(paris(2026, 3, 6, 17, 30), timedelta(hours=2), NATIONAL)
    assert result == paris(2026, 3, 9, 10, 0)
    assert result.isoformat() == "2026-03-09T10:00:00+01:00"


def test_cal_5_friday_1730_plus_12_hours_is_tuesday_1030() -> None:
    assert add_business_time(paris(2026, 3, 6, 17, 30), timedelta(hours=12), NATIONAL) == \
        paris(2026, 3, 10, 10, 30)


def test_cal_5_deadline_exactly_at_closing_stays_at_closing() -> None:
    assert add_business_time(paris(2026, 3, 6, 17, 30), timedelta(minutes=30), NATIONAL) == \
        paris(2026, 3, 6, 18, 0)
    assert add_business_time(paris(2026, 3, 6, 17, 30), timedelta(minutes=31), NATIONAL) == \
        paris(2026, 3, 9, 8, 31)


def test_cal_5_start_outside_the_window_begins_at_the_next_window() -> None:
    fifteen = timedelta(minutes=15)
    assert add_business_time(paris(2026, 3, 6, 18, 0), fifteen, NATIONAL) == paris(2026, 3, 9, 8, 45)
    assert add_business_time(paris(2026, 3, 6, 7, 0), fifteen, NATIONAL) == paris(2026, 3, 6, 8, 45)
    assert add_business_time(paris(2026, 3, 7, 11, 0), fifteen, NATIONAL) == paris(2026, 3, 9, 8, 45)
    assert add_business_time(paris(2026, 3, 6, 8, 30), fifteen, NATIONAL) == paris(2026, 3, 6, 8, 45)


def test_cal_5_across_the_spring_dst_change() -> None:
    # Clocks go forward on Sunday 29 March 2026: Monday's window is in UTC+2.
    result = add_business_time(paris(2026, 3, 27, 17, 0), timedelta(hours=2), NATIONAL)
    assert result.isoformat() == "2026-03-30T09:30:00+02:00"


def test_cal_5_across_the_autumn_dst_change() -> None:
    result = add_business_time(paris(2026, 10, 23, 17, 0), timedelta(hours=2), NATIONAL)
    assert result.isoformat() == "2026-10-26T09:30:00+01:00"


def test_cal_5_across_a_holiday() -> None:
    # Thu 30 Apr 17:00 + 2 h: Fri 1 May off → Mon 4 May 09:30.
    assert add_business_time(paris(2026, 4, 30, 17, 0), timedelta(hours=2), NATIONAL) == \
        paris(2026, 5, 4, 9, 30)
    # Thu 2 Apr 17:00 + 2 h: Good Friday is worked nationally, off in Alsace-Moselle,
    # and Easter Monday is off everywhere.
    assert add_business_time(paris(2026, 4, 2, 17, 0), timedelta(hours=2), NATIONAL) == \
        paris(2026, 4, 3, 9, 30)
    assert add_business_time(paris(2026, 4, 2, 17, 0), timedelta(hours=2), ALSACE) == \
        paris(2026, 4, 7, 9, 30)


def test_cal_5_accepts_any_offset_and_answers_in_paris_time() -> None:
    start = datetime(2026, 3, 6, 16, 30, tzinfo=ZoneInfo("UTC"))  # 17:30 Paris
    result = add_business_time(start, timedelta(minutes=15), NATIONAL)
    assert result.isoformat() == "2026-03-06T17:45:00+01:00"


def test_cal_5_zero_duration_is_the_start_and_bad_inputs_are_refused() -> None:
    saturday = paris(2026, 3, 7, 11, 0)
    assert add_business_time(saturday, timedelta(0), NATIONAL) == saturday
    with pytest.raises(ValueError):
        add_business_time(saturday, timedelta(minutes=-1), NATIONAL)
    with pytest.raises(ValueError):
        add_business_time(datetime(2026, 3, 6, 17, 30), timedelta(hours=1), NATIONAL)


def test_cal_5_custom_business_hours() -> None:
    hours = BusinessHours(opens=time(9, 0), closes=time(17, 0))
    assert add_business_time(paris(2026, 3, 6, 16, 30), timedelta(hours=1), NATIONAL, hours) == \
        paris(2026, 3, 9, 9, 30)
    with pytest.raises(ValueError):
        BusinessHours(opens=time(18, 0), closes=time(8, 0))


def test_cal_5_business_time_between() -> None:
    assert business_time_between(paris(2026, 3, 6, 17, 30), paris(2026, 3, 9, 10, 0), NATIONAL) \
        == timedelta(hours=2)
    assert business_time_between(paris(2026, 3, 7, 9, 0), paris(2026, 3, 8, 9, 0), NATIONAL) \
        == timedelta(0)
    assert business_time_between(paris(2026, 3, 9, 10, 0), paris(2026, 3, 6, 17, 30), NATIONAL) \
        == -timedelta(hours=2)
    # A whole working week: five windows of 9 h 30.
    assert business_time_between(paris(2026, 3, 9), paris(2026, 3, 14), NATIONAL) == \
        timedelta(hours=47, minutes=30)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
    timezones=st.just(PARIS),
).map(lambda t: t.replace(fold=0))
# Whole minutes up to 80 h (more than a week of business time), plus odd seconds.
durations = st.builds(
    lambda m, s: timedelta(minutes=m, seconds=s),
    st.integers(min_value=0, max_value=80 * 60),
    st.sampled_from([0, 0, 0, 1, 59]),
)


@settings(max_examples=150, deadline=None)
@given(t=instants, a=durations, b=durations)
def test_cal_5_business_time_is_additive(t: datetime, a: timedelta, b: timedelta) -> None:
    assert add_business_time(add_business_time(t, a, NATIONAL), b, NATIONAL) == \
        add_business_time(t, a + b, NATIONAL)


@settings(max_examples=150, deadline=None)
@given(t=instants, a=durations, b=durations)
def test_cal_5_business_time_is_monotone_and_measured_back(t: datetime, a: timedelta, b: timedelta) -> None:
    small, large = sorted((a, b))
    assert add_business_time(t, small, NATIONAL) <= add_business_time(t, large, NATIONAL)
    assert business_time_between(t, add_business_time(t, a, NATIONAL), NATIONAL) == a


# --- CAL-6 ------------------------------------------------------------------------------


def test_cal_6_31_january_plus_one_month_is_the_end_of_february() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 30), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)


def test_cal_6_same_day_number_when_it_exists_and_across_years() -> None:
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), 0) == date(2026, 1, 15)


def test_cal_6_years_clamp_29_february() -> None:
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
    assert add_years(date(2026, 1, 15), 3) == date(2029, 1, 15)
