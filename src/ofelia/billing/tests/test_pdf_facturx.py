from __future__ import annotations

from datetime import date
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from ofelia.billing.facturx_xml import NS, build_cii_xml
from ofelia.billing.pdf import NotIssued, invoice_pdf
from ofelia.billing.services import credit_note_issue, invoice_create_draft, invoice_issue

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


def _issued(organisation, **overrides):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(**overrides))
    return invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))


def _text(xml: bytes, path: str) -> str:
    return etree.fromstring(xml).xpath(path, namespaces=NS)[0].text


def test_facturx_en16931_xml_passes_the_xsd_with_the_vat_exemption(organisation):
    invoice = _issued(organisation)
    xml = build_cii_xml(invoice, list(invoice.lines.all()))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert _text(xml, "//rsm:ExchangedDocument/ram:ID") == "F-000001"
    assert _text(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == "E"
    assert _text(xml, "//ram:ExemptionReason") == "Exonération de TVA, article 261-4-4° a du CGI"
    assert _text(xml, "//ram:GrandTotalAmount") == "1200.00"
    assert _text(xml, "//ram:DueDateDateTime/udt:DateTimeString") == "20250409"
    assert _text(xml, "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == "732829320"


def test_facturx_with_vat_and_credit_note_reference_passes_the_xsd(organisation):
    organisation.vat_status = "subject"
    organisation.vat_number = "FR44732829320"
    organisation.save()
    lines = [{"description": "Licence", "quantity": "3", "unit_price": "33.335", "vat_rate": "20"}]
    invoice = _issued(organisation, lines=lines)
    xml = build_cii_xml(invoice, list(invoice.lines.all()))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert _text(xml, "//ram:TaxTotalAmount") == "20.00"
    assert _text(xml, "//ram:GrandTotalAmount") == "120.01"
    note = credit_note_issue(actor=None, invoice=invoice, reason="Erreur de quantité",
                             issue_date=date(2025, 3, 11))
    note_xml = build_cii_xml(note, list(note.lines.all()))
    assert facturx.xml_check_xsd(note_xml, flavor="factur-x", level="en16931") is True
    assert _text(note_xml, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _text(note_xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == "F-000001"


def test_invoice_pdf_embeds_the_facturx_xml(organisation):
    invoice = _issued(organisation)
    pdf = invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert _text(xml, "//ram:GrandTotalAmount") == f"{invoice.total_incl_vat:.2f}" == "1200.00"


def test_draft_has_no_pdf(organisation):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    assert draft.total_incl_vat == Decimal("1200.00")
    with pytest.raises(NotIssued):
        invoice_pdf(draft)
