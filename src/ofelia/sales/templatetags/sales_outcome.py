"""Filters of the sales templates."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def reason_of(reasons: object, name: str) -> object:
    """The explained reason of one deadline (`outcome.deadline_reasons[name]`), or None."""
    return reasons.get(name) if isinstance(reasons, Mapping) else None
