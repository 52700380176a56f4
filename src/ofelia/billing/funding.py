"""Funding plans, invoices built from a contract's computed charges, deposits and refunds.

Who owes what is never computed here: the contract's facts go to the rules core through
`ofelia.sales.rules_io` (the same door as `ofelia simulate`), and the outcome's charge lines
per payer become invoice lines, each keeping its clause and French explanation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import audit, clock
from ofelia.rules.errors import RulesError
from ofelia.rules.money import D, cents, fmt_eur, percent_of
from ofelia.rules.policy import Policy
from ofelia.simulator.terms import policy_terms

from .models import (
    ZERO,
    DocumentKind,
    FundingPlan,
    Invoice,
    InvoicePurpose,
    InvoiceStatus,
    PayerKind,
    Refund,
    RefundStatus,
)
from .services import BillingError, invoice_create_draft, invoice_issue
from .terms import _first, terms_from_policy

FUNDER_PAYERS = ("opco", "cpf", "france_travail", "faf", "employer")
PAYER_LABELS = {"client": "Client", "learner": "Stagiaire (reste à charge)", "opco": "OPCO",
                "cpf": "CPF (Caisse des dépôts)", "france_travail": "France Travail",
                "faf": "FAF", "employer": "Employeur"}


@dataclass(frozen=True)
class PlanLine:
    payer: str
    kind: str
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    due_on: date | None


@dataclass(frozen=True)
class Plan:
    outcome: Mapping[str, Any]
    lines: tuple[PlanLine, ...]

    def of(self, payer: str) -> list[PlanLine]:
        return [x for x in self.lines if x.payer == payer]

    def payers(self) -> list[str]:
        return list(dict.fromkeys(x.payer for x in self.lines if x.amount > 0))


def _rules_io() -> Any:
    from ofelia.sales import rules_io

    return rules_io


def plan_of(contract: Any) -> FundingPlan:
    plan = FundingPlan.objects.filter(contract=contract).first()
    return plan or FundingPlan(organisation_id=contract.organisation_id, contract=contract)


def _case_funding(contract: Any, plan: FundingPlan, extra: Iterable[Any] = ()) -> list[Any]:
    entries = [*contract.funding.all(), *extra]
    if not plan.opco_subrogation:
        # Without subrogation the client pays us everything and the OPCO reimburses them.
        entries = [e for e in entries if e.payer != "opco"]
    return entries


def _evaluable(contract: Any, on: date) -> Any:
    if contract.signed_on is not None:
        return contract
    # A draft's funding is checked as if signed today (the terms in force today).
    draft = copy.copy(contract)
    draft.signed_on = on
    return draft


def evaluate(contract: Any, *, as_of: date, extra_funding: Iterable[Any] = ()) -> Mapping[str, Any]:
    """The rules core's outcome for the contract's facts and its funding plan."""
    plan = plan_of(contract)
    try:
        return _rules_io().evaluate_contract(  # type: ignore[no-any-return]
            _evaluable(contract, as_of), as_of=as_of,
            funding=_case_funding(contract, plan, extra_funding))
    except RulesError as exc:
        raise BillingError(str(exc)) from exc


def funding_plan(contract: Any, *, as_of: date) -> Plan:
    """What each payer is invoiced: the outcome's charge lines, grouped by payer."""
    outcome = evaluate(contract, as_of=as_of)
    lines = tuple(
        PlanLine(payer=c["payer"], kind=c["kind"], amount=D(c["amount"]), vat=D(c.get("vat", "0")),
                 rule=c.get("rule", ""), explanation=c.get("explanation", ""),
                 due_on=date.fromisoformat(c["due_on"]) if c.get("due_on") else None)
        for c in outcome.get("charges", [])
    )
    return Plan(outcome=outcome, lines=lines)


def _policy(contract: Any, source: Any = None) -> Policy:
    """The contract's terms, through the one door (the organisation's own versions too)."""
    return policy_terms(organisation=contract.organisation, policy_id=contract.policy_id,
                        version=contract.policy_version or None,
                        on=contract.signed_on or clock.today(), source=source)


