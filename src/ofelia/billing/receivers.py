"""Reactions of billing to the apps below it."""

from __future__ import annotations

from typing import Any

from django.db import models

from ofelia.organisations.models import ConsumerClient

from .models import Invoice


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """Invoices of the merged consumer client are listed under the kept one.

    Only the link moves: the buyer printed on an issued invoice is frozen in its buyer_*
    fields and stays as issued, so the plain QuerySet.update (not the guarded one) is right."""
    if sender is not ConsumerClient:
        return {}
    invoices = Invoice.objects.filter(consumer_client=merged)
    return {"invoices": models.QuerySet.update(invoices, consumer_client=kept)}
