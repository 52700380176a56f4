"""Writes of the billing app: each service runs in a transaction and records an audit row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ofelia.core import audit, clock
from ofelia.core.validators import validate_amount, validate_received_on
from ofelia.rules.french import fr_date
from ofelia.rules.money import D, cents, fmt_eur

from . import mails
from .calculations import line_amounts, totals
from .mentions import missing_mentions
from .models import (
    ZERO,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentStatus,
)

NUMBER_PREFIX = {DocumentKind.INVOICE: "F", DocumentKind.CREDIT_NOTE: "AV"}


class BillingError(Exception):
    """A refused billing operation; the message is French and says why."""


def format_number(kind: str, sequence_number: int) -> str:
    return f"{NUMBER_PREFIX[DocumentKind(kind)]}-{sequence_number:06d}"


def seller_snapshot(organisation: Any) -> dict[str, str]:
    return {
        "legal_name": organisation.legal_name,
        "display_name": organisation.display_name or organisation.legal_name,
        "legal_form": organisation.legal_form,
        "share_capital": organisation.share_capital,
        "rcs": organisation.rcs,
        "address": organisation.billing_address,
        "address_line1": organisation.billing_line1 or organisation.address_line1,
        "postal_code": organisation.billing_postal_code or organisation.postal_code,
        "city": organisation.billing_city or organisation.city,
        "country": organisation.billing_country or organisation.country or "FR",
        "siret": organisation.siret,
        "vat_number": organisation.vat_number,
        "nda_number": organisation.nda_number,
        "nda_region": organisation.nda_region,
        "email": organisation.email,
        "phone": organisation.phone,
    }


def _line_values(line: Mapping[str, Any], position: int) -> dict[str, Any]:
    quantity = D(line.get("quantity", 1))
    unit_price = D(line["unit_price"])
    if unit_price != unit_price.quantize(Decimal("0.0001")):
        raise BillingError(f"Prix unitaire avec plus de 4 décimales refusé : {unit_price}.")
    vat_rate = D(line.get("vat_rate", "0"))
    amounts = line_amounts(quantity=quantity, unit_price=unit_price, vat_rate=vat_rate)
    return {
        "position": position,
        "description": str(line["description"]),
        "quantity": quantity,
        "unit_price": unit_price,
        "vat_rate": vat_rate,
        "amount_excl_vat": amounts.excl_vat,
        "vat_amount": amounts.vat,
        "amount_incl_vat": amounts.incl_vat,
        "rule": str(line.get("rule", "")),
        "explanation": str(line.get("explanation", "")),
    }


def _refresh_totals(invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    result = totals(
        (line_amounts(quantity=x.quantity, unit_price=x.unit_price, vat_rate=x.vat_rate), x.vat_rate)
        for x in lines
    )
    invoice.total_excl_vat = result.excl_vat
    invoice.total_vat = result.vat
    invoice.total_incl_vat = result.incl_vat


@transaction.atomic
def invoice_create_draft(
    *,
    actor: Any,
    organisation: Any,
    buyer_kind: str,
    buyer_name: str,
    buyer_address: str,
    lines: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Invoice:
    """A draft invoice with its lines; VAT exemption follows the organisation's VAT status."""
    fields.setdefault("vat_exempt", organisation.vat_status == "training_exempt")
    if fields["vat_exempt"]:
        for line in lines:
            if D(line.get("vat_rate", "0")) != 0:
                raise BillingError(
                    "Organisme exonéré de TVA (article 261-4-4° a du CGI) : une ligne ne peut "
                    "pas porter de TVA."
                )
    if buyer_kind == "professional":
        fields.setdefault("recovery_fee_applies", True)
    values = [_line_values(line, position) for position, line in enumerate(lines, start=1)]
    # Totals from the rounded lines before the one insert (the same sums `_refresh_totals`
    # makes from stored lines); a new draft's lines go in at once.
    result = totals((line_amounts(quantity=v["quantity"], unit_price=v["unit_price"],
                                  vat_rate=v["vat_rate"]), v["vat_rate"]) for v in values)
    invoice = Invoice(
        organisation=organisation,
        kind=DocumentKind.INVOICE,
        buyer_kind=buyer_kind,
        buyer_name=buyer_name,
        buyer_address=buyer_address,
        total_excl_vat=result.excl_vat,
        total_vat=result.vat,
        total_incl_vat=result.incl_vat,
        **fields,
    )
    invoice.save()
    created = InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, **v) for v in values])
    audit.record(
        actor=actor,
        action="invoice.create_draft",
        organisation=organisation,
        obj=invoice,
        after={**audit.snapshot(invoice), "lines": [_line_snapshot(x) for x in created]},
    )
    return invoice


