"""Automatic settlement of a contract: what the rules core says each payer owes, against
what is invoiced (net of credit notes) and paid; the difference becomes drafts.

One service replaces the separate paths of before (refunds after a retraction or a
rescission, the FUN-D1 / CAN-L1 re-billing, the credit note by hand after a
cancellation). It runs after every contract event (`receivers`), at signature, and in
the daily job; it is idempotent: drafts already proposed and still right are left alone,
stale ones are replaced, issued documents are never touched. Staff review the drafts and
issue them in one step (`settlement_issue`): credit notes first, then invoices, then the
money already paid is imputed on the new invoices and the surplus refunded.

The typed outcome of the core crosses the seam: each charge keeps its `vat`, so a CAN-D1
cancellation fee (compensation, no VAT) is invoiced without VAT even when the price bore
20 %. Reading of the rules where the spec is silent: docs/settlement.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ofelia.core import audit, clock
from ofelia.rules.errors import CaseError, RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.money import cents, fmt_eur
from ofelia.rules.outcome import Charge, Outcome

from .calculations import line_amounts
from .models import (
    ZERO,
    DocumentKind,
    Invoice,
    InvoicePurpose,
    InvoiceStatus,
    PaymentAllocation,
    Refund,
    RefundStatus,
)
from .services import BillingError, credit_note_draft, credit_note_finalise, invoice_issue

# The core's charge kinds (SIMULATION.md) and the purpose of the invoice that bills them.
PURPOSE_OF_KIND = {
    "deposit": InvoicePurpose.DEPOSIT,
    "price": InvoicePurpose.PRICE,
    "prorata": InvoicePurpose.PRORATA,
    "cancellation_fee": InvoicePurpose.FEE,
    "abandonment_fee": InvoicePurpose.FEE,
    "instalment": InvoicePurpose.INSTALMENT,
    "remaining_charge": InvoicePurpose.REMAINING_CHARGE,
}

# How a credit note names the event that made an invoice wrong.
EVENT_LABELS = {
    "retraction": "Rétractation",
    "cancellation": "Annulation",
    "abandonment": "Abandon",
    "provider_stop": "Arrêt anticipé par l'organisme",
    "schedule_change": "Modification du calendrier",
    "schedule_choice": "Fin du contrat après modification du calendrier",
    "funding_refused": "Refus de prise en charge",
    "rescission": "Résolution pour retard de fourniture",
}
WITHDRAWN_REASONS = {
    "FUN-D1": "Accord de l'OPCO non parvenu au 8e jour : refacturation au client (FUN-D1)",
    "CAN-L1": "Prise en charge refusée par l'OPCO après la commande : le client doit "
              "l'intégralité du prix (CAN-L1)",
}


def purpose_of(kind: str) -> str:
    return PURPOSE_OF_KIND.get(kind, InvoicePurpose.OTHER)


def vat_rate_of(charge: Charge) -> Decimal:
    """The rate that gives back the charge's own VAT amount (0 for a fee without VAT)."""
    if charge.vat == 0 or charge.amount == 0:
        return Decimal("0")
    return (charge.vat * 100 / charge.amount).quantize(Decimal("0.01"))


def incl_vat(amount: Decimal, rate: Decimal) -> Decimal:
    return line_amounts(quantity=Decimal(1), unit_price=amount, vat_rate=rate).incl_vat


# --- what should exist ------------------------------------------------------------------------

@dataclass(frozen=True)
class LineWanted:
    description: str
    unit_price: Decimal
    vat_rate: Decimal
    rule: str
    explanation: str

    @property
    def total(self) -> Decimal:
        return incl_vat(self.unit_price, self.vat_rate)


@dataclass(frozen=True)
class InvoiceWanted:
    payer: str
    purpose: str
    lines: tuple[LineWanted, ...]
    due_on: date | None = None

    @property
    def total(self) -> Decimal:
        return sum((x.total for x in self.lines), ZERO)

    def signature(self) -> tuple[Any, ...]:
        return ("invoice", self.payer, self.purpose, self.due_on,
                tuple((x.unit_price.normalize(), x.vat_rate.normalize(), x.rule, x.description)
                      for x in self.lines))


