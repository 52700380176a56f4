"""Refunds: money paid back to a payer (RET-3, over-payments), then paid by transfer,
cheque or card."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import django.dispatch
from django.db import transaction

from ofelia.core import audit, clock
from ofelia.rules.money import cents, fmt_eur

from . import mails
from .models import (
    ZERO,
    Invoice,
    Refund,
    RefundStatus,
)
from .services import BillingError

# Sent when money went back to a payer (sales tells the consumer's order card).
refund_paid = django.dispatch.Signal()


def refundable(invoice: Invoice) -> Decimal:
    """What was paid beyond what is owed (after avoirs), less the refunds already planned."""
    # A paid refund already lowered `amount_paid`; only those still due are set aside.
    planned = sum((r.amount for r in invoice.refunds.filter(status=RefundStatus.DUE)), ZERO)
    return max(-invoice.balance, ZERO) - planned


@transaction.atomic
def refund_create(*, actor: Any, invoice: Invoice, amount: Decimal | str, due_on: date | None = None,
                  rule: str = "", explanation: str = "", contract: Any = None) -> Refund:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = cents(amount)
    if amount <= 0:
        raise BillingError("Le montant d'un remboursement doit être positif.")
    available = refundable(invoice)
    if amount > available:
        raise BillingError(f"Remboursement refusé : {fmt_eur(amount)} dépasse ce qui a été payé en "
                           f"trop sur {invoice} ({fmt_eur(available)}) ; émettre d'abord un avoir.")
    refund = Refund.objects.create(
        organisation_id=invoice.organisation_id, invoice=invoice, contract=contract,
        payee_name=invoice.buyer_name, amount=amount, due_on=due_on or clock.today(), rule=rule,
        explanation=explanation, source_reference=invoice.source_reference)
    audit.record(actor=actor, action="refund.create", organisation=invoice.organisation, obj=refund,
                 after=audit.snapshot(refund))
    return refund


STAFF_REFUND_METHODS = ("transfer", "cheque")


@transaction.atomic
def refund_pay(*, actor: Any, refund: Refund, method: str, paid_on: date | None = None,
               reference: str = "") -> Refund:
    """A refund made by staff (transfer, cheque): the invoice's paid amount goes down.

    Money back to a card or a SEPA debit goes through the payment provider instead
    (`online.refund_online`), which records it once with the provider's reference.
    """
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.PAID:
        raise BillingError(f"{refund} est déjà effectué.")
    if method in ("card", "sepa_debit"):
        raise BillingError("Un remboursement sur carte ou prélèvement SEPA passe par Stripe "
                           "(« Rembourser par Stripe ») : il ne se saisit pas à la main.")
    if method not in STAFF_REFUND_METHODS:
        raise BillingError(f"Moyen de remboursement inconnu : {method}.")
    return refund_record_paid(actor=actor, refund=refund, method=method,
                              paid_on=paid_on or clock.today(), reference=reference)


def refund_record_paid(*, actor: Any, refund: Refund, method: str, paid_on: date, reference: str,
                       provider_reference: str | None = None) -> Refund:
    """The money left (the caller holds the refund's row lock): the refund is paid and the
    invoice's paid amount goes down by it."""
    refund.status, refund.method = RefundStatus.PAID, method
    refund.paid_on, refund.reference = paid_on, reference
    refund.provider_reference = provider_reference
    refund.save()
    if refund.invoice_id:
        invoice = Invoice.objects.select_for_update().get(pk=refund.invoice_id)
        invoice.amount_paid -= refund.amount
        invoice.save(update_fields=["amount_paid", "updated_at"])
        refund.invoice = invoice
    audit.record(actor=actor, action="refund.pay", organisation=refund.organisation, obj=refund,
                 after=audit.snapshot(refund, fields=["status", "paid_on", "method", "amount",
                                                      "provider_reference"]))
    mails.refund_paid(refund)
    refund_paid.send(sender=Refund, refund=refund)
    return refund
