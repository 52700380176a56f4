"""Demo business data, part 3: funding, invoices, payments and the collections run.

The invoices of the finished demo session are built from what the rules core says each
payer owes (`invoice_from_contract`) and issued on the session's last day through the
normal numbering; then one is paid, one partly paid and one left unpaid, so the daily
collections job finds an overdue invoice to charge interest, the 40 € fee and the dunning
steps on. (`billing.demo`, the rolled-back sample invoice PDF, is another thing.)

Idempotent per organisation: nothing is written when an invoice already bills one of its
demo contracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import clock
from ofelia.organisations.models import Organisation
from ofelia.rules.french import fr_date
from ofelia.rules.money import cents
from ofelia.sales.demo import DemoSales, at, rules_cover

from .collections import RunReport, run_collections
from .contract_invoices import deposit_invoice_create, invoice_from_contract
from .funding import funding_entry_add, funding_plan
from .models import Invoice, InvoiceStatus
from .services import invoice_create_draft, invoice_issue, payment_record
from .terms import invoice_terms

OPCO = {"name": "OPCO EP (démonstration)", "address": "31 rue Anatole France\n92300 Levallois-Perret",
        "siret": "73282932000074"}


@dataclass
class DemoBilling:
    organisation: Organisation
    invoices: list[Invoice] = field(default_factory=list)
    collections: RunReport | None = None


def opco_subrogation_allowed(contract: Any) -> bool:
    """Where the terms have an OPCO funding clause (DIXNEUF FUN-D1, LA PORTE FUN-L3)."""
    from .funding import _policy

    policy = _policy(contract)
    return any("opco" in (c.get("payers") or []) for c in policy.clauses_of("FUN-"))


def _already_billed(sales: DemoSales) -> bool:
    return (Invoice.objects.for_organisation(sales.organisation)
            .filter(contract__in=sales.finished).exclude(status=InvoiceStatus.DRAFT).exists())


def _pay(invoice: Invoice, amount: Decimal, on: date, method: str, payer: str) -> None:
    with clock.frozen(at(on, 11)):
        payment_record(actor=None, organisation=invoice.organisation, method=method, amount=amount,
                       received_on=on, payer_name=payer, reference=f"Règlement {invoice.number}",
                       allocations=[(invoice, amount)])


def _invoice_from_price(contract: Any, on: date) -> Invoice:
    """Terms without training-contract clauses (Mi4): the agreed price, on the terms' own
    payment and late-penalty mentions (statutory ones where the terms are silent)."""
    company, consumer = contract.client_company, contract.consumer
    if company is not None:
        buyer: dict[str, Any] = {
            "buyer_kind": "professional", "buyer_name": company.name,
            "buyer_address": f"{company.address_line1}\n{company.postal_code} {company.city}",
            "buyer_siret": company.siret, "buyer_email": company.email, "client_company": company}
    else:
        buyer = {"buyer_kind": "consumer", "buyer_name": f"{consumer.first_name} {consumer.last_name}",
                 "buyer_address": f"{consumer.address_line1}\n{consumer.postal_code} {consumer.city}",
                 "buyer_email": consumer.email, "consumer_client": consumer}
    terms = invoice_terms(policy_id=contract.policy_id, buyer_kind=buyer["buyer_kind"], on=on,
                          organisation=contract.organisation, version=contract.policy_version)
    workforce = max(contract.workforce, 1)
    draft = invoice_create_draft(
        actor=None, organisation=contract.organisation, payer_kind="client",
        service_start=contract.start_date, service_end=contract.end_date,
        source_reference=f"{contract.number}/client", contract=contract, purpose="price",
        lines=[{"description": f"{contract.title} — session du {fr_date(contract.start_date)}, "
                               f"{workforce} stagiaire(s) ({contract.number})",
                "quantity": str(workforce), "unit_price": cents(contract.price / workforce),
                "vat_rate": contract.vat_rate}],
        **buyer, **terms.as_fields())
    return invoice_issue(actor=None, invoice=draft, issue_date=on)


@transaction.atomic
def load_billing(sales: DemoSales | None) -> DemoBilling | None:
    """Funding, invoices and payments of the finished session, then collections; None when
    there is nothing to do (the sales were already there, or the invoices are)."""
    if sales is None or not sales.finished or _already_billed(sales):
        return None
    today = clock.today()
    billing = DemoBilling(organisation=sales.organisation)
    first = sales.finished[0]
    signed = first.signed_on or first.start_date
    if rules_cover(first) and opco_subrogation_allowed(first):
        # The OPCO takes 60 % in charge, paid to us directly (subrogation); agreement in hand
        # a week before the training.
        with clock.frozen(at(signed + timedelta(days=2))):
            funding_entry_add(
                actor=None, contract=first, payer="opco", amount=cents(first.price * Decimal("0.6")),
                agreement_on=first.start_date - timedelta(days=7), subrogation=True,
                requested_on=signed + timedelta(days=1), funder_name=OPCO["name"],
                funder_address=OPCO["address"], funder_siret=OPCO["siret"])
    # Terms asking a deposit at order (FORMAGOGY PAY-F1): invoiced on signature, paid
    # within the week.
    for contract in sales.finished:
        if not rules_cover(contract) or contract.signed_on is None:
            continue
        plan = funding_plan(contract, as_of=contract.signed_on)
        if any(x.kind == "deposit" and x.amount > 0 for x in plan.of("client")):
            with clock.frozen(at(contract.signed_on, 15)):
                deposit = deposit_invoice_create(actor=None, contract=contract, on=contract.signed_on)
            _pay(deposit, deposit.total_incl_vat, contract.signed_on + timedelta(days=5), "transfer",
                 deposit.buyer_name)
            billing.invoices.append(deposit)
    end = first.end_date
    with clock.frozen(at(end, 17)):
        for contract in sales.finished:
            if not rules_cover(contract):
                billing.invoices.append(_invoice_from_price(contract, end))
                continue
            for payer in funding_plan(contract, as_of=end).payers():
                billing.invoices.append(invoice_from_contract(
                    actor=None, contract=contract, payer=payer, as_of=end, issue=True))
    # Who pays what: funders and the private learner in full, the second employer half, the
    # demo client company nothing yet (the overdue one).
    by_contract = {c.pk: c for c in sales.finished}
    for invoice in billing.invoices:
        if invoice.purpose == "deposit":
            continue
        contract = by_contract[invoice.contract_id]
        if invoice.payer_kind == "opco":
            _pay(invoice, invoice.total_incl_vat, min(end + timedelta(days=20), today), "transfer",
                 invoice.buyer_name)
        elif contract is sales.finished[1]:
            _pay(invoice, cents(invoice.total_incl_vat / 2), min(end + timedelta(days=12), today),
                 "transfer", invoice.buyer_name)
        elif contract is sales.finished[2]:
            _pay(invoice, invoice.total_incl_vat, min(end + timedelta(days=2), today), "card",
                 invoice.buyer_name)
    for invoice in billing.invoices:
        invoice.refresh_from_db()
    billing.collections = run_collections(as_of=today, organisation_id=sales.organisation.pk)
    return billing


def billing_summary(organisation: Organisation) -> dict[str, int]:
    invoices = Invoice.objects.for_organisation(organisation).filter(kind="invoice")
    return {
        "invoices": invoices.exclude(status=InvoiceStatus.DRAFT).count(),
        "overdue": invoices.filter(status=InvoiceStatus.ISSUED, due_date__lt=clock.today()).count(),
    }