@dataclass(frozen=True)
class CreditWanted:
    invoice_id: int
    payer: str
    amount: Decimal  # VAT included: what remains to credit on the invoice
    reason: str

    def signature(self) -> tuple[Any, ...]:
        return ("credit", self.invoice_id, self.amount, self.reason)


@dataclass(frozen=True)
class RefundWanted:
    payer: str
    invoice_id: int
    amount: Decimal
    rule: str
    explanation: str
    due_on: date

    def signature(self) -> tuple[Any, ...]:
        # Without the due day: an over-payment proposed yesterday keeps its day today.
        return ("refund", self.invoice_id, self.amount, self.rule)


@dataclass
class Proposal:
    invoices: list[InvoiceWanted] = field(default_factory=list)
    credits: list[CreditWanted] = field(default_factory=list)
    refunds: list[RefundWanted] = field(default_factory=list)
    owed: dict[str, Decimal] = field(default_factory=dict)  # per payer, VAT included

    def signatures(self) -> Counter[tuple[Any, ...]]:
        return Counter(x.signature() for x in [*self.invoices, *self.credits, *self.refunds])


def _net(invoice: Invoice) -> Decimal:
    return invoice.total_incl_vat - invoice.amount_credited


# How an invoice line names a charge (the explanation below it names the article).
KIND_LABELS = {
    "deposit": "Acompte", "price": "Prix de la formation", "prorata": "Heures réalisées",
    "cancellation_fee": "Dédommagement d'annulation", "abandonment_fee": "Dédommagement d'abandon",
    "instalment": "Échéance", "remaining_charge": "Reste à charge",
}


def _charge_line(title: str, charge: Charge) -> LineWanted:
    label = KIND_LABELS.get(charge.kind, charge.kind)
    rule = f" ({charge.rule})" if charge.rule else ""
    return LineWanted(description=f"{title} — {label}{rule}"[:500],
                      unit_price=charge.amount, vat_rate=vat_rate_of(charge), rule=charge.rule,
                      explanation=charge.explanation)


def _advance_line(deposit: Invoice) -> list[LineWanted]:
    """The deposit invoiced before, deducted from the next invoice (one line per rate)."""
    return [LineWanted(description=f"Acompte déjà facturé ({deposit.number}) à déduire",
                       unit_price=-line.amount_excl_vat, vat_rate=line.vat_rate, rule=line.rule,
                       explanation=f"Acompte facturé le {fr_date(deposit.issue_date)} "
                                   f"({deposit.number})")
            for line in deposit.lines.all()]


def _reason(*, rule: str, event: Any) -> str:
    if rule in WITHDRAWN_REASONS and (event is None or event.type != "funding_refused"):
        return WITHDRAWN_REASONS[rule]
    if event is not None and event.type in EVENT_LABELS:
        return f"{EVENT_LABELS[event.type]} du {fr_date(event.on)} ({rule})"
    return f"Régularisation selon les conditions du contrat ({rule})" if rule else \
        "Régularisation selon les conditions du contrat"


