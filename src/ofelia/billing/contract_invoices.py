"""Invoices of a contract, built from the rules core's computed charges: one per payer
(client, OPCO, CPF…) and the deposits (PAY-F1, PAY-D1), each line keeping its clause."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import clock
from ofelia.rules.french import fr_date
from ofelia.rules.money import cents, fmt_eur, percent_of

from .funding import PAYER_LABELS, PlanLine, _policy, _settle_on_commit, funding_plan, plan_of
from .models import (
    ZERO,
    DocumentKind,
    FundingPlan,
    Invoice,
    InvoicePurpose,
    InvoiceStatus,
    PayerKind,
)
from .services import BillingError, invoice_create_draft, invoice_issue
from .terms import _first, terms_from_policy


def company_buyer(company: Any) -> dict[str, Any]:
    """The buyer fields of an invoice to a client company (its billing address first)."""
    lines = [company.billing_line1 or company.address_line1,
             f"{company.billing_postal_code or company.postal_code} "
             f"{company.billing_city or company.city}".strip()]
    return {"buyer_kind": "professional", "buyer_name": company.name,
            "buyer_address": "\n".join(x for x in lines if x),
            "buyer_siret": company.siret, "buyer_vat_number": company.vat_number,
            "buyer_email": company.email, "client_company": company}


def _buyer(contract: Any, payer: str, plan: FundingPlan) -> dict[str, Any]:
    if payer in ("client", "learner"):
        company, consumer = contract.client_company, contract.consumer
        if company is not None:
            return company_buyer(company)
        lines = [consumer.address_line1, f"{consumer.postal_code} {consumer.city}".strip()]
        return {"buyer_kind": "consumer", "buyer_name": f"{consumer.first_name} {consumer.last_name}",
                "buyer_address": "\n".join(x for x in lines if x), "buyer_email": consumer.email,
                "consumer_client": consumer}
    funder = (plan.funder_names or {}).get(payer) or {}
    if not funder.get("name") or not funder.get("address"):
        raise BillingError(f"Indiquez le nom et l'adresse de facturation du financeur "
                           f"« {PAYER_LABELS.get(payer, payer)} » dans le plan de financement.")
    return {"buyer_kind": "professional", "buyer_name": funder["name"],
            "buyer_address": funder["address"], "buyer_siret": funder.get("siret", "")}


def _source(contract: Any, what: str) -> str:
    return f"{contract.number}/{what}"


def _already_billed(contract: Any, purpose: str, payer: str | None = None) -> Invoice | None:
    found = (Invoice.objects.filter(contract=contract, kind=DocumentKind.INVOICE, purpose=purpose)
             .exclude(status__in=(InvoiceStatus.CANCELLED, InvoiceStatus.DRAFT)))
    if payer is not None:
        found = found.filter(payer_kind=payer)
    return found.first()


def contract_invoice_draft(*, actor: Any, contract: Any, payer: str, purpose: str,
                           lines: list[dict[str, Any]], due_date: date | None = None,
                           plan: FundingPlan | None = None, source: Any = None) -> Invoice:
    """A draft invoice of the contract to `payer`: its buyer, the contract's terms (payment,
    late penalties) and the lines given, each with its own VAT rate and clause."""
    plan = plan or plan_of(contract)
    buyer = _buyer(contract, payer, plan)
    terms = terms_from_policy(_policy(contract, source), buyer_kind=buyer["buyer_kind"],
                              scope=(contract.client_kind, contract.format))
    fields = {**terms.as_fields(), **buyer}
    if due_date is not None:
        fields["due_date"] = due_date
    return invoice_create_draft(
        actor=actor, organisation=contract.organisation,
        payer_kind=payer if payer in PayerKind.values else PayerKind.CLIENT,
        service_start=contract.start_date, service_end=contract.end_date,
        source_reference=_source(contract, "acompte" if purpose == InvoicePurpose.DEPOSIT else payer),
        contract=contract, purpose=purpose, lines=lines, **fields,
    )


@transaction.atomic
def _payer_kind(payer: str) -> str:
    return payer if payer in PayerKind.values else PayerKind.CLIENT


def _payer_draft(contract: Any, payer: str) -> Invoice | None:
    from .settlement import settlement_drafts

    kind = _payer_kind(payer)
    return next((d for d in settlement_drafts(contract)[1]
                 if d.payer_kind == kind and d.purpose != InvoicePurpose.DEPOSIT), None)


def _payer_invoice(contract: Any, payer: str) -> Invoice | None:
    return (Invoice.objects.filter(contract=contract, kind=DocumentKind.INVOICE,
                                   payer_kind=_payer_kind(payer))
            .exclude(status__in=(InvoiceStatus.CANCELLED, InvoiceStatus.DRAFT)).first())


def invoiced_already(contract: Any, payer: str) -> Invoice | None:
    """The payer's issued invoice when no draft waits for them: « Préparer la facture » would
    be refused (correct by a credit note first), so the page shows that invoice instead."""
    return None if _payer_draft(contract, payer) is not None else _payer_invoice(contract, payer)


def invoice_from_contract(*, actor: Any, contract: Any, payer: str, as_of: date | None = None,
                          issue: bool = False) -> Invoice:
    """The invoice of what the rules core says `payer` owes on the contract: settlement's
    draft for that payer (made now if need be), issued on request."""
    from .settlement import contract_settle, draft_invoice_issue

    as_of = as_of or clock.today()
    if contract.signed_on is None:
        raise BillingError("Un contrat non signé ne se facture pas.")
    result = contract_settle(contract=contract, as_of=as_of, actor=actor)
    draft = _payer_draft(contract, payer)
    if draft is None:
        if result.problems:
            raise BillingError(" ; ".join(result.problems))
        existing = _payer_invoice(contract, payer)
        if existing is not None:
            raise BillingError(f"{PAYER_LABELS.get(payer, payer)} est déjà facturé pour ce contrat "
                               f"({existing}) ; corriger par un avoir avant de refacturer.")
        raise BillingError(f"Rien à facturer à {PAYER_LABELS.get(payer, payer)} pour ce contrat "
                           f"au {fr_date(as_of)}.")
    return draft_invoice_issue(actor=actor, draft=draft, on=as_of) if issue else draft


# --- deposits (PAY-F1, PAY-D1 / RET-3) -------------------------------------------------------

@transaction.atomic
def deposit_invoice_create(*, actor: Any, contract: Any, amount: Decimal | str | None = None,
                           on: date | None = None) -> Invoice:
    """Ask for the deposit / first payment the contract's payment clause allows, no more, no
    earlier; refused naming the clause otherwise."""
    on = on or clock.today()
    if contract.signed_on is None:
        raise BillingError("Un acompte se demande sur un contrat signé.")
    policy = _policy(contract)
    pay = _first(policy, "PAY-", contract.client_kind)
    if pay is None or (pay.get("deposit_percent") is None and pay.get("first_payment_max_percent") is None):
        raise BillingError("Les conditions de ce contrat ne prévoient pas d'acompte.")
    if _already_billed(contract, InvoicePurpose.DEPOSIT) is not None:
        raise BillingError("L'acompte de ce contrat est déjà facturé.")
    plan = funding_plan(contract, as_of=on)
    where = f"{policy.document}, {pay.article}"
    cap = pay.get("first_payment_max_percent")
    if cap is not None:
        starts = plan.outcome.get("deadlines", {}).get("first_payment_from")
        ret = policy.clause("RET-3")
        if starts and on < date.fromisoformat(starts):
            raise BillingError(
                f"Acompte refusé ({pay.rule}/{ret.rule if ret else 'RET-3'}, {where}) : aucune somme "
                f"ne peut être exigée avant la fin du délai de rétractation ; premier versement "
                f"possible à partir du {fr_date(date.fromisoformat(starts))}.")
        wanted = cents(amount) if amount is not None else contract.deposit
        limit = percent_of(contract.price, cap)
        if wanted <= 0:
            raise BillingError("Indiquez le montant du premier versement (HT).")
        if wanted > limit:
            raise BillingError(
                f"Acompte refusé ({pay.rule}, {where}) : {fmt_eur(wanted)} dépasse le premier "
                f"versement maximal de {cap} % du prix, soit {fmt_eur(limit)}.")
        line = PlanLine("client", "deposit", wanted, ZERO, pay.rule,
                        f"Premier versement de {fmt_eur(wanted)} (au plus {cap} % du prix), "
                        f"exigible après le délai de rétractation ({where})", on)
    else:
        found = [x for x in plan.of("client") if x.kind == "deposit" and x.amount > 0]
        if not found:
            raise BillingError(f"Aucun acompte n'est dû sur ce contrat ({where}).")
        if amount is not None and cents(amount) != found[0].amount:
            raise BillingError(f"L'acompte est fixé par les conditions ({where}) : "
                               f"{fmt_eur(found[0].amount)}, pas {fmt_eur(cents(amount))}.")
        line = found[0]
    # Settlement may have proposed this deposit already: the one issued here replaces it.
    Invoice.objects.filter(contract=contract, status=InvoiceStatus.DRAFT,
                           kind=DocumentKind.INVOICE, purpose=InvoicePurpose.DEPOSIT).delete()
    draft = contract_invoice_draft(
        actor=actor, contract=contract, payer="client", purpose=InvoicePurpose.DEPOSIT,
        due_date=max(on, line.due_on or on),
        lines=[{"description": f"{contract.title} — {line.explanation}"[:500], "quantity": "1",
                "unit_price": line.amount, "vat_rate": contract.vat_rate, "rule": line.rule,
                "explanation": line.explanation}])
    _settle_on_commit(contract, actor)  # the price's draft now deducts this deposit
    return invoice_issue(actor=actor, invoice=draft, issue_date=on)
