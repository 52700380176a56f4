"""French display of amounts in the sales pages and PDFs: « 1 490,00 € »."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ofelia.rules.money import fmt_eur

register = template.Library()


@register.filter(name="euros")
def euros(value: Decimal | str | int | None) -> str:
    return "" if value is None or value == "" else fmt_eur(Decimal(str(value)))


@register.filter
def incl_vat(value: Decimal | str | int | None, rate: Decimal | str | int | None) -> Decimal:
    """The amount with VAT at `rate` % (consumers see prices VAT included)."""
    from ofelia.rules.money import cents

    amount = Decimal(str(value or 0))
    return cents(amount + amount * Decimal(str(rate or 0)) / 100)


@register.filter
def one_line(value: str) -> str:
    """A postal address on one line: « 1 rue de la Paix, 75002 Paris »."""
    return ", ".join(part.strip() for part in str(value or "").splitlines() if part.strip())