def propose(*, title: str, outcome: Outcome, invoices: Sequence[Invoice],
            due_refunds: dict[int, Decimal], last_event: Any, as_of: date) -> Proposal:
    """Pure: the drafts that make each payer's invoices (net) equal the outcome's charges.

    `invoices` are the contract's issued invoices (kind invoice, any status), their lines
    prefetched; `due_refunds` the refunds already scheduled per invoice id.
    """
    proposal = Proposal()
    charges: dict[str, list[Charge]] = defaultdict(list)
    for charge in outcome.charges:
        charges[charge.payer].append(charge)
    held: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        held[invoice.payer_kind].append(invoice)
    for payer in dict.fromkeys([*charges, *held]):
        lines = charges.get(payer, [])
        owed = sum((incl_vat(c.amount, vat_rate_of(c)) for c in lines if c.amount > 0), ZERO)
        proposal.owed[payer] = owed
        rule_of = {purpose_of(c.kind): c.rule for c in lines}
        any_rule = next((c.rule for c in lines if c.amount == 0), "") or \
            next((c.rule for c in lines), "")
        wanted: dict[str, list[Charge]] = defaultdict(list)
        for charge in lines:
            if charge.amount > 0:
                wanted[purpose_of(charge.kind)].append(charge)
        mine = [i for i in held.get(payer, []) if _net(i) > 0]
        groups: dict[str, list[Invoice]] = defaultdict(list)
        for invoice in mine:
            groups[invoice.purpose].append(invoice)
        # A deposit billed apart from the outcome's lines (PAY-D1 first payment) is an
        # advance on the next invoice of the payer, not something to credit.
        advances: list[Invoice] = []
        first_other = next((p for p in wanted if p != InvoicePurpose.DEPOSIT), None)
        if InvoicePurpose.DEPOSIT not in wanted and first_other is not None:
            advances = [i for i in groups.pop(InvoicePurpose.DEPOSIT, []) if i.amount_credited == 0]
            if sum((_net(i) for i in advances), ZERO) > sum(
                    (incl_vat(c.amount, vat_rate_of(c)) for c in wanted[first_other]), ZERO):
                groups[InvoicePurpose.DEPOSIT] = advances
                advances = []
        for purpose in dict.fromkeys([*wanted, *groups]):
            lines_wanted = [_charge_line(title, c) for c in wanted.get(purpose, [])]
            if purpose == first_other:
                for deposit in advances:
                    lines_wanted += _advance_line(deposit)
            want = sum((x.total for x in lines_wanted), ZERO)
            have = sum((_net(i) for i in groups.get(purpose, [])), ZERO)
            if want == have:
                continue
            reason = _reason(rule=rule_of.get(purpose) or any_rule, event=last_event)
            for invoice in groups.get(purpose, []):
                proposal.credits.append(CreditWanted(invoice.pk, payer, _net(invoice), reason))
            if want <= 0:
                continue
            if purpose == InvoicePurpose.INSTALMENT:
                for charge, line in zip(wanted[purpose], lines_wanted, strict=False):
                    proposal.invoices.append(InvoiceWanted(payer, purpose, (line,), charge.due_on))
            else:
                due = min((c.due_on for c in wanted[purpose] if c.due_on), default=None)
                proposal.invoices.append(InvoiceWanted(payer, purpose, tuple(lines_wanted), due))
        # Money: what the payer paid beyond what they owe goes back.
        paid = sum((i.amount_paid - due_refunds.get(i.pk, ZERO) for i in held.get(payer, [])), ZERO)
        surplus = paid - owed
        if surplus > 0:
            back = next((r for r in outcome.refunds if r.payee == payer and r.amount > 0), None) \
                or next((r for r in outcome.refunds if r.payee == payer), None)
            payers_invoices = sorted(held[payer], key=lambda i: (-i.amount_paid, i.pk))
            rule = back.rule if back else (rule_of.get(InvoicePurpose.PRICE) or any_rule)
            text = back.explanation if back else (
                f"Trop-perçu : {fmt_eur(paid)} payés pour {fmt_eur(owed)} dus selon les "
                "conditions du contrat")
            proposal.refunds.append(RefundWanted(
                payer, payers_invoices[0].pk, cents(surplus), rule, text,
                back.due_by if back and back.due_by else as_of))
    return proposal


# --- the service --------------------------------------------------------------------------

class OutsideRules(BillingError):
    """The terms have no training-contract clauses (Mi4's CGU): nothing to settle."""


@dataclass
class SettleResult:
    contract: str
    created: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.removed)


def _funding() -> Any:
    from . import funding

    return funding


