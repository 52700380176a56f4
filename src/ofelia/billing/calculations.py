"""Invoice arithmetic, pure (no Django): each line is rounded half-up to the cent, then summed.

Rounding per line (not on the total) is what the house rules ask for and what a reader of
the invoice can check with a pencil: the total is exactly the sum of the printed lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ofelia.rules.money import D, cents, percent_of

VAT_EXEMPTION_MENTION = "Exonération de TVA, article 261-4-4° a du CGI"


@dataclass(frozen=True)
class LineAmounts:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal
    # VAT rate -> (taxable base, VAT amount): Factur-X needs one breakdown per rate.
    by_rate: tuple[tuple[Decimal, Decimal, Decimal], ...]


def line_amounts(*, quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> LineAmounts:
    excl = cents(D(quantity) * D(unit_price))
    vat = percent_of(excl, vat_rate)
    return LineAmounts(excl_vat=excl, vat=vat, incl_vat=excl + vat)


def totals(lines: Iterable[tuple[LineAmounts, Decimal]]) -> Totals:
    """`lines`: (amounts, vat rate) pairs; totals are exact sums of the rounded lines."""
    excl = vat = Decimal("0.00")
    per_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for amounts, rate in lines:
        excl += amounts.excl_vat
        vat += amounts.vat
        base, tax = per_rate.get(rate, (Decimal("0.00"), Decimal("0.00")))
        per_rate[rate] = (base + amounts.excl_vat, tax + amounts.vat)
    by_rate = tuple((rate, base, tax) for rate, (base, tax) in sorted(per_rate.items()))
    return Totals(excl_vat=excl, vat=vat, incl_vat=excl + vat, by_rate=by_rate)
