"""CSV exports for the accountant: French conventions (semicolon, decimal comma, UTF-8 BOM)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ofelia.core.exports import csv_text

INVOICE_COLUMNS = [
    "Numéro", "Type", "Date", "Échéance", "Client", "SIRET client", "Payeur", "Total HT",
    "TVA", "Total TTC", "Payé", "Crédité", "Solde", "État", "Pièce rectifiée", "Origine",
]


def _n(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _d(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    # The shared writer: BOM, semicolons, formula-looking cells neutralised.
    return csv_text(header, rows)


def invoices_csv(invoices: Iterable[Any]) -> str:
    rows = (
        [i.number, i.get_kind_display(), _d(i.issue_date), _d(i.due_date), i.buyer_name,
         i.buyer_siret, i.get_payer_kind_display(), _n(i.total_excl_vat), _n(i.total_vat),
         _n(i.total_incl_vat), _n(i.amount_paid), _n(i.amount_credited),
         _n(i.balance if i.kind == "invoice" else Decimal("0.00")), i.get_status_display(),
         i.credited_invoice.number if i.credited_invoice_id else "", i.source_reference]
        for i in invoices
    )
    return _csv(INVOICE_COLUMNS, rows)


def ageing_csv(buckets: Iterable[tuple[str, Decimal, int]]) -> str:
    return _csv(["Tranche", "Montant dû", "Factures"],
                ([label, _n(amount), str(count)] for label, amount, count in buckets))


def revenue_csv(rows: Iterable[tuple[str, Decimal]]) -> str:
    return _csv(["Financeur", "Chiffre d'affaires HT"], ([label, _n(v)] for label, v in rows))