def contract_outcome(contract: Any, *, as_of: date, source: Callable[..., Any] | None = None,
                     legal: Any = None, plan: Any = None) -> Outcome:
    """The typed outcome of the contract's facts and funding plan (as `ofelia simulate`)."""
    from ofelia.sales import rules_io
    from ofelia.simulator.selectors import outcome_for

    funding = _funding()
    plan = plan or funding.plan_of(contract)
    case = rules_io.contract_case(contract, as_of=as_of,
                                  funding=funding._case_funding(contract, plan))
    try:
        result: Outcome = outcome_for(organisation=contract.organisation, case=case, today=as_of,
                                      source=source, legal=legal)
    except CaseError as exc:
        if exc.path == "policy":
            raise OutsideRules(str(exc)) from exc
        raise BillingError(str(exc)) from exc
    except RulesError as exc:
        raise BillingError(str(exc)) from exc
    return result


def _issued_invoices(contract: Any) -> list[Invoice]:
    return list(Invoice.objects.filter(contract=contract, kind=DocumentKind.INVOICE)
                .exclude(status=InvoiceStatus.DRAFT).prefetch_related("lines").order_by("id"))


def _due_refunds(contract: Any) -> dict[int, Decimal]:
    due: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice_id, amount in Refund.objects.filter(
            invoice__contract=contract, status=RefundStatus.DUE).values_list("invoice_id", "amount"):
        due[invoice_id] += amount
    return due


def _last_event(contract: Any) -> Any:
    return contract.events.filter(type__in=EVENT_LABELS).order_by("on", "id").last()


def _draft_signature(draft: Any) -> tuple[Any, ...]:
    if isinstance(draft, Refund):
        return ("refund", draft.invoice_id, draft.amount, draft.rule)
    if draft.kind == DocumentKind.CREDIT_NOTE:
        return ("credit", draft.credited_invoice_id, draft.total_incl_vat, draft.reason)
    return ("invoice", draft.payer_kind, draft.purpose, draft.due_date,
            tuple((x.unit_price.normalize(), x.vat_rate.normalize(), x.rule, x.description)
                  for x in draft.lines.all()))


def settlement_drafts(contract: Any) -> tuple[list[Invoice], list[Invoice], list[Refund]]:
    """The drafts waiting for staff: credit notes, invoices, refunds."""
    drafts = list(Invoice.objects.filter(contract=contract, status=InvoiceStatus.DRAFT)
                  .prefetch_related("lines").order_by("id"))
    refunds = list(Refund.objects.filter(contract=contract, status=RefundStatus.DRAFT)
                   .select_related("invoice").order_by("id"))
    return ([d for d in drafts if d.kind == DocumentKind.CREDIT_NOTE],
            [d for d in drafts if d.kind == DocumentKind.INVOICE], refunds)


def _create(actor: Any, contract: Any, wanted: Any, invoices: dict[int, Invoice],
            source: Any = None, plan: Any = None) -> None:
    from . import contract_invoices
    if isinstance(wanted, CreditWanted):
        invoice = invoices[wanted.invoice_id]
        lines = None
        if invoice.amount_credited:
            # Partly credited already: the rest, at the invoice's (first) rate.
            rate = invoice.lines.all()[0].vat_rate
            base = cents(wanted.amount * 100 / (100 + rate))
            lines = [{"description": f"Solde de {invoice.number} : {wanted.reason}"[:500],
                      "unit_price": base, "vat_rate": rate}]
        credit_note_draft(actor=actor, invoice=invoice, reason=wanted.reason, lines=lines)
    elif isinstance(wanted, RefundWanted):
        invoice = invoices[wanted.invoice_id]
        refund = Refund.objects.create(
            organisation_id=contract.organisation_id, invoice=invoice, contract=contract,
            payee_name=invoice.buyer_name, amount=wanted.amount, due_on=wanted.due_on,
            rule=wanted.rule, explanation=wanted.explanation, status=RefundStatus.DRAFT,
            source_reference=invoice.source_reference)
        audit.record(actor=actor, action="refund.propose", organisation=contract.organisation,
                     obj=refund, after=audit.snapshot(refund))
    else:
        contract_invoices.contract_invoice_draft(
            actor=actor, contract=contract, payer=wanted.payer, purpose=wanted.purpose,
            due_date=wanted.due_on, source=source, plan=plan,
            lines=[{"description": x.description, "quantity": "1", "unit_price": x.unit_price,
                    "vat_rate": x.vat_rate, "rule": x.rule, "explanation": x.explanation}
                   for x in wanted.lines])


