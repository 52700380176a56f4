"""Payment by bank transfer: what the client needs to pay an invoice without a card gateway.

The organisation's account (IBAN, BIC, holder, set on its settings page), the reference to
quote (the invoice number, so that staff match the transfer to it), the amount due, and
the same as an EPC QR code (European Payments Council, SEPA credit transfer, version 002)
that a banking app reads. Staff then record the transfer on the invoice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno.helpers

from .models import InvoiceStatus

# EPC069-12: amounts from 0.01 to 999 999 999.99 EUR; name 70, remittance text 140 characters.
EPC_MAX_AMOUNT = Decimal("999999999.99")


@dataclass(frozen=True)
class TransferDetails:
    holder: str
    iban: str
    iban_display: str
    bic: str
    reference: str
    amount: Decimal


def transfer_details(invoice: Any) -> TransferDetails | None:
    """The transfer that pays this invoice's balance; None when there is nothing to pay or
    the organisation has no account to pay into."""
    organisation = invoice.organisation
    payable = (invoice.kind == "invoice" and invoice.status == InvoiceStatus.ISSUED
               and Decimal("0") < invoice.balance <= EPC_MAX_AMOUNT)
    if not payable or not organisation.takes_transfers:
        return None
    return TransferDetails(
        holder=(organisation.bank_account_holder or organisation.legal_name)[:70],
        iban=organisation.iban, iban_display=organisation.iban_display, bic=organisation.bic,
        reference=f"Facture {invoice.number}"[:140], amount=invoice.balance,
    )


def epc_qr_svg(details: TransferDetails) -> bytes:
    """The EPC QR code of the transfer, as a standalone SVG (no script, no inline style)."""
    code = segno.helpers.make_epc_qr(name=details.holder, iban=details.iban, amount=details.amount,
                                     text=details.reference, bic=details.bic)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=4, dark="#000", light="#fff",
              title="QR code de virement SEPA", xmldecl=True, svgns=True)
    return out.getvalue()
