"""A sample invoice of a demo organisation, built in a transaction that is rolled back.

The demo must not consume a number of the organisation's real series: numbering has no
gaps, so the sample is issued inside a transaction that is undone once the PDF exists.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ofelia.organisations.demo import ORGANISATIONS
from ofelia.organisations.models import Organisation

from .pdf import invoice_pdf
from .services import invoice_create_draft, invoice_issue
from .terms import invoice_terms


class _Rollback(Exception):
    pass


def demo_invoice_pdf(*, slug: str = "dixneuf", issue_date: date = date(2025, 9, 15)) -> bytes:
    data = next((d for d in ORGANISATIONS if d["slug"] == slug), None)
    if data is None:
        known = ", ".join(d["slug"] for d in ORGANISATIONS)
        raise ValueError(f"Organisation de démonstration inconnue : {slug} (connues : {known}).")
    pdf = b""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                organisation = Organisation.objects.create(**data)
            terms = invoice_terms(policy_id=organisation.policy_id or slug,
                                  buyer_kind="professional", on=issue_date,
                                  organisation=organisation)
            draft = invoice_create_draft(
                actor=None,
                organisation=organisation,
                buyer_kind="professional",
                buyer_name="Ateliers Martin SARL",
                buyer_address="12 avenue du Port\n44000 Nantes",
                buyer_siret="73282932000074",
                buyer_email="compta@ateliers-martin.example",
                service_start=date(2025, 9, 8),
                service_end=date(2025, 9, 10),
                source_reference="Convention CV-2025-0042",
                lines=[
                    {"description": "Formation « Habilitation électrique B1V-B2V » — 3 jours, "
                                    "session inter du 8 au 10 septembre 2025",
                     "quantity": "2", "unit_price": "690.00"},
                    {"description": "Supports de cours et évaluation des acquis",
                     "quantity": "2", "unit_price": "35.00"},
                ],
                **terms.as_fields(),
            )
            invoice = invoice_issue(actor=None, invoice=draft, issue_date=issue_date)
            pdf = invoice_pdf(invoice)
            raise _Rollback
    except _Rollback:
        pass
    return pdf