@transaction.atomic
def contract_settle(*, contract: Any, as_of: date | None = None, actor: Any = None,
                    source: Callable[..., Any] | None = None, legal: Any = None) -> SettleResult:
    """Bring the contract's drafts in line with the core's outcome on `as_of`; idempotent."""
    from ofelia.sales.models import Contract

    as_of = as_of or clock.today()
    contract = (Contract.objects.select_for_update(of=("self",))
                .select_related("organisation", "client_company", "consumer").get(pk=contract.pk))
    result = SettleResult(contract=contract.number)
    if contract.signed_on is None:
        return result
    plan = _funding().plan_of(contract)
    try:
        outcome = contract_outcome(contract, as_of=as_of, source=source, legal=legal, plan=plan)
    except OutsideRules as outside:
        # Invoiced from the agreed price by hand; settlement has nothing to compare.
        result.skipped = str(outside)
        return result
    issued = _issued_invoices(contract)
    proposal = propose(title=contract.title, outcome=outcome, invoices=issued,
                       due_refunds=_due_refunds(contract), last_event=_last_event(contract),
                       as_of=as_of)
    credits, invoices, refunds = settlement_drafts(contract)
    wanted = proposal.signatures()
    keep: Counter[tuple[Any, ...]] = Counter()
    for draft in [*credits, *invoices, *refunds]:
        sig = _draft_signature(draft)
        if keep[sig] < wanted[sig]:
            keep[sig] += 1
            continue
        draft.delete()
        result.removed += 1
    by_id = {i.pk: i for i in issued}
    for item in [*proposal.credits, *proposal.invoices, *proposal.refunds]:
        sig = item.signature()
        if keep[sig] > 0:
            keep[sig] -= 1
            continue
        try:
            with transaction.atomic():
                _create(actor, contract, item, by_id, source, plan)
        except BillingError as problem:
            result.problems.append(str(problem))
            continue
        result.created += 1
    if result.changed:
        audit.record(actor=actor, action="settlement.run", organisation=contract.organisation,
                     obj=contract, after={"as_of": as_of, "created": result.created,
                                          "removed": result.removed,
                                          "owed": {k: str(v) for k, v in proposal.owed.items()}})
    return result


# --- issuing the drafts ------------------------------------------------------------------------

def _impute(actor: Any, invoices: Iterable[Invoice], on: date) -> None:
    """Money paid on a credited invoice pays the payer's open invoices of the contract
    first (the deposit kept, CAN-D1 / CAN-F1); only the rest is refunded."""
    from .refunds import refundable

    rows = list(invoices)
    sources = [i for i in rows if refundable(i) > 0]
    targets = [i for i in rows if i.status == InvoiceStatus.ISSUED and i.balance > 0]
    for source in sources:
        surplus = refundable(source)
        for target in targets:
            move = min(surplus, target.balance)
            if move <= 0:
                continue
            for allocation in PaymentAllocation.objects.filter(invoice=source).order_by("-id"):
                part = min(move, allocation.amount)
                if part <= 0:
                    continue
                allocation.amount -= part
                if allocation.amount == 0:
                    allocation.delete()
                else:
                    allocation.save(update_fields=["amount", "updated_at"])
                PaymentAllocation.objects.create(organisation_id=target.organisation_id,
                                                 payment_id=allocation.payment_id,
                                                 invoice=target, amount=part)
                source.amount_paid -= part
                target.amount_paid += part
                move -= part
                surplus -= part
                if move <= 0:
                    break
            if target.balance == 0:
                target.status, target.paid_on = InvoiceStatus.PAID, on
            source.save(update_fields=["amount_paid", "updated_at"])
            target.save(update_fields=["status", "amount_paid", "paid_on", "updated_at"])
            audit.record(actor=actor, action="payment.impute", organisation=target.organisation,
                         obj=target, after={"from": source.number, "to": target.number,
                                            "amount_paid": target.amount_paid})


