from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.billing.calculations import line_amounts, totals
from ofelia.billing.models import Invoice, InvoiceImmutable, InvoiceLine, InvoiceStatus
from ofelia.billing.services import (
    BillingError,
    credit_note_issue,
    invoice_create_draft,
    invoice_issue,
    invoice_line_add,
)
from ofelia.core.models import AuditEntry

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


def _issued(organisation, on=date(2025, 3, 10), **overrides):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(**overrides))
    return invoice_issue(actor=None, invoice=draft, issue_date=on)


def test_line_rounding_half_up_per_line_then_exact_sum():
    # 3 × 33.335 = 100.005 -> 100.01 (half-up); VAT 20 % of 100.01 = 20.002 -> 20.00
    a = line_amounts(quantity=Decimal("3"), unit_price=Decimal("33.335"), vat_rate=Decimal("20"))
    assert (a.excl_vat, a.vat, a.incl_vat) == (Decimal("100.01"), Decimal("20.00"), Decimal("120.01"))
    b = line_amounts(quantity=Decimal("0.5"), unit_price=Decimal("0.05"), vat_rate=Decimal("20"))
    assert b.excl_vat == Decimal("0.03")  # 0.025 -> 0.03, not banker's 0.02
    t = totals([(a, Decimal("20")), (b, Decimal("20"))])
    assert t.incl_vat == a.incl_vat + b.incl_vat
    assert t.by_rate == ((Decimal("20"), Decimal("100.04"), Decimal("20.01")),)


def test_invoice_issue_numbers_are_consecutive_per_organisation(organisation, other_organisation):
    first = _issued(organisation)
    second = _issued(organisation)
    elsewhere = _issued(other_organisation)
    assert (first.number, second.number) == ("F-000001", "F-000002")
    assert elsewhere.number == "F-000001"  # each organisation has its own series
    assert first.status == InvoiceStatus.ISSUED
    assert first.due_date == date(2025, 4, 9)  # PAY-D2: 30 days after the invoice date
    assert first.total_incl_vat == Decimal("1200.00")
    assert first.seller["siret"] == "73282932000074"
    assert AuditEntry.objects.filter(action="invoice.issue", object_id=str(first.pk)).exists()


def test_invoice_issue_refuses_a_date_before_the_last_issued_one(organisation):
    _issued(organisation, on=date(2025, 3, 10))
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    with pytest.raises(BillingError, match="chronologique"):
        invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 9))
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.DRAFT and draft.number == ""
    # The refusal gave no number away: the next one is still 2.
    assert invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10)).number == "F-000002"


@pytest.mark.parametrize(
    ("override", "mention"),
    [
        ({"late_penalty_mention": ""}, "taux des pénalités de retard"),
        ({"payment_terms": ""}, "conditions de paiement"),
        ({"buyer_address": ""}, "adresse de facturation du client"),
        ({"service_start": None, "service_end": None}, "date ou période de la prestation"),
        ({"recovery_fee_applies": False}, "indemnité forfaitaire pour frais de recouvrement de 40 €"),
        ({"lines": []}, "aucune ligne"),
    ],
)
def test_invoice_issue_refused_naming_the_missing_mention(organisation, override, mention):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(**override))
    with pytest.raises(BillingError, match="mention obligatoire manquante") as refused:
        invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))
    assert mention in str(refused.value)
    assert Invoice.objects.get(pk=draft.pk).sequence_number is None


def test_invoice_issue_refused_without_seller_nda_or_siret(organisation):
    organisation.nda_number = ""
    organisation.save()
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    with pytest.raises(BillingError, match="numéro de déclaration d'activité"):
        invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))


def test_consumer_invoice_needs_no_recovery_fee_mention(organisation):
    invoice = _issued(organisation, buyer_kind="consumer", buyer_siret="", late_penalty_rule="PEN-D1")
    assert invoice.recovery_fee_applies is False
    assert invoice.status == InvoiceStatus.ISSUED


