"""The EPC QR code of a transfer carries the organisation's account, the amount due and the
invoice reference (EPC069-12, version 002), and nothing to pay gives no transfer."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import segno.helpers

from ofelia.billing.transfer import epc_qr_svg, transfer_details


def _invoice(**fields: Any) -> Any:
    organisation = SimpleNamespace(legal_name="LA PORTE ACADÉMIE", bank_account_holder="",
                                   iban="FR7630004001230000000100350",
                                   iban_display="FR76 3000 4001 2300 0000 0100 350",
                                   bic="BNPAFRPPXXX", takes_transfers=True)
    values = {"organisation": organisation, "kind": "invoice", "status": "issued",
              "balance": Decimal("490.00"), "number": "F-000005", **fields}
    return SimpleNamespace(**values)


def test_epc_qr_payload_names_holder_account_amount_and_reference(monkeypatch: Any) -> None:
    seen: list[str] = []
    original = segno.make_qr

    def spy(content: Any, **kwargs: Any) -> Any:
        # segno picks the smallest character set EPC allows (here 2: ISO 8859-1).
        seen.append(content.decode("iso-8859-1") if isinstance(content, bytes) else content)
        return original(content, **kwargs)

    monkeypatch.setattr(segno, "make_qr", spy)
    details = transfer_details(_invoice())
    assert details is not None and details.holder == "LA PORTE ACADÉMIE"
    svg = epc_qr_svg(details)
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b"<script" not in svg
    lines = seen[0].split("\n")
    assert lines[:2] == ["BCD", "002"] and lines[2] in {"1", "2"} and lines[3] == "SCT"
    assert "BNPAFRPPXXX" in lines and "LA PORTE ACADÉMIE" in lines
    assert lines[6] == "FR7630004001230000000100350"
    assert lines[7].startswith("EUR") and Decimal(lines[7][3:]) == Decimal("490.00")
    assert lines[-1] == "Facture F-000005"


def test_nothing_to_pay_or_no_account_gives_no_transfer() -> None:
    assert transfer_details(_invoice(status="paid")) is None
    assert transfer_details(_invoice(balance=Decimal("0"))) is None
    assert transfer_details(_invoice(kind="credit_note")) is None
    no_account = _invoice()
    no_account.organisation.takes_transfers = False
    assert transfer_details(no_account) is None
