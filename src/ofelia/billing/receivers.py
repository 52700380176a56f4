"""Billing's reactions to what happens below it, wired here (billing is above sales).

- a contract event recorded (sent by sales on commit), a contract signed or amended: settlement
  proposes the drafts that close the difference with the rules core's outcome;
- two consumer clients merged (organisations, inside the merge's transaction): their
  invoices are listed under the one kept;
- an online order's payment accepted or refused at Stripe (billing's own signals): the
  order in sales is validated or voided by sales' handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

from ofelia.core import audit, clock
from ofelia.organisations.models import ConsumerClient
from ofelia.rules.errors import RulesError

from .models import Invoice
from .services import BillingError

logger = logging.getLogger(__name__)


def settle_after(*, contract: Any, actor: Any = None, event: Any = None, **_: Any) -> None:
    """After commit: never raises (the event is recorded; a refusal is logged and audited)."""
    from .settlement import contract_settle

    as_of = (getattr(event, "evaluated_as_of", None) or clock.today()) if event else clock.today()
    try:
        result = contract_settle(contract=contract, as_of=as_of, actor=actor)
    except (BillingError, RulesError, ValueError) as problem:
        logger.warning("settlement of %s refused: %s", contract.number, problem)
        audit.record(actor=actor, action="settlement.refused", organisation=contract.organisation,
                     obj=contract, after={"reason": str(problem)})
        return
    if result.problems:
        audit.record(actor=actor, action="settlement.refused", organisation=contract.organisation,
                     obj=contract, after={"reason": " ; ".join(result.problems)})


def on_people_merging(sender: type, kept: Any, merged: Any, **kwargs: Any) -> dict[str, int]:
    """Invoices of the merged consumer client are listed under the kept one.

    Only the link moves: the buyer printed on an issued invoice is frozen in its buyer_*
    fields and stays as issued, so the plain QuerySet.update (not the guarded one) is right."""
    if sender is not ConsumerClient:
        return {}
    invoices = Invoice.objects.filter(consumer_client=merged)
    return {"invoices": models.QuerySet.update(invoices, consumer_client=kept)}


def connect() -> None:
    from ofelia.organisations.signals import people_merging
    from ofelia.sales import orders, signals

    from .online import order_paid, order_voided
    from .refunds import refund_paid
    from .shop import order_invoices_issue

    signals.contract_event_recorded.connect(settle_after, dispatch_uid="billing.settle_event")
    signals.contract_signed.connect(settle_after, dispatch_uid="billing.settle_signed")
    # After settlement drafted them: an online order's invoices are issued at once.
    signals.contract_signed.connect(order_invoices_issue, dispatch_uid="billing.order_invoices")
    # An avenant changes the price of a signed contract: what is owed changes with it.
    signals.contract_amended.connect(settle_after, dispatch_uid="billing.settle_amended")
    order_paid.connect(orders.on_billing_order_paid, dispatch_uid="sales.order_paid")
    order_voided.connect(orders.on_billing_order_voided, dispatch_uid="sales.order_voided")
    refund_paid.connect(orders.on_billing_refund_paid, dispatch_uid="sales.refund_paid")
    people_merging.connect(on_people_merging, dispatch_uid="billing.people_merging")
