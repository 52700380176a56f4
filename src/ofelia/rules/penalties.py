"""Late-payment interest (RULES.md PEN-1).

Which rate and multiplier apply (legal rate × 3, ECB + 10 points…) is the policy's
business (PEN-D1, PEN-D2, PEN-F1, PEN-V1); this module only counts the days and applies
the rate of each half-year to its own days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ofelia.rules.french import fr_date
from ofelia.rules.money import D, cents, fmt_eur

DAYS_PER_YEAR = Decimal(365)


@dataclass(frozen=True)
class InterestSegment:
    """The late days falling in one half-year, at that half-year's annual rate (percent)."""

    start: date
    end: date  # inclusive
    days: int
    rate: Decimal
    amount: Decimal  # rounded to the cent: one line of the computation


@dataclass(frozen=True)
class Interest:
    days: int
    amount: Decimal
    segments: tuple[InterestSegment, ...] = ()


def _half_year_end(d: date) -> date:
    return date(d.year, 6, 30) if d.month <= 6 else date(d.year, 12, 31)


def late_interest(
    amount: str | int | Decimal,
    due_on: date,
    paid_or_evaluated_on: date,
    annual_rate_on: Callable[[date], Decimal],
) -> Interest:
    """PEN-1: `amount × days × rate / (365 × 100)` for each half-year's late days.

    Days run from the day after `due_on` to `paid_or_evaluated_on` inclusive; none when
    paid on or before the due date. `annual_rate_on(d)` gives the percent per year for
    the half-year of `d` (it may raise MissingLegalData: the rate is never guessed).
    Each half-year's line is rounded to the cent; the total is the sum of the lines, so
    the explanation's figures always add up.
    """
    principal = D(amount)
    if principal < 0:
        raise ValueError(f"montant négatif : {principal}")
    segments: list[InterestSegment] = []
    start = due_on + timedelta(days=1)
    while start <= paid_or_evaluated_on:
        end = min(_half_year_end(start), paid_or_evaluated_on)
        days = (end - start).days + 1
        rate = D(annual_rate_on(start))
        if rate < 0:
            raise ValueError(f"taux annuel négatif : {rate}")
        segments.append(InterestSegment(
            start=start, end=end, days=days, rate=rate,
            amount=cents(principal * days * rate / (DAYS_PER_YEAR * 100)),
        ))
        start = end + timedelta(days=1)
    return Interest(
        days=sum(s.days for s in segments),
        amount=cents(sum((s.amount for s in segments), Decimal(0))),
        segments=tuple(segments),
    )


def fmt_rate(rate: Decimal) -> str:
    """A percentage the French way: 7.86 → "7,86 %"."""
    text = format(rate.normalize(), "f") if rate == rate.to_integral() else format(rate, "f")
    return text.replace(".", ",") + "\u00a0%"


def describe_interest(interest: Interest) -> str:
    """French detail of the computation, one part per half-year (for explanations)."""
    if not interest.segments:
        return "aucun jour de retard"
    parts = [
        f"du {fr_date(s.start)} au {fr_date(s.end)}, {s.days} jour{'s' if s.days > 1 else ''}"
        f" à {fmt_rate(s.rate)} l'an : {fmt_eur(s.amount)}"
        for s in interest.segments
    ]
    return " ; ".join(parts)
