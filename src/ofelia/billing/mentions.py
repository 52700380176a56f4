"""Mandatory mentions of an invoice, checked before a number is given.

Sources: Code de commerce L441-9 (date, parties, quantities and prices, due date, late
penalty rate, the 40 € recovery fee for professionals), CGI annexe II art. 242 nonies A
(seller and buyer identity and addresses, SIREN/SIRET, VAT number, number, date, VAT rate
or the exemption's legal basis), Code du travail R6351-6 (without a convention, the
activity declaration number, NDA, goes on the order, quote or invoice; we print it on every
invoice) and L6352-12 (that registration is no State approval). Each missing mention is
named, in French.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .calculations import VAT_EXEMPTION_MENTION


def missing_mentions(
    *, invoice: Any, seller: Mapping[str, str], lines: Sequence[Any]
) -> list[str]:
    """The names of the missing mentions; an empty list means the invoice can be issued."""
    missing: list[str] = []

    def need(value: object, name: str) -> None:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            missing.append(name)

    need(seller.get("legal_name"), "dénomination du vendeur")
    need(seller.get("address"), "adresse du vendeur")
    need(seller.get("siret"), "SIRET du vendeur")
    need(seller.get("nda_number"), "numéro de déclaration d'activité (NDA) du vendeur")
    if not invoice.vat_exempt:
        # An organisation exempt from VAT on training may hold no VAT number; one that
        # charges VAT must print it (242 nonies A, 1°).
        need(seller.get("vat_number"), "numéro de TVA intracommunautaire du vendeur")
    need(invoice.buyer_name, "nom ou dénomination du client")
    need(invoice.buyer_address, "adresse de facturation du client")
    if invoice.service_start is None and invoice.service_end is None:
        missing.append("date ou période de la prestation")
    if not lines:
        missing.append("désignation des prestations (aucune ligne)")
    for line in lines:
        if not (line.description or "").strip():
            missing.append(f"désignation de la ligne {line.position}")
    if invoice.kind == "credit_note":
        if invoice.credited_invoice_id is None:
            missing.append("référence de la facture rectifiée")
        return missing
    need(invoice.payment_terms, "conditions de paiement (dont l'escompte)")
    if invoice.buyer_kind == "professional":
        # L441-9 concerns sales between professionals: the rate and the 40 € fee.
        need(invoice.late_penalty_mention, "taux des pénalités de retard")
        if not invoice.recovery_fee_applies:
            missing.append(
                "indemnité forfaitaire pour frais de recouvrement de 40 € (client professionnel)"
            )
    return missing


def vat_mention(*, vat_exempt: bool) -> str:
    return VAT_EXEMPTION_MENTION if vat_exempt else ""
