"""Test data made through the real services: a VIRTUALEO-like organisation, a client with a
contact, and an issued consumption invoice for a month (VCL-7's services amount)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ofelia.billing.contract_invoices import company_buyer
from ofelia.billing.models import Invoice, InvoicePurpose, PayerKind
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.billing.terms import terms_from_policy
from ofelia.organisations import services as org_services
from ofelia.organisations.models import ClientCompany, Organisation
from ofelia.organisations.testing import make_organisation
from ofelia.simulator.terms import policy_terms


def hosting_organisation(slug: str = "virtualeo-av") -> Organisation:
    """An organisation under VIRTUALEO's terms, subject to VAT, that can issue invoices."""
    org = make_organisation(legal_name="VIRTUALEO test", slug=slug, policy_id="virtualeo",
                            vat_status=Organisation.VatStatus.SUBJECT, legal_form="SAS",
                            share_capital="10 000 €", address_line1="3 quai des Données", postal_code="69002",
                            city="Lyon")
    siren = int(org.siret[:9])
    org.vat_number = f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren:09d}"
    org.save(update_fields=["vat_number"])
    return org


def company(organisation: Organisation, name: str, n: int = 1) -> ClientCompany:
    return org_services.client_company_create(
        actor=None, organisation=organisation, name=name, address_line1=f"{n} rue des Serveurs",
        postal_code="69002", city="Lyon")


def consumption_invoice(organisation: Organisation, client: ClientCompany, *, service_end: date,
                        amount: str = "2400.00") -> Invoice:
    """An issued consumption invoice (VCL-6) whose service ends on `service_end`."""
    policy = policy_terms(organisation=organisation, policy_id=organisation.policy_id or "", on=service_end)
    buyer = company_buyer(client)
    terms = terms_from_policy(policy, buyer_kind=buyer["buyer_kind"])
    fields: dict[str, Any] = {**terms.as_fields(), **buyer}
    draft = invoice_create_draft(
        actor=None, organisation=organisation, payer_kind=PayerKind.CLIENT, vat_exempt=False,
        service_start=service_end.replace(day=1), service_end=service_end,
        source_reference=f"test/{client.pk}/{service_end:%Y-%m}", purpose=InvoicePurpose.CONSUMPTION,
        lines=[{"description": "Consommation des classes virtuelles", "quantity": "1", "unit_price": amount,
                "vat_rate": "20", "rule": "VCL-6"}], **fields)
    return invoice_issue(actor=None, invoice=draft, issue_date=service_end)