def _line_snapshot(line: InvoiceLine) -> dict[str, Any]:
    return audit.snapshot(line, fields=["description", "quantity", "unit_price", "vat_rate",
                                        "amount_excl_vat", "vat_amount", "amount_incl_vat", "rule"])


@transaction.atomic
def invoice_line_add(*, actor: Any, invoice: Invoice, **line: Any) -> InvoiceLine:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise BillingError(f"{invoice} est émise : ajouter une ligne est impossible.")
    if invoice.vat_exempt and D(line.get("vat_rate", "0")) != 0:
        raise BillingError("Facture exonérée de TVA : une ligne ne peut pas porter de TVA.")
    position = invoice.lines.count() + 1
    created = InvoiceLine.objects.create(invoice=invoice, **_line_values(line, position))
    _refresh_totals(invoice)
    invoice.save()
    audit.record(
        actor=actor,
        action="invoice.line_add",
        organisation=invoice.organisation,
        obj=invoice,
        after=_line_snapshot(created),
    )
    return created


def _locked_sequence(organisation: Any, kind: str) -> InvoiceSequence:
    # Create the row once (a concurrent creator makes ours fail: then it exists), then
    # lock it: every issuer of this organisation waits here, in turn.
    try:
        with transaction.atomic():
            InvoiceSequence.objects.get_or_create(organisation=organisation, kind=kind)
    except IntegrityError:
        pass
    return InvoiceSequence.objects.select_for_update().get(organisation=organisation, kind=kind)


def _give_number(invoice: Invoice, issue_date: date) -> None:
    sequence = _locked_sequence(invoice.organisation, invoice.kind)
    if sequence.last_issue_date is not None and issue_date < sequence.last_issue_date:
        raise BillingError(
            f"Numérotation chronologique : la dernière pièce a été émise le "
            f"{fr_date(sequence.last_issue_date)} ; impossible d'émettre à une date antérieure "
            f"({fr_date(issue_date)})."
        )
    sequence.last_number += 1
    sequence.last_issue_date = issue_date
    sequence.save(update_fields=["last_number", "last_issue_date"])
    invoice.sequence_number = sequence.last_number
    invoice.number = format_number(invoice.kind, sequence.last_number)


def _store_pdf_on_commit(invoice: Invoice) -> None:
    """Once the issue is committed, render its PDF and store it (a Celery task; inline without
    a broker). Should that fail, nothing is lost: the first download renders and stores it."""
    from .tasks import invoice_pdf_store

    pk = invoice.pk
    transaction.on_commit(lambda: invoice_pdf_store.delay(pk), robust=True)


@transaction.atomic
def invoice_issue(*, actor: Any, invoice: Invoice, issue_date: date | None = None) -> Invoice:
    """Give the next number, freeze the document; refused while a mandatory mention is missing."""
    invoice = Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)
    if not invoice.is_draft:
        raise BillingError(f"{invoice} est déjà émise.")
    issue_date = issue_date or clock.today()
    invoice.seller = seller_snapshot(invoice.organisation)
    lines = list(invoice.lines.all())
    missing = missing_mentions(invoice=invoice, seller=invoice.seller, lines=lines)
    if missing:
        raise BillingError("Émission refusée, mention obligatoire manquante : " + " ; ".join(missing))
    _refresh_totals(invoice)
    if invoice.total_incl_vat <= ZERO:
        raise BillingError("Émission refusée : le total de la facture doit être positif.")
    invoice.issue_date = issue_date
    if invoice.due_date is None:
        invoice.due_date = issue_date + timedelta(days=invoice.payment_delay_days)
    if invoice.due_date < issue_date:
        raise BillingError("L'échéance ne peut pas précéder la date d'émission.")
    _give_number(invoice, issue_date)
    invoice.issued_at = clock.now()
    invoice.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    invoice.status = InvoiceStatus.ISSUED
    invoice.save()
    audit.record(
        actor=actor,
        action="invoice.issue",
        organisation=invoice.organisation,
        obj=invoice,
        before={"status": InvoiceStatus.DRAFT},
        after=audit.snapshot(
            invoice, fields=["status", "number", "issue_date", "due_date", "total_incl_vat"]
        ),
    )
    _store_pdf_on_commit(invoice)
    mails.invoice_issued(invoice)
    return invoice


def _credit_note_row(invoice: Invoice, reason: str, **fields: Any) -> Invoice:
    """An unsaved avoir of `invoice`: the buyer, terms and links copied from it."""
    return Invoice(
        organisation=invoice.organisation,
        kind=DocumentKind.CREDIT_NOTE,
        credited_invoice=invoice,
        reason=reason,
        buyer_kind=invoice.buyer_kind,
        payer_kind=invoice.payer_kind,
        buyer_name=invoice.buyer_name,
        buyer_address=invoice.buyer_address,
        buyer_country=invoice.buyer_country,
        buyer_siret=invoice.buyer_siret,
        buyer_vat_number=invoice.buyer_vat_number,
        buyer_email=invoice.buyer_email,
        client_company=invoice.client_company,
        consumer_client=invoice.consumer_client,
        vat_exempt=invoice.vat_exempt,
        service_start=invoice.service_start,
        service_end=invoice.service_end,
        policy_id=invoice.policy_id,
        policy_version=invoice.policy_version,
        source_reference=invoice.source_reference,
        contract_id=invoice.contract_id,
        purpose=invoice.purpose,
        **fields,
    )