def draft_invoice_issue(*, actor: Any, draft: Invoice, on: date) -> Invoice:
    """Issue a contract invoice drafted earlier: a due day already past becomes the issue day."""
    if draft.due_date is not None and draft.due_date < on:
        draft.due_date = on
        draft.save(update_fields=["due_date", "updated_at"])
    return invoice_issue(actor=actor, invoice=draft, issue_date=on)


@transaction.atomic
def settlement_issue(*, actor: Any, contract: Any, on: date | None = None) -> list[Any]:
    """Issue every draft of the contract in one step: credit notes, then invoices, then the
    money paid is imputed and the refunds scheduled. Refused as a whole if one is refused."""
    from ofelia.sales.models import Contract

    from .funding import plan_of
    from .refunds import refund_create, refundable

    on = on or clock.today()
    contract = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    credits, invoices, refunds = settlement_drafts(contract)
    if not (credits or invoices or refunds):
        raise BillingError("Aucun brouillon à émettre pour ce contrat.")
    done: list[Any] = [credit_note_finalise(actor=actor, note=n, issue_date=on) for n in credits]
    done += [draft_invoice_issue(actor=actor, draft=draft, on=on) for draft in invoices]
    rows = list(Invoice.objects.select_for_update().filter(
        contract=contract, kind=DocumentKind.INVOICE).exclude(status=InvoiceStatus.DRAFT)
        .order_by("id"))
    for payer in dict.fromkeys(i.payer_kind for i in rows):
        _impute(actor, [i for i in rows if i.payer_kind == payer], on)
    for proposed in refunds:
        payer = proposed.invoice.payer_kind if proposed.invoice_id else ""
        left = proposed.amount
        proposed.delete()
        for invoice in [i for i in rows if i.payer_kind == payer]:
            part = min(left, refundable(invoice))
            if part <= 0:
                continue
            done.append(refund_create(actor=actor, invoice=invoice, amount=part,
                                      due_on=proposed.due_on or on,
                                      rule=proposed.rule, explanation=proposed.explanation,
                                      contract=contract))
            left -= part
    if any(n.reason in WITHDRAWN_REASONS.values() for n in credits):
        # The OPCO's share fell back on the client (FUN-D1, CAN-L1): the day is kept.
        plan = plan_of(contract)
        plan.client_rebilled_on = plan.client_rebilled_on or on
        plan.save()
    audit.record(actor=actor, action="settlement.issue", organisation=contract.organisation,
                 obj=contract, after={"on": on, "documents": [str(x) for x in done]})
    return done


# --- the daily job ---------------------------------------------------------------------------

def settle_all(*, as_of: date, organisation_id: int | None = None, batch: int = 500) -> dict[str, Any]:
    """Every signed (or ended) contract settled on `as_of`; one contract's problem never
    stops the others. Idempotent: a second run the same day writes nothing.

    Read in batches (contracts with their events, funding, invoices, refunds and drafts in
    a few queries); the outcome is computed and compared in memory, and only a contract
    whose drafts must change goes through `contract_settle` (locked, audited)."""
    from ofelia.legal.selectors import legal_data
    from ofelia.sales.models import Contract

    contracts = Contract.objects.filter(signed_on__isnull=False)
    if organisation_id is not None:
        contracts = contracts.filter(organisation_id=organisation_id)
    ids = list(contracts.order_by("id").values_list("id", flat=True))
    sources: dict[int, Any] = {}
    report: dict[str, Any] = {"contracts": 0, "changed": [], "problems": []}
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        legal = legal_data()
        for contract, proposal, drafts in _batch_proposals(chunk, as_of, sources, legal, report):
            if proposal is not None and proposal.signatures() == drafts:
                continue
            try:
                result = contract_settle(contract=contract, as_of=as_of,
                                         source=sources[contract.organisation_id], legal=legal)
            except (BillingError, RulesError, ValueError) as problem:
                report["problems"].append(f"{contract.number} : {problem}")
                continue
            if result.changed:
                report["changed"].append(contract.number)
            report["problems"].extend(f"{contract.number} : {p}" for p in result.problems)
    return report