@transaction.atomic
def funding_entry_add(
    *,
    actor: Any,
    contract: Any,
    payer: str,
    amount: Decimal | str | None = None,
    agreement_on: date | None = None,
    rights: Decimal | str | None = None,
    exempt: bool = False,
    requested_on: date | None = None,
    subrogation: bool | None = None,
    funder_name: str = "",
    funder_address: str = "",
    funder_siret: str = "",
    today: date | None = None,
) -> Any:
    """Add a payer to the contract; the rules core checks it before anything is written."""
    from ofelia.sales.models import FundingEntry

    today = today or clock.today()
    if payer not in FUNDER_PAYERS:
        raise BillingError(f"Financeur inconnu : {payer}.")
    if contract.funding.filter(payer=payer).exists():
        raise BillingError(f"Ce contrat a déjà un financement « {PAYER_LABELS[payer]} ».")
    if payer in ("opco", "employer") and (amount is None or D(amount) <= 0):
        raise BillingError(f"Indiquez le montant pris en charge par {PAYER_LABELS[payer]} (HT).")
    if payer == "cpf" and (rights is None or D(rights) < 0):
        raise BillingError("Indiquez les droits CPF disponibles du stagiaire (montant HT).")
    if payer == "france_travail" and requested_on is None:
        raise BillingError("Indiquez la date de la demande d'abondement à France Travail (FUN-L2).")
    entry = FundingEntry(
        contract=contract, payer=payer,
        amount=cents(amount) if amount is not None else None, agreement_on=agreement_on,
        rights=cents(rights) if rights is not None else None, exempt=exempt,
        requested_on=requested_on,
    )
    outcome = evaluate(contract, as_of=today, extra_funding=[entry])
    if payer == "france_travail":
        latest = outcome.get("deadlines", {}).get("france_travail_request_by")
        if latest and requested_on is not None and requested_on > date.fromisoformat(latest):
            clause = _policy(contract).clause("FUN-L2")
            where = f" ({clause.article})" if clause else ""
            raise BillingError(
                f"Abondement France Travail refusé (FUN-L2{where}) : la demande du "
                f"{requested_on:%d/%m/%Y} est postérieure à la date limite du "
                f"{date.fromisoformat(latest):%d/%m/%Y}, 21 jours ouvrés avant le début de la "
                "formation.")
    entry.save()
    plan = plan_of(contract)
    if subrogation is not None and payer == "opco":
        plan.opco_subrogation = subrogation
    if payer == "opco" and requested_on is not None:
        plan.opco_requested_on = requested_on
    if funder_name:
        plan.funder_names = {**plan.funder_names, payer: {
            "name": funder_name, "address": funder_address, "siret": funder_siret}}
    plan.save()
    audit.record(actor=actor, action="funding.add", organisation=contract.organisation, obj=contract,
                 after={"payer": payer, "amount": entry.amount, "rights": entry.rights,
                        "exempt": exempt, "requested_on": requested_on,
                        "agreement_on": agreement_on, "subrogation": plan.opco_subrogation})
    _settle_on_commit(contract, actor)
    return entry


def _settle_on_commit(contract: Any, actor: Any) -> None:
    """Who pays what changed: settlement updates the contract's drafts once committed."""
    if contract.signed_on is None:
        return
    from .receivers import settle_after

    transaction.on_commit(lambda: settle_after(contract=contract, actor=actor))


# --- invoices from the computed charges -----------------------------------------------------

def _buyer(contract: Any, payer: str, plan: FundingPlan) -> dict[str, Any]:
    if payer in ("client", "learner"):
        company, consumer = contract.client_company, contract.consumer
        if company is not None:
            lines = [company.billing_line1 or company.address_line1,
                     f"{company.billing_postal_code or company.postal_code} "
                     f"{company.billing_city or company.city}".strip()]
            return {"buyer_kind": "professional", "buyer_name": company.name,
                    "buyer_address": "\n".join(x for x in lines if x),
                    "buyer_siret": company.siret, "buyer_vat_number": company.vat_number,
                    "buyer_email": company.email, "client_company": company}
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
def invoice_from_contract(*, actor: Any, contract: Any, payer: str, as_of: date | None = None,
                          issue: bool = False) -> Invoice:
    """The invoice of what the rules core says `payer` owes on the contract: settlement's
    draft for that payer (made now if need be), issued on request."""
    from .settlement import contract_settle, draft_invoice_issue, settlement_drafts

    as_of = as_of or clock.today()
    if contract.signed_on is None:
        raise BillingError("Un contrat non signé ne se facture pas.")
    result = contract_settle(contract=contract, as_of=as_of, actor=actor)
    payer_kind = payer if payer in PayerKind.values else PayerKind.CLIENT
    draft = next((d for d in settlement_drafts(contract)[1]
                  if d.payer_kind == payer_kind and d.purpose != InvoicePurpose.DEPOSIT), None)
    if draft is None:
        if result.problems:
            raise BillingError(" ; ".join(result.problems))
        existing = (Invoice.objects.filter(contract=contract, kind=DocumentKind.INVOICE,
                                           payer_kind=payer_kind)
                    .exclude(status__in=(InvoiceStatus.CANCELLED, InvoiceStatus.DRAFT)).first())
        if existing is not None:
            raise BillingError(f"{PAYER_LABELS.get(payer, payer)} est déjà facturé pour ce contrat "
                               f"({existing}) ; corriger par un avoir avant de refacturer.")
        raise BillingError(f"Rien à facturer à {PAYER_LABELS.get(payer, payer)} pour ce contrat "
                           f"au {as_of:%d/%m/%Y}.")
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
                f"possible à partir du {date.fromisoformat(starts):%d/%m/%Y}.")
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


