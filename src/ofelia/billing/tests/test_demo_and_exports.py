from __future__ import annotations

from datetime import date

import facturx
import pytest
from django.core.management import call_command

from ofelia.billing.exports import invoices_csv
from ofelia.billing.models import Invoice, InvoiceSequence
from ofelia.billing.services import credit_note_issue, invoice_create_draft, invoice_issue

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


def test_demo_invoice_command_writes_a_facturx_pdf_and_consumes_no_number(tmp_path):
    output = tmp_path / "facture.pdf"
    call_command("demo_invoice", output=str(output))
    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF")
    _name, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert b"CAMPUS DIXNEUF" in xml and b"1450.00" in xml
    # Rolled back: the demo organisation's real series is untouched.
    assert not Invoice.objects.exists() and not InvoiceSequence.objects.exists()


def test_accountant_csv_lists_invoices_and_credit_notes_french_style(organisation):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))
    credit_note_issue(actor=None, invoice=invoice, reason="Geste commercial",
                      lines=[{"description": "Remise", "unit_price": "100.50"}],
                      issue_date=date(2025, 3, 11))
    text = invoices_csv(Invoice.objects.for_organisation(organisation).exclude(status="draft")
                        .order_by("kind", "sequence_number"))
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Numéro;Type;Date;Échéance;Client")
    assert lines[1].startswith("AV-000001;Avoir;11/03/2025;11/03/2025;Ateliers Martin SARL")
    assert ";100,50;" in lines[1] and lines[1].endswith(";F-000001;")
    assert lines[2].startswith("F-000001;Facture;10/03/2025;09/04/2025")
    assert ";1200,00;0,00;100,50;1099,50;Émise;" in lines[2]