def _batch_proposals(chunk: list[int], as_of: date, sources: dict[int, Any], legal: Any,
                     report: dict[str, Any]) -> Iterable[tuple[Any, Proposal | None, Counter[Any]]]:
    """(contract, what settlement would propose, the signatures of its drafts) for a batch;
    the proposal is None when it cannot be computed here (then the full path decides)."""
    from django.db.models import Prefetch

    from ofelia.sales import rules_io
    from ofelia.sales.models import Contract, ContractEvent
    from ofelia.simulator.selectors import outcome_for, policy_source_for

    from .models import FundingPlan

    rows = list(Contract.objects.filter(id__in=chunk).order_by("id")
                .select_related("organisation", "client_company", "consumer")
                .prefetch_related(Prefetch("events", queryset=ContractEvent.objects.order_by("on", "id")),
                                  "funding"))
    plans = {p.contract_id: p for p in FundingPlan.objects.filter(contract_id__in=chunk)}
    issued: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in (Invoice.objects.filter(contract_id__in=chunk, kind=DocumentKind.INVOICE)
                    .exclude(status=InvoiceStatus.DRAFT).prefetch_related("lines").order_by("id")):
        issued[invoice.contract_id].append(invoice)
    due: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice_id, amount in Refund.objects.filter(
            invoice__contract_id__in=chunk, status=RefundStatus.DUE).values_list("invoice_id", "amount"):
        due[invoice_id] += amount
    drafts: dict[int, Counter[Any]] = defaultdict(Counter)
    for draft in (Invoice.objects.filter(contract_id__in=chunk, status=InvoiceStatus.DRAFT)
                  .prefetch_related("lines")):
        drafts[draft.contract_id][_draft_signature(draft)] += 1
    for refund in Refund.objects.filter(contract_id__in=chunk, status=RefundStatus.DRAFT):
        drafts[refund.contract_id][_draft_signature(refund)] += 1
    for contract in rows:
        report["contracts"] += 1
        source = sources.get(contract.organisation_id)
        if source is None:
            source = sources[contract.organisation_id] = _memo(
                policy_source_for(organisation=contract.organisation))
        events = list(contract.events.all())
        plan = plans.get(contract.pk)
        funding = [e for e in contract.funding.all()
                   if plan is None or plan.opco_subrogation or e.payer != "opco"]
        try:
            case = rules_io.contract_case(contract, as_of=as_of, events=events, funding=funding)
            outcome = outcome_for(organisation=contract.organisation, case=case, today=as_of,
                                  source=source, legal=legal)
        except CaseError as exc:
            if exc.path == "policy":
                continue  # terms without training-contract clauses: nothing to settle
            yield contract, None, drafts[contract.pk]
            continue
        except (RulesError, ValueError):
            yield contract, None, drafts[contract.pk]
            continue
        last = next((e for e in reversed(events) if e.type in EVENT_LABELS), None)
        proposal = propose(title=contract.title, outcome=outcome, invoices=issued[contract.pk],
                           due_refunds=due, last_event=last, as_of=as_of)
        yield contract, proposal, drafts[contract.pk]


def _memo(source: Callable[[str], Any]) -> Callable[[str], Any]:
    seen: dict[str, Any] = {}

    def versions(policy_id: str) -> Any:
        if policy_id not in seen:
            seen[policy_id] = source(policy_id)
        return seen[policy_id]

    return versions
