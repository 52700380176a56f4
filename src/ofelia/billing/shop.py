"""Online orders of the shop, from billing's side: invoiced at once, paid by transfer or
card, validated when paid, freed when unpaid after the organisation's delay.

- The contrat of an order is signed online; settlement then drafts its invoice (or one per
  PAY-L1 instalment) and `order_invoices_issue` issues them at once: the consumer has
  something to pay.
- A payment allocated to an order's first invoice (transfer recorded by staff, card
  settled by a Stripe webhook) validates the order (`order_paid_if_settled`).
- `orders_expire_unpaid` (Celery beat, daily, idempotent) frees the seat of an order still
  unpaid after its delay (sales.orders.order_expire, through the seat door) and cancels
  its invoices by credit note.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from ofelia.core import audit, clock
from ofelia.rules.errors import RulesError

from .models import CheckoutStatus, DocumentKind, Invoice, InvoiceStatus, OnlineCheckout
from .services import BillingError

logger = logging.getLogger(__name__)


def _order_of(contract: Any) -> Any:
    from ofelia.sales.models import Order

    return Order.objects.filter(contract_id=contract.pk).select_related("organisation").first()


def _issued(contract_id: int) -> Any:
    return (Invoice.objects.filter(contract_id=contract_id, kind=DocumentKind.INVOICE)
            .exclude(status=InvoiceStatus.DRAFT).order_by("due_date", "id"))


def order_invoices_issue(*, contract: Any, actor: Any = None, **_: Any) -> list[Any]:
    """After the contrat of an order is signed (on commit, after settlement drafted): its
    invoices are issued today. Never raises: a refusal is logged and audited; the consumer's
    « Payer » tries again."""
    from .settlement import contract_settle, settlement_drafts, settlement_issue

    order = _order_of(contract)
    if order is None or order.status != order.Status.AWAITING_PAYMENT:
        return []
    try:
        with transaction.atomic():
            if not any(settlement_drafts(contract)) and not _issued(contract.pk).exists():
                contract_settle(contract=contract, as_of=clock.today(), actor=actor)
            if not any(settlement_drafts(contract)):
                return []
            return settlement_issue(actor=actor, contract=contract, on=clock.today())
    except (BillingError, RulesError, ValidationError, ValueError) as problem:
        logger.warning("invoices of order %s not issued: %s", order.number, problem)
        audit.record(actor=actor, action="order.invoice_refused", organisation=order.organisation,
                     obj=order, after={"reason": str(problem)})
        return []


def order_of_invoice(invoice: Invoice) -> Any:
    """The shop order this invoice bills, if any."""
    return _order_of(invoice.contract) if invoice.contract_id else None


def awaiting_order_of(invoice: Invoice) -> Any:
    """The shop order awaiting payment this invoice belongs to, if any (its deadline is the
    one the consumer must meet)."""
    order = order_of_invoice(invoice)
    return order if order is not None and order.status == order.Status.AWAITING_PAYMENT else None


def order_invoice_to_pay(order: Any) -> Invoice | None:
    """The order's invoice to pay now: the first issued one with a balance (issuing them
    first if the signature's hand-over did not)."""
    if not _issued(order.contract_id).exists():
        order_invoices_issue(contract=order.contract)
    for invoice in _issued(order.contract_id).filter(status=InvoiceStatus.ISSUED):
        if invoice.balance > 0:
            return invoice
    return None


def order_paid_if_settled(invoice: Invoice) -> None:
    """Inside the allocation's transaction: the order is validated once its first invoice
    (the whole price, or the first PAY-L1 instalment) is paid."""
    from ofelia.sales.orders import order_mark_paid

    if invoice.contract_id is None or invoice.status != InvoiceStatus.PAID:
        return
    order = _order_of(invoice.contract)
    if order is None or order.status != order.Status.AWAITING_PAYMENT:
        return
    first = _issued(invoice.contract_id).exclude(status=InvoiceStatus.CANCELLED).first()
    if first is not None and first.pk == invoice.pk:
        order_mark_paid(actor=None, organisation=order.organisation, order_reference=order.number)


def orders_expire_unpaid(*, as_of: date) -> dict[str, Any]:
    """Daily (Celery beat), idempotent: each order unpaid after its delay frees its seat and
    its invoices are cancelled by credit note; an order with money received is left to staff."""
    from ofelia.sales.orders import order_expire, orders_past_deadline

    from .services import credit_note_issue

    report: dict[str, Any] = {"expired": 0, "kept": [], "problems": []}
    for order in orders_past_deadline(today=as_of):
        try:
            with transaction.atomic():
                # Invoices locked before the order, as a payment's allocation does: a
                # transfer recorded meanwhile is either seen here or waits for this run.
                invoices = list(_issued(order.contract_id).select_for_update())
                if any(i.amount_paid > 0 for i in invoices):
                    report["kept"].append(order.number)
                    continue
                done = order_expire(actor=None, order=order, today=as_of)
                if done is None:
                    continue
                for invoice in invoices:
                    if invoice.status == InvoiceStatus.ISSUED:
                        credit_note_issue(actor=None, invoice=invoice, issue_date=as_of,
                                          reason=f"Commande {order.number} non payée dans le "
                                                 "délai : annulée, place libérée")
                Invoice.objects.filter(contract_id=order.contract_id,
                                       status=InvoiceStatus.DRAFT).delete()
                # A card payment started and finished late is refused by its webhook
                # (« paiement à rembourser »), not recorded against a cancelled order.
                OnlineCheckout.objects.filter(
                    invoice__contract_id=order.contract_id, status=CheckoutStatus.OPEN).update(
                    status=CheckoutStatus.VOIDED, failure_reason="commande non payée dans le délai")
            report["expired"] += 1
        except (BillingError, ValidationError, DatabaseError) as problem:
            # Rolled back (a deadlock with a payment arriving included): tomorrow's run retries.
            logger.warning("order %s not expired: %s", order.number, problem)
            report["problems"].append(f"{order.number} : {problem}")
    return report
