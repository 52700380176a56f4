"""Billing's e-mails, sent through `ofelia.notifications.notify` where the event commits:
invoice issued (with its PDF), payment received, refund paid, reminder and formal notice."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ofelia.notifications.services import notify
from ofelia.rules.french import fr_date
from ofelia.rules.money import fmt_eur

from .models import DunningStep, DunningStepKind, Invoice, Refund


def invoice_pdf_of(pk: int) -> bytes:
    from .pdf import invoice_pdf

    return invoice_pdf(Invoice.objects.select_related("organisation").get(pk=pk))


def invoice_issued(invoice: Invoice) -> None:
    notify(organisation=invoice.organisation, kind="invoice_issued", to=invoice.buyer_email,
           about=invoice, context={
               "number": invoice.number, "issue_date": f"{fr_date(invoice.issue_date)}",
               "due_date": f"{fr_date(invoice.due_date)}", "amount": fmt_eur(invoice.total_incl_vat)},
           attachments=[(f"{invoice.number}.pdf", "ofelia.billing.mails.invoice_pdf_of", invoice.pk,
                         "application/pdf")])


def payment_received(invoice: Invoice, *, amount: Decimal, received_on: Any) -> None:
    notify(organisation=invoice.organisation, kind="payment_received", to=invoice.buyer_email,
           about=invoice, context={
               "number": invoice.number, "received_on": f"{fr_date(received_on)}",
               "amount": fmt_eur(amount), "balance": fmt_eur(invoice.balance)})


REFUND_METHODS = {"card": "sur la carte bancaire utilisée pour le paiement",
                  "sepa_debit": "sur le compte prélevé pour le paiement",
                  "transfer": "par virement", "cheque": "par chèque"}


def refund_paid(refund: Refund) -> None:
    """The money left: the payer is told how much, how and for which invoice."""
    invoice = refund.invoice
    if invoice is None or not invoice.buyer_email:
        return
    notify(organisation=invoice.organisation, kind="refund_paid", to=invoice.buyer_email,
           about=refund, context={
               "number": invoice.number, "paid_on": f"{fr_date(refund.paid_on)}",
               "amount": fmt_eur(refund.amount),
               "method": REFUND_METHODS.get(refund.method, "par virement")})


def dunning_steps(steps: Iterable[DunningStep]) -> None:
    """The reminders and formal notices just reached (the collections run's new steps)."""
    kinds = {DunningStepKind.REMINDER: "reminder", DunningStepKind.FORMAL_NOTICE: "formal_notice"}
    for step in steps:
        invoice = step.invoice
        notify(organisation=invoice.organisation, kind=kinds[DunningStepKind(step.step)],
               to=invoice.buyer_email, about=invoice, context={
                   "number": invoice.number, "due_date": f"{fr_date(invoice.due_date)}",
                   "balance": fmt_eur(invoice.balance)})


def steps_created_at(stamp: Any) -> Any:
    # Only invoices with an address to write to: the others (an OPCO's...) cost nothing.
    return (DunningStep.objects.filter(created_at=stamp, step__in=[
        DunningStepKind.REMINDER, DunningStepKind.FORMAL_NOTICE]).exclude(invoice__buyer_email="")
        .select_related("invoice__organisation").order_by("id"))