def _whole_lines(invoice: Invoice) -> list[dict[str, Any]]:
    return [{"description": x.description, "quantity": x.quantity, "unit_price": x.unit_price,
             "vat_rate": x.vat_rate, "rule": x.rule, "explanation": x.explanation}
            for x in invoice.lines.all()]


def _creditable(invoice: Invoice, reason: str) -> None:
    if invoice.kind != DocumentKind.INVOICE or invoice.is_draft:
        raise BillingError("Seule une facture émise peut être corrigée par un avoir.")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise BillingError(f"{invoice} est déjà entièrement annulée par avoir.")
    if not reason.strip():
        raise BillingError("Le motif de l'avoir est obligatoire.")


@transaction.atomic
def credit_note_draft(*, actor: Any, invoice: Invoice, reason: str,
                      lines: Iterable[Mapping[str, Any]] | None = None) -> Invoice:
    """A draft avoir of `invoice` (all its lines by default), issued later by
    `credit_note_finalise`: settlement proposes, staff review and issue."""
    _creditable(invoice, reason)
    note = _credit_note_row(invoice, reason)
    note.save()
    for position, line in enumerate(_whole_lines(invoice) if lines is None else lines, start=1):
        InvoiceLine.objects.create(invoice=note, **_line_values(line, position))
    _refresh_totals(note)
    if note.total_incl_vat <= ZERO:
        raise BillingError("Un avoir doit porter un montant positif.")
    note.save()
    audit.record(actor=actor, action="credit_note.create_draft", organisation=invoice.organisation,
                 obj=note, after={**audit.snapshot(note, fields=["total_incl_vat", "reason"]),
                                  "credited_invoice": invoice.number})
    return note


@transaction.atomic
def credit_note_finalise(*, actor: Any, note: Invoice, issue_date: date | None = None) -> Invoice:
    """Number and issue a draft avoir; the credited invoice's credited amount goes up."""
    note = Invoice.objects.select_for_update().select_related("organisation").get(pk=note.pk)
    if note.kind != DocumentKind.CREDIT_NOTE or not note.is_draft or note.credited_invoice_id is None:
        raise BillingError(f"{note} n'est pas un avoir en brouillon.")
    invoice = Invoice.objects.select_for_update().get(pk=note.credited_invoice_id)
    _creditable(invoice, note.reason)
    _refresh_totals(note)
    remaining = invoice.total_incl_vat - invoice.amount_credited
    if note.total_incl_vat <= ZERO:
        raise BillingError("Un avoir doit porter un montant positif.")
    if note.total_incl_vat > remaining:
        raise BillingError(
            f"L'avoir ({fmt_eur(note.total_incl_vat)}) dépasse ce qui reste à créditer sur "
            f"{invoice} ({fmt_eur(remaining)})."
        )
    issue_date = issue_date or clock.today()
    note.seller = seller_snapshot(note.organisation)
    missing = missing_mentions(invoice=note, seller=note.seller, lines=list(note.lines.all()))
    if missing:
        raise BillingError("Émission refusée, mention obligatoire manquante : " + " ; ".join(missing))
    note.issue_date = issue_date
    note.due_date = issue_date
    _give_number(note, issue_date)
    note.issued_at = clock.now()
    note.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    note.status = InvoiceStatus.ISSUED
    note.save()

    before = audit.snapshot(invoice, fields=["status", "amount_credited"])
    invoice.amount_credited += note.total_incl_vat
    if invoice.amount_credited == invoice.total_incl_vat:
        invoice.status = InvoiceStatus.CANCELLED
    elif invoice.balance <= ZERO:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = invoice.paid_on or issue_date
    invoice.save(update_fields=["status", "amount_credited", "paid_on", "updated_at"])
    audit.record(
        actor=actor,
        action="credit_note.issue",
        organisation=invoice.organisation,
        obj=note,
        after={**audit.snapshot(note, fields=["number", "issue_date", "total_incl_vat", "reason"]),
               "credited_invoice": invoice.number},
    )
    audit.record(
        actor=actor,
        action="invoice.credit",
        organisation=invoice.organisation,
        obj=invoice,
        before=before,
        after=audit.snapshot(invoice, fields=["status", "amount_credited"]),
    )
    _store_pdf_on_commit(note)
    return note


