"""French display of amounts and rates in billing templates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ofelia.rules.money import fmt_eur

register = template.Library()


@register.filter
def eur(value: Decimal | str | int | None) -> str:
    return "" if value is None or value == "" else fmt_eur(Decimal(str(value)))


@register.filter
def qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


@register.filter
def rate(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",") + "\u00a0%"