# --- refunds (RET-3 and over-payments) --------------------------------------------------------

def refundable(invoice: Invoice) -> Decimal:
    """What was paid beyond what is owed (after avoirs), less the refunds already planned."""
    # A paid refund already lowered `amount_paid`; only those still due are set aside.
    planned = sum((r.amount for r in invoice.refunds.filter(status=RefundStatus.DUE)), ZERO)
    return max(-invoice.balance, ZERO) - planned


@transaction.atomic
def refund_create(*, actor: Any, invoice: Invoice, amount: Decimal | str, due_on: date | None = None,
                  rule: str = "", explanation: str = "", contract: Any = None) -> Refund:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = cents(amount)
    if amount <= 0:
        raise BillingError("Le montant d'un remboursement doit être positif.")
    available = refundable(invoice)
    if amount > available:
        raise BillingError(f"Remboursement refusé : {fmt_eur(amount)} dépasse ce qui a été payé en "
                           f"trop sur {invoice} ({fmt_eur(available)}) ; émettre d'abord un avoir.")
    refund = Refund.objects.create(
        organisation_id=invoice.organisation_id, invoice=invoice, contract=contract,
        payee_name=invoice.buyer_name, amount=amount, due_on=due_on or clock.today(), rule=rule,
        explanation=explanation, source_reference=invoice.source_reference)
    audit.record(actor=actor, action="refund.create", organisation=invoice.organisation, obj=refund,
                 after=audit.snapshot(refund))
    return refund


STAFF_REFUND_METHODS = ("transfer", "cheque")


@transaction.atomic
def refund_pay(*, actor: Any, refund: Refund, method: str, paid_on: date | None = None,
               reference: str = "") -> Refund:
    """A refund made by staff (transfer, cheque): the invoice's paid amount goes down.

    Money back to a card or a SEPA debit goes through the payment provider instead
    (`online.refund_online`), which records it once with the provider's reference.
    """
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.PAID:
        raise BillingError(f"{refund} est déjà effectué.")
    if method in ("card", "sepa_debit"):
        raise BillingError("Un remboursement sur carte ou prélèvement SEPA passe par Stripe "
                           "(« Rembourser par Stripe ») : il ne se saisit pas à la main.")
    if method not in STAFF_REFUND_METHODS:
        raise BillingError(f"Moyen de remboursement inconnu : {method}.")
    return refund_record_paid(actor=actor, refund=refund, method=method,
                              paid_on=paid_on or clock.today(), reference=reference)


def refund_record_paid(*, actor: Any, refund: Refund, method: str, paid_on: date, reference: str,
                       provider_reference: str | None = None) -> Refund:
    """The money left (the caller holds the refund's row lock): the refund is paid and the
    invoice's paid amount goes down by it."""
    refund.status, refund.method = RefundStatus.PAID, method
    refund.paid_on, refund.reference = paid_on, reference
    refund.provider_reference = provider_reference
    refund.save()
    if refund.invoice_id:
        invoice = Invoice.objects.select_for_update().get(pk=refund.invoice_id)
        invoice.amount_paid -= refund.amount
        invoice.save(update_fields=["amount_paid", "updated_at"])
    audit.record(actor=actor, action="refund.pay", organisation=refund.organisation, obj=refund,
                 after=audit.snapshot(refund, fields=["status", "paid_on", "method", "amount",
                                                      "provider_reference"]))
    return refund
