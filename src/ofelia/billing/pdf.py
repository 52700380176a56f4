"""Invoice PDFs (WeasyPrint) carrying their Factur-X EN 16931 XML (PDF/A-3 attachment)."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import facturx
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .calculations import VAT_EXEMPTION_MENTION
from .facturx_xml import build_cii_xml
from .models import DocumentKind, StoredInvoicePdf

INVOICE_CSS = Path(__file__).parent / "templates" / "billing" / "pdf" / "invoice.css"

# Both libraries narrate every step at INFO; an invoice run is not news.
for _name in ("facturx", "weasyprint"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class NotIssued(Exception):
    """A draft has no number: it cannot be a legal PDF."""


def invoice_title(invoice: Any) -> str:
    return "Avoir" if invoice.kind == DocumentKind.CREDIT_NOTE else "Facture"


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    """Fontconfig's font set, prepared once per process (not once per document)."""
    return FontConfiguration()


@lru_cache(maxsize=1)
def _invoice_css() -> CSS:
    """The invoice stylesheet, parsed once per process."""
    return CSS(string=INVOICE_CSS.read_text(encoding="utf-8"), font_config=_fonts())


def render_html_pdf(html: str, *, stylesheets: tuple[CSS, ...] = ()) -> bytes:
    return HTML(string=html).write_pdf(  # type: ignore[no-any-return]
        pdf_variant="pdf/a-3b", stylesheets=list(stylesheets), font_config=_fonts())


def render_invoice_pdf(invoice: Any) -> bytes:
    """The PDF/A-3 with the validated CII XML embedded (factur-x.xml), rendered now."""
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
        render_html_pdf(html, stylesheets=(_invoice_css(),)),
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


def store_invoice_pdf(invoice: Any) -> bytes:
    """Render an issued document once and keep its bytes; the bytes already kept win.

    Called at issue; a document issued before PDFs were stored gets its bytes at its first
    download. Two first downloads at once: one row is written, both answer with it.
    """
    pdf = render_invoice_pdf(invoice)
    try:
        with transaction.atomic():
            StoredInvoicePdf.objects.create(organisation_id=invoice.organisation_id, invoice=invoice,
                                            content=pdf, sha256=hashlib.sha256(pdf).hexdigest())
    except IntegrityError:
        return bytes(StoredInvoicePdf.objects.get(invoice=invoice).content)
    return pdf


def invoice_pdf(invoice: Any) -> bytes:
    """The PDF of an issued invoice or credit note: the stored bytes, byte for byte."""
    if invoice.is_draft:
        raise NotIssued("Une facture brouillon n'a pas de PDF : l'émettre d'abord.")
    stored = (StoredInvoicePdf.objects.filter(invoice_id=invoice.pk)
              .values_list("content", flat=True).first())
    if stored is not None:
        return bytes(stored)
    return store_invoice_pdf(invoice)