@transaction.atomic
def credit_note_issue(
    *,
    actor: Any,
    invoice: Invoice,
    reason: str,
    lines: Iterable[Mapping[str, Any]] | None = None,
    issue_date: date | None = None,
) -> Invoice:
    """An avoir correcting `invoice`: all its lines by default, or the given (partial) lines."""
    invoice = Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)
    _creditable(invoice, reason)
    note = _credit_note_row(invoice, reason)
    note.save()
    for position, line in enumerate(_whole_lines(invoice) if lines is None else lines, start=1):
        InvoiceLine.objects.create(invoice=note, **_line_values(line, position))
    return credit_note_finalise(actor=actor, note=note, issue_date=issue_date)


def _allocate(*, actor: Any, payment: Payment, invoice: Invoice, amount: Decimal) -> PaymentAllocation:
    """Both rows must already be locked by the caller."""
    amount = cents(amount)
    if invoice.organisation_id != payment.organisation_id:
        raise BillingError("Le paiement et la facture n'appartiennent pas au même organisme.")
    if invoice.kind != DocumentKind.INVOICE or invoice.is_draft:
        raise BillingError("Un paiement ne s'affecte qu'à une facture émise.")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise BillingError(f"{invoice} est annulée par avoir : aucun paiement ne peut y être affecté.")
    if payment.status != PaymentStatus.SUCCEEDED:
        raise BillingError("Un paiement refusé ne peut pas être affecté.")
    if amount <= ZERO:
        raise BillingError("Le montant affecté doit être positif.")
    if amount > invoice.balance:
        raise BillingError(
            f"Trop-perçu refusé : {fmt_eur(amount)} dépasse le solde de {invoice} "
            f"({fmt_eur(invoice.balance)})."
        )
    if amount > payment.unallocated:
        raise BillingError(
            f"Le paiement n'a plus que {fmt_eur(payment.unallocated)} à affecter "
            f"({fmt_eur(amount)} demandés)."
        )
    allocation = PaymentAllocation.objects.create(
        organisation_id=payment.organisation_id, payment=payment, invoice=invoice, amount=amount
    )
    payment.allocated += amount
    payment.save(update_fields=["allocated", "updated_at"])
    before = audit.snapshot(invoice, fields=["status", "amount_paid", "paid_on"])
    invoice.amount_paid += amount
    if invoice.balance == ZERO:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = payment.received_on
    invoice.save(update_fields=["status", "amount_paid", "paid_on", "updated_at"])
    if invoice.status == InvoiceStatus.PAID and invoice.contract_id:
        from .shop import order_paid_if_settled

        order_paid_if_settled(invoice)  # an online order's first invoice paid: order validated
    audit.record(
        actor=actor,
        action="payment.allocate",
        organisation=invoice.organisation,
        obj=invoice,
        before=before,
        after={**audit.snapshot(invoice, fields=["status", "amount_paid", "paid_on"]),
               "payment": payment.pk, "amount": amount},
    )
    mails.payment_received(invoice, amount=amount, received_on=payment.received_on)
    return allocation


@transaction.atomic
def payment_allocate(*, actor: Any, payment: Payment, invoice: Invoice, amount: Decimal) -> PaymentAllocation:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    return _allocate(actor=actor, payment=payment, invoice=invoice, amount=amount)


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    organisation: Any,
    method: str,
    amount: Decimal | str,
    received_on: date,
    payer_name: str = "",
    reference: str = "",
    provider_reference: str | None = None,
    note: str = "",
    allocations: Iterable[tuple[Invoice, Decimal | str]] = (),
) -> Payment:
    """A received payment (transfer, cheque, card...), allocated to invoices in the same step.

    Allocations are checked before anything is written: an over-payment or a cancelled
    invoice refuses the whole payment, so no money is created or lost.
    """
    if method not in PaymentMethod.values:
        raise BillingError(f"Moyen de paiement inconnu : {method}.")
    try:  # the bounds every entry point shares (ofelia.core.validators)
        validate_amount(amount)
        validate_received_on(received_on, today=clock.today())
    except ValidationError as exc:
        raise BillingError(" ".join(exc.messages)) from None
    amount = cents(amount)
    if amount <= ZERO:
        raise BillingError("Le montant d'un paiement doit être positif.")
    wanted = [(invoice, cents(part)) for invoice, part in allocations]
    if sum((part for _, part in wanted), ZERO) > amount:
        raise BillingError("Les affectations dépassent le montant du paiement.")
    payment = Payment.objects.create(
        organisation=organisation,
        method=method,
        amount=amount,
        received_on=received_on,
        payer_name=payer_name,
        reference=reference,
        provider_reference=provider_reference,
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action="payment.record", organisation=organisation, obj=payment,
                 after=audit.snapshot(payment))
    for invoice, part in wanted:
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        _allocate(actor=actor, payment=payment, invoice=locked, amount=part)
    return payment
