"""Reactions of sales to the apps below it."""

from __future__ import annotations

from typing import Any

from ofelia.organisations.models import ConsumerClient

from .models import Contract, Order, Quote


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """Quotes, contracts and orders of the merged consumer client follow the kept one."""
    if sender is not ConsumerClient:
        return {}
    return {
        "quotes": Quote.objects.filter(consumer=merged).update(consumer=kept),
        "contracts": Contract.objects.filter(consumer=merged).update(consumer=kept),
        "orders": Order.objects.filter(consumer=merged).update(consumer=kept),
    }


def on_enrolments_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> None:
    """A contract that named the merged enrolment names the kept one instead."""
    for contract in Contract.objects.filter(enrolments=merged):
        contract.enrolments.add(kept)
