from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def percent_fr(value: Decimal | str | None) -> str:
    """« 99,9123 % » (the core's figure, French decimal comma); « — » without a figure."""
    return "—" if value is None else f"{Decimal(value):f}".replace(".", ",") + " %"


@register.filter
def percent(value: Decimal | str | None) -> str:
    return percent_fr(value)


@register.filter
def minutes(value: object) -> str:
    """« 40 min » from the core's minutes (an integer, or a decimal string)."""
    return f"{value} min".replace(".", ",")
