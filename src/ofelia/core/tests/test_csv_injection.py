"""Issue 14, item 2: cells a spreadsheet would run as formulas are neutralised in the one CSV
writer of the audit, invoice, report and data-rights exports; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ofelia.billing.exports import invoices_csv
from ofelia.core import audit
from ofelia.core.exports import csv_text, safe_cell


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12", "-2+3",
                                  "@SUM(A1)", "\t=1+1", "\r=1+1", "=1", "-", "+"])
def test_i14_formula_cells_are_neutralised_with_an_apostrophe(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-120,50", "-3", "+4.5", "Acme", "", "12=3", "a-b", 42, None])
def test_i14_numbers_and_plain_text_are_kept(cell: object) -> None:
    assert safe_cell(cell) == cell


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_i14_csv_text_keeps_the_french_conventions() -> None:
    text = csv_text(["Client", "Montant"], [["=cmd|' /C calc'!A0", "-100,00"]])
    assert text.startswith("\ufeffClient;Montant\r\n")
    assert _rows(text)[1] == ["'=cmd|' /C calc'!A0", "-100,00"]


def test_i14_invoice_export_neutralises_a_formula_company_name() -> None:
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    invoice = SimpleNamespace(
        number="F-1", get_kind_display=lambda: "Facture", issue_date=date(2026, 1, 2),
        due_date=None, buyer_name='=HYPERLINK("http://evil","x")', buyer_siret="",
        get_payer_kind_display=lambda: "Client", total_excl_vat=Decimal("-10"),
        total_vat=Decimal(0), total_incl_vat=Decimal("-10"), amount_paid=Decimal(0),
        amount_credited=Decimal(0), balance=Decimal(0), kind="credit_note",
        get_status_display=lambda: "Émise", credited_invoice_id=None, source_reference="@x")
    row = _rows(invoices_csv([invoice]))[1]
    assert row[4] == '\'=HYPERLINK("http://evil","x")' and row[7] == "-10,00" and row[-1] == "'@x"


def test_i14_audit_export_neutralises_a_formula_object_name(client, org_a, admin_a) -> None:
    audit.record(actor=admin_a, organisation=org_a, action="company.create",
                 object_repr='=HYPERLINK("http://evil","x")')
    client.force_login(admin_a)
    response = client.get(reverse("audit-log"), {"format": "csv"})
    rows = _rows(response.content.decode("utf-8"))
    assert rows[1][5] == '\'=HYPERLINK("http://evil","x")'
