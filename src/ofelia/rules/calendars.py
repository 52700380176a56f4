"""Counting time the way the terms and French law do (RULES.md CAL-1 … CAL-6).

Dates are calendar dates in Europe/Paris; instants are timezone-aware. Public holidays
come from the `holidays` package (computed, no I/O), cached per (region, year).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import importlib.util
import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

Region = Literal["national", "alsace-moselle"]
REGIONS: tuple[Region, ...] = ("national", "alsace-moselle")
PARIS = ZoneInfo("Europe/Paris")

# Alsace-Moselle adds Good Friday and 26 December (Code du travail L3134-13). The
# package knows it as subdivision "57" (Moselle; "6AE" Alsace has the same days); the old
# code "GES" silently yields the national days only, so it must never be used.
_SUBDIVISION: dict[str, str | None] = {"national": None, "alsace-moselle": "57"}


@lru_cache(maxsize=1)
def _france_holidays() -> Any:
    """The `holidays` class of France, loaded on first use and alone.

    `import holidays.countries.france` first runs `holidays.countries/__init__`, which
    imports every country of the package (about 250 modules, a few hundred ms at each start
    of `ofelia simulate`). France's module only needs the package's base classes, so it is
    loaded from its file under a private name; a process that already imported it the
    ordinary way reuses that module.
    """
    loaded = sys.modules.get("holidays.countries.france")
    if loaded is not None:
        return loaded.France
    import holidays  # the package itself loads countries lazily

    path = Path(holidays.__file__).parent / "countries" / "france.py"
    spec = importlib.util.spec_from_file_location("ofelia_rules_holidays_france", path)
    if spec is None or spec.loader is None:  # a packaging we do not know: the usual way
        from holidays.countries.france import France

        return France
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.France


@lru_cache(maxsize=256)
def _holidays_of(region: str, year: int) -> frozenset[date]:
    table = _france_holidays()(subdiv=_SUBDIVISION[region], years=year)
    return frozenset(d for d in table if d.year == year)


@dataclass(frozen=True)
class Calendar:
    """French working calendar: Monday–Friday, public holidays of the region off (CAL-4)."""

    region: Region = "national"
    tz: str = "Europe/Paris"

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ValueError(f"région de calendrier inconnue : {self.region!r}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def is_holiday(self, d: date) -> bool:
        return d in _holidays_of(self.region, d.year)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in _holidays_of(self.region, d.year)


_CALENDARS: dict[str, Calendar] = {}


def french_calendar(region: Region = "national") -> Calendar:
    """The shared calendar of a region (one instance per region, whatever the call style)."""
    if region not in _CALENDARS:
        _CALENDARS[region] = Calendar(region=region)
    return _CALENDARS[region]


def calendar_for_region(region: str) -> Calendar:
    """The calendar a policy names (`Policy.calendar_region`), checked."""
    for known in REGIONS:
        if region == known:
            return french_calendar(known)
    raise ValueError(f"région de calendrier inconnue : {region!r}")


@dataclass(frozen=True)
class BusinessHours:
    """Daily window of business time on working days (CAL-5, V art. 7.3)."""

    opens: time = time(8, 30)
    closes: time = time(18, 0)

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("l'heure d'ouverture doit précéder l'heure de fermeture")


ONE_DAY = timedelta(days=1)


# --- CAL-1, CAL-2: jours francs -------------------------------------------------------


def jours_francs_between(act: date, start: date) -> int:
    """CAL-1: whole days strictly between the act and the start, `(s − a) − 1`.

    Negative when the act is on or after the start (no jour franc at all).
    """
    return (start - act).days - 1


def latest_act_day(start: date, jours_francs: int) -> date:
    """CAL-2: "at the latest N jours francs before s" means on or before `s − (N + 1)`."""
    if jours_francs < 0:
        raise ValueError(f"nombre de jours francs négatif : {jours_francs}")
    return start - timedelta(days=jours_francs + 1)


# --- CAL-3: legal periods ---------------------------------------------------------------


def next_working_day_on_or_after(d: date, cal: Calendar) -> date:
    while not cal.is_working_day(d):
        d += ONE_DAY
    return d


def legal_period_end(start: date, days: int, cal: Calendar) -> date:
    """CAL-3: "N days from x" ends at the end of x + N, pushed to the next working day
    when that day is a Saturday, a Sunday or a public holiday (CPC art. 641–642)."""
    if days < 0:
        raise ValueError(f"durée négative : {days}")
    return next_working_day_on_or_after(start + timedelta(days=days), cal)


# --- CAL-4: jours ouvrés ----------------------------------------------------------------


@lru_cache(maxsize=64)
def _working_days_around(region: str, year: int) -> tuple[date, ...]:
    """The working days of `year - 1` to `year + 1`, in order. Holidays are fixed for a
    region and year, so this list never changes once built."""
    cal = calendar_for_region(region)
    day, last = date(year - 1, 1, 1), date(year + 1, 12, 31)
    days = []
    while day <= last:
        if cal.is_working_day(day):
            days.append(day)
        day += ONE_DAY
    return tuple(days)


def add_working_days(d: date, n: int, cal: Calendar) -> date:
    """CAL-4: the day reached after `n` working days counted from `d` (d itself not counted).

    A negative `n` counts backwards; `n == 0` gives `d`.
    """
    # Index arithmetic in the year's working days, rather than a day-by-day walk; the
    # walk below remains for counts reaching beyond the year before or after.
    days = _working_days_around(cal.region, d.year)
    index = bisect_right(days, d) + n - 1 if n > 0 else bisect_left(days, d) + n
    if n and 0 <= index < len(days):
        return days[index]
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if cal.is_working_day(d):
            remaining -= 1
    return d


def working_days_between(a: date, b: date, cal: Calendar) -> int:
    """CAL-4: signed number of working days met going from a to b, the arrival day
    counted and the departure day not: those of (a, b], or minus those of [b, a).

    Inverse of `add_working_days`: `working_days_between(d, add_working_days(d, n)) == n`.
    """
    step = ONE_DAY if b >= a else -ONE_DAY
    count = 0
    d = a
    while d != b:
        d += step
        if cal.is_working_day(d):
            count += 1
    return count if b >= a else -count


# --- CAL-5: business hours --------------------------------------------------------------


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} doit porter son fuseau horaire")


def _window(day: date, cal: Calendar, hours: BusinessHours) -> tuple[datetime, datetime]:
    # France changes clocks at night: a 08:30–18:00 window never contains a DST jump, so
    # wall-clock bounds are exact instants.
    zone = cal.zone
    return (
        datetime.combine(day, hours.opens, tzinfo=zone),
        datetime.combine(day, hours.closes, tzinfo=zone),
    )


def _windows_from(
    instant: datetime, cal: Calendar, hours: BusinessHours
) -> tuple[datetime, datetime, date]:
    """The first business window ending after `instant`, clipped to start no earlier than it."""
    local = instant.astimezone(cal.zone)
    day = local.date()
    while True:
        if cal.is_working_day(day):
            opens, closes = _window(day, cal, hours)
            if local < closes:
                return max(opens, local), closes, day
        day += ONE_DAY


def add_business_time(
    start: datetime,
    duration: timedelta,
    cal: Calendar,
    hours: BusinessHours = BusinessHours(),  # noqa: B008 — frozen, hence safe as a default
) -> datetime:
    """CAL-5: the instant reached after `duration` of business time from `start`.

    Time runs only Monday–Friday inside the window, holidays off; a start outside the
    window begins at the next window. A zero duration gives `start` itself; a deadline
    falling exactly at closing time stays at closing time. The result is in Europe/Paris.
    """
    _require_aware(start, "l'instant de départ")
    if duration < timedelta(0):
        raise ValueError("durée négative")
    if duration == timedelta(0):
        return start.astimezone(cal.zone)
    remaining = duration
    cursor = start
    while True:
        begin, end, day = _windows_from(cursor, cal, hours)
        available = end - begin
        if remaining <= available:
            return (begin + remaining).astimezone(cal.zone)
        remaining -= available
        cursor = datetime.combine(day + ONE_DAY, time(0), tzinfo=cal.zone)


def business_time_between(
    a: datetime,
    b: datetime,
    cal: Calendar,
    hours: BusinessHours = BusinessHours(),  # noqa: B008 — frozen, hence safe as a default
) -> timedelta:
    """CAL-5: business time elapsed from `a` to `b` (negative when b is before a)."""
    _require_aware(a, "l'instant de départ")
    _require_aware(b, "l'instant d'arrivée")
    if b < a:
        return -business_time_between(b, a, cal, hours)
    total = timedelta(0)
    cursor = a
    while cursor < b:
        begin, end, day = _windows_from(cursor, cal, hours)
        if begin >= b:
            break
        total += min(end, b) - begin
        cursor = datetime.combine(day + ONE_DAY, time(0), tzinfo=cal.zone)
    return total


# --- CAL-6: months and years ------------------------------------------------------------


def add_months(d: date, n: int) -> date:
    """CAL-6: same day number n months later, or the last day of that month if it is shorter."""
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(d.day, _days_in_month(year, month0 + 1)))


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # calendar.monthrange also computes the first weekday, which is not needed here.
    if month == 2 and _stdlib_calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_years(d: date, n: int) -> date:
    """CAL-6 for years: 29 February + 1 year is 28 February."""
    return add_months(d, 12 * n)
