"""An issued document's PDF is rendered once, stored, and every download serves those bytes."""

from __future__ import annotations

from datetime import date

import pytest

from ofelia.billing.models import StoredInvoicePdf
from ofelia.billing.services import credit_note_issue, invoice_create_draft, invoice_issue
from ofelia.organisations.models import Role
from ofelia.organisations.testing import PASSWORD, make_member, make_organisation

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return make_organisation(legal_name="Organisme A", slug="org-a", vat_status="training_exempt",
                             address_line1="1 rue A", postal_code="49000", city="Angers")


@pytest.fixture
def staff_client(client, org):
    assert client.login(username=make_member(org, Role.STAFF).username, password=PASSWORD)
    return client


def _draft(org):
    return invoice_create_draft(actor=None, organisation=org, **draft_fields(
        lines=[{"description": "Formation", "unit_price": "1200.00"}]))


def _pdf(client, invoice):
    response = client.get(f"/facturation/factures/{invoice.pk}/document.pdf")
    assert response.status_code == 200
    return response.content


def test_issue_stores_the_pdf_and_downloads_serve_it_byte_for_byte(
        org, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(actor=None, invoice=_draft(org), issue_date=date(2025, 9, 10))
    stored = StoredInvoicePdf.objects.get(invoice=invoice)
    assert bytes(stored.content).startswith(b"%PDF") and stored.organisation_id == org.pk
    assert _pdf(staff_client, invoice) == bytes(stored.content)
    # The seller changes its name afterwards: the issued document does not move.
    org.legal_name = "Nouveau nom SAS"
    org.save()
    assert _pdf(staff_client, invoice) == bytes(stored.content)
    assert StoredInvoicePdf.objects.count() == 1


def test_credit_note_pdf_is_stored_at_issue_too(org, django_capture_on_commit_callbacks):
    invoice = invoice_issue(actor=None, invoice=_draft(org), issue_date=date(2025, 9, 10))
    with django_capture_on_commit_callbacks(execute=True):
        note = credit_note_issue(actor=None, invoice=invoice, reason="Annulation",
                                 issue_date=date(2025, 9, 12))
    assert bytes(StoredInvoicePdf.objects.get(invoice=note).content).startswith(b"%PDF")


def test_document_issued_before_storage_is_rendered_and_stored_at_first_download(org, staff_client):
    # No commit callback ran: like an invoice issued before PDFs were stored.
    invoice = invoice_issue(actor=None, invoice=_draft(org), issue_date=date(2025, 9, 10))
    assert not StoredInvoicePdf.objects.filter(invoice=invoice).exists()
    first = _pdf(staff_client, invoice)
    assert bytes(StoredInvoicePdf.objects.get(invoice=invoice).content) == first
    assert _pdf(staff_client, invoice) == first


def test_a_draft_has_no_pdf(org, staff_client):
    draft = _draft(org)
    assert staff_client.get(f"/facturation/factures/{draft.pk}/document.pdf").status_code == 404
    assert not StoredInvoicePdf.objects.exists()
