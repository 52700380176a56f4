"""Invoice PDFs (WeasyPrint) carrying their Factur-X EN 16931 XML (PDF/A-3 attachment)."""

from __future__ import annotations

import logging
from typing import Any

import facturx
from django.template.loader import render_to_string
from weasyprint import HTML

from .calculations import VAT_EXEMPTION_MENTION
from .facturx_xml import build_cii_xml
from .models import DocumentKind

# Both libraries narrate every step at INFO; an invoice run is not news.
for _name in ("facturx", "weasyprint"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class NotIssued(Exception):
    """A draft has no number: it cannot be a legal PDF."""


def invoice_title(invoice: Any) -> str:
    return "Avoir" if invoice.kind == DocumentKind.CREDIT_NOTE else "Facture"


def render_html_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")  # type: ignore[no-any-return]


def invoice_pdf(invoice: Any) -> bytes:
    """The PDF/A-3 with the validated CII XML embedded (factur-x.xml)."""
    if invoice.is_draft:
        raise NotIssued("Une facture brouillon n'a pas de PDF : l'émettre d'abord.")
    lines = list(invoice.lines.all())
    html = render_to_string(
        "billing/pdf/invoice.html",
        {"invoice": invoice, "lines": lines, "seller": invoice.seller,
         "title": invoice_title(invoice), "vat_mention": VAT_EXEMPTION_MENTION,
         # Lines without VAT on an invoice that charges VAT: a compensation the terms set
         # (CAN-D1...), named with its clause.
         "untaxed_rules": sorted({x.rule for x in lines if not invoice.vat_exempt
                                  and x.vat_rate == 0 and x.rule})},
    )
    xml = build_cii_xml(invoice, lines)
    return facturx.generate_from_binary(  # type: ignore[no-any-return]
        render_html_pdf(html),
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": invoice.seller.get("legal_name", ""),
            "keywords": "Factur-X, facture",
            "title": f"{invoice_title(invoice)} {invoice.number}",
            "subject": f"{invoice_title(invoice)} {invoice.number} — {invoice.buyer_name}",
        },
        lang="fr-FR",
    )


def invoice_filename(invoice: Any) -> str:
    return f"{invoice_title(invoice).lower()}-{invoice.number}.pdf"