def test_vat_subject_organisation_needs_its_vat_number(organisation):
    organisation.vat_status = "subject"
    organisation.save()
    lines = [{"description": "Licence", "quantity": "1", "unit_price": "100", "vat_rate": "20"}]
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(lines=lines))
    assert draft.vat_exempt is False and draft.total_incl_vat == Decimal("120.00")
    with pytest.raises(BillingError, match="numéro de TVA intracommunautaire du vendeur"):
        invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))


def test_vat_exempt_organisation_refuses_a_line_with_vat(organisation):
    lines = [{"description": "Formation", "quantity": "1", "unit_price": "100", "vat_rate": "20"}]
    with pytest.raises(BillingError, match="261-4-4° a"):
        invoice_create_draft(actor=None, organisation=organisation, **draft_fields(lines=lines))


def test_issued_invoice_is_immutable_at_model_level(organisation):
    invoice = _issued(organisation)
    invoice.buyer_name = "Autre client"
    with pytest.raises(InvoiceImmutable):
        invoice.save()
    with pytest.raises(InvoiceImmutable):
        Invoice.objects.filter(pk=invoice.pk).update(total_incl_vat=Decimal("1.00"))
    with pytest.raises(InvoiceImmutable):
        Invoice.objects.get(pk=invoice.pk).delete()
    with pytest.raises(InvoiceImmutable):
        Invoice.objects.filter(pk=invoice.pk).delete()
    line = InvoiceLine.objects.get(invoice=invoice)
    line.unit_price = Decimal("1.00")
    with pytest.raises(InvoiceImmutable):
        line.save()
    with pytest.raises(InvoiceImmutable):
        InvoiceLine.objects.filter(invoice=invoice).update(unit_price=Decimal("1.00"))
    with pytest.raises(InvoiceImmutable):
        InvoiceLine.objects.create(invoice=invoice, description="ajout", unit_price=Decimal("5"))
    with pytest.raises(BillingError):
        invoice_line_add(actor=None, invoice=invoice, description="ajout", unit_price="5")
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.buyer_name, stored.total_incl_vat) == ("Ateliers Martin SARL", Decimal("1200.00"))


def test_draft_can_change_and_totals_follow_its_lines(organisation):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    invoice_line_add(actor=None, invoice=draft, description="Support de cours", quantity="2",
                     unit_price="12.345")
    draft.refresh_from_db()
    assert draft.total_incl_vat == Decimal("1224.69")  # 1200 + 24.69 (2 × 12.345 = 24.69)
    draft.buyer_name = "Ateliers Martin et fils"
    draft.save()  # a draft is not frozen


def test_credit_note_has_its_own_numbering_and_cancels_the_invoice(organisation):
    invoice = _issued(organisation)
    partial = credit_note_issue(
        actor=None, invoice=invoice, reason="Une journée non réalisée",
        lines=[{"description": "Journée du 5 mars non réalisée", "unit_price": "400"}],
        issue_date=date(2025, 3, 12),
    )
    assert partial.number == "AV-000001" and partial.credited_invoice == invoice
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.balance == Decimal("800.00")
    with pytest.raises(BillingError, match="dépasse ce qui reste à créditer"):
        credit_note_issue(actor=None, invoice=invoice, reason="trop",
                          lines=[{"description": "x", "unit_price": "800.01"}])
    rest = credit_note_issue(actor=None, invoice=invoice, reason="Annulation",
                             lines=[{"description": "Solde", "unit_price": "800"}],
                             issue_date=date(2025, 3, 12))
    assert rest.number == "AV-000002"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.balance == Decimal("0.00")
    # The next invoice continues the invoice series, untouched by credit notes.
    assert _issued(organisation, on=date(2025, 3, 12)).number == "F-000002"
    with pytest.raises(BillingError, match="déjà entièrement annulée"):
        credit_note_issue(actor=None, invoice=invoice, reason="encore")


def test_refund_reads_in_french_in_messages() -> None:
    """Staff read « Remboursement de 600,00 € à … » in the flash after issuing drafts, not
    the Decimal's « 600.00 € » (found on the sales-to-cash journey)."""
    from ofelia.billing.models import Refund

    refund = Refund(amount=Decimal("1600.00"), payee_name="Entreprise Exemple")
    assert str(refund) == "Remboursement de 1\u00a0600,00\u00a0€ à Entreprise Exemple"
