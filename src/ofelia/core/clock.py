"""The application's clock.

The rules core never reads the clock: the shell asks this module for "now" and hands the
instant in. Tests freeze it with `clock.frozen(...)` instead of patching datetime.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """The real clock, in Europe/Paris."""

    def now(self) -> datetime:
        return timezone.now().astimezone(PARIS)

    def today(self) -> date:
        return self.now().date()


class FixedClock(Clock):
    """A clock stopped at one instant (naive instants are read as Paris time)."""

    def __init__(self, instant: datetime) -> None:
        if timezone.is_naive(instant):
            instant = instant.replace(tzinfo=PARIS)
        self.instant = instant.astimezone(PARIS)

    def now(self) -> datetime:
        return self.instant


_current: Clock = Clock()


def now() -> datetime:
    return _current.now()


def today() -> date:
    return _current.today()


def set_clock(clock: Clock) -> Clock:
    """Install `clock` and return the previous one."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def frozen(instant: datetime | Clock) -> Iterator[Clock]:
    clock = instant if isinstance(instant, Clock) else FixedClock(instant)
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)
