"""Invoice numbers under concurrent issuing: PostgreSQL row lock on the sequence."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection, connections

from ofelia.billing.models import Invoice, InvoiceSequence
from ofelia.billing.services import invoice_create_draft, invoice_issue

from .conftest import draft_fields, make_organisation

WORKERS = 8
INVOICES = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_without_gap_or_duplicate_under_8_concurrent_workers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, the row lock is not exercised")
    organisation = make_organisation("concurrence")
    drafts = [
        invoice_create_draft(actor=None, organisation=organisation, **draft_fields()).pk
        for _ in range(INVOICES)
    ]

    def issue_share(worker: int) -> list[str]:
        numbers = []
        try:
            for pk in drafts[worker::WORKERS]:
                invoice = Invoice.objects.get(pk=pk)
                numbers.append(invoice_issue(actor=None, invoice=invoice, issue_date=date(2025, 3, 10)).number)
        finally:
            connections.close_all()
        return numbers

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        given = [n for share in pool.map(issue_share, range(WORKERS)) for n in share]

    assert sorted(given) == [f"F-{n:06d}" for n in range(1, INVOICES + 1)]
    stored = sorted(Invoice.objects.filter(organisation=organisation).values_list("sequence_number", flat=True))
    assert stored == list(range(1, INVOICES + 1))
    assert InvoiceSequence.objects.get(organisation=organisation, kind="invoice").last_number == INVOICES
