"""Reading the training clauses of a policy: which clause applies to a contract, the
article it cites, the payment terms, and who pays the price (funding split, FUN-*).

Everything numeric comes from the clause parameters (see the R2 section of
`policy_schema`); this module only knows what each rule id means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from ofelia.rules.calendars import PARIS, Calendar, french_calendar
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.money import HUNDRED, cents, fmt_eur
from ofelia.rules.outcome import Breach, Charge, DeadlineValue, Refund
from ofelia.rules.penalties import fmt_rate
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.training_case import FUNDERS, Contract, Event, TrainingCase

ZERO = Decimal("0.00")
PAYMENT_RULES = ("PAY-D1", "PAY-D2", "PAY-L1", "PAY-F1", "PAY-V1")
FUNDING_RULES = ("FUN-D1", "FUN-L1", "FUN-L2", "FUN-L3", "FUN-L4")
TRAINING_PREFIXES = ("RET-", "PAY-", "PEN-", "CAN-D", "CAN-F", "ABD-", "PRV-", "FUN-")


# French texts of percentages, kept once written: a case names the same days
# and rates in several sentences, and the values met by a process are few.
_PERCENT_TEXTS: dict[str, str] = {}
_TEXTS_KEPT = 20_000


def fr_percent(p: Decimal) -> str:
    if type(p) is not Decimal:
        return fmt_rate(Decimal(p))
    # Keyed by the written number, not the value: 7.50 and 7.5 are equal Decimals, but
    # fmt_rate writes them "7,50 %" and "7,5 %".
    key = str(p)
    text = _PERCENT_TEXTS.get(key)
    if text is None:
        text = fmt_rate(Decimal(p))
        if len(_PERCENT_TEXTS) >= _TEXTS_KEPT:
            _PERCENT_TEXTS.clear()
        _PERCENT_TEXTS[key] = text
    return text


def fr_days(n: int, unit: str = "jour", plural: str = "jours") -> str:
    return f"{n} {plural if abs(n) > 1 else unit}"


def fr_number(x: Decimal) -> str:
    """20 → "20", 7.50 → "7,5" (never the exponent form of Decimal.normalize)."""
    return f"{x.normalize():f}".replace(".", ",")


def article(clause: Clause, contract: Contract) -> str:
    return _article_for(clause, contract.client)


def vat_of(amount: Decimal, rate: Decimal) -> Decimal:
    return cents(amount * rate / HUNDRED)


def with_vat(amount: Decimal, rate: Decimal) -> Decimal:
    return cents(amount + amount * rate / HUNDRED)


@dataclass(frozen=True)
class Terms:
    """What a policy says to one kind of contract (client × format), read once.

    Built by `terms_for` and kept on the policy (`Policy.derived`): a policy is frozen, so
    these values never go stale, and every case of the same kind reuses them.
    """

    calendar: Calendar
    # The policy's clauses that apply to this client and format (`applies_to`).
    clauses: Mapping[str, Clause]
    payment: Clause | None  # the payment terms (PAY-*); None is a policy error
    # Rule id -> (clause, " (article)."): the end of every sentence citing that clause.
    cites: Mapping[str, tuple[Clause, str]]
    funders: Mapping[str, Clause]  # payer -> its funding clause (FUN-*)
    training: bool  # the policy has training clauses at all
    # RET-1 / RET-2 for a contract signed on the premises [0] or at a distance [1]: the
    # longest period whose conditions the contract meets (consumers only).
    retraction: tuple[Clause | None, Clause | None]
    # `Ctx.first(rules)` answers, by tuple of rule ids, filled as asked: they depend on
    # the clauses alone, which never change.
    firsts: dict[tuple[str, ...], Clause | None] = field(default_factory=dict, compare=False)


def _article_for(clause: Clause, client: str) -> str:
    by_client: Mapping[str, Any] | None = clause.params.get("article_by_client")
    if not by_client:
        return clause.article
    return str(by_client.get(client) or clause.article)


def _build_terms(policy: Policy, key: tuple[str, ...]) -> Terms:
    _, client, format = key
    region = policy.calendar_region
    clauses = policy.scoped(client, format)
    funders = {}
    for payer in FUNDERS:
        found = next((c for c in (clauses.get(r) for r in FUNDING_RULES)
                      if c is not None and payer in (c.get("payers") or ())), None)
        if found is not None:
            funders[payer] = found
    return Terms(
        calendar=french_calendar("alsace-moselle" if region == "alsace-moselle" else "national"),
        clauses=clauses,
        payment=first_clause(clauses, PAYMENT_RULES),
        cites={rule: (c, f" ({_article_for(c, client)}).") for rule, c in policy.clauses.items()},
        funders=funders,
        training=any(rule.startswith(TRAINING_PREFIXES) for rule in policy.clauses),
        retraction=(_retraction(clauses, client, False), _retraction(clauses, client, True)),
    )


def _retraction(clauses: Mapping[str, Clause], client: str, at_distance: bool) -> Clause | None:
    if client != "consumer":
        return None
    found = [c for c in (clauses.get("RET-1"), clauses.get("RET-2")) if c is not None
             and (at_distance or not c.get("requires_at_distance"))]
    return max(found, key=lambda c: int(c.get("days", 0)), default=None)


def terms_for(policy: Policy, client: str, format: str) -> Terms:
    return policy.derived(("training-terms", client, format), _build_terms)


class Ctx:
    """One evaluation: the facts, the policy, and the lines gathered so far."""

    __slots__ = ("case", "contract", "policy", "legal", "as_of", "terms", "cal", "clauses",
                 "payment", "charges", "refunds", "warnings", "breaches", "deadlines",
                 "reasons", "extra")

    def __init__(self, case: TrainingCase, policy: Policy, legal: LegalData, as_of: date,
                 terms: Terms, payment: Clause) -> None:
        self.case = case
        self.contract: Contract = case.contract  # read on almost every line
        self.policy = policy
        self.legal = legal
        self.as_of = as_of
        self.terms = terms
        self.cal: Calendar = terms.calendar
        self.clauses: Mapping[str, Clause] = terms.clauses
        self.payment = payment  # the payment terms (PAY-*) of the contract
        self.charges: list[Charge] = []
        self.refunds: list[Refund] = []
        self.warnings: list[str] = []
        self.breaches: list[Breach] = []
        self.deadlines: dict[str, DeadlineValue] = {}
        self.reasons: dict[str, tuple[str, str]] = {}
        self.extra: dict[str, Any] = {}

    def clause(self, rule: str) -> Clause | None:
        return self.clauses.get(rule)

    def first(self, rules: Iterable[str]) -> Clause | None:
        if type(rules) is not tuple:
            return first_clause(self.clauses, rules)
        firsts = self.terms.firsts
        if rules not in firsts:
            firsts[rules] = first_clause(self.clauses, rules)
        return firsts[rules]

    def cite(self, text: str, clause: Clause) -> str:
        """A French sentence ending with the article of the clause it applies."""
        known = self.terms.cites.get(clause.rule)
        if known is not None and known[0] is clause:  # the usual: a clause of this policy
            return text + known[1]
        return f"{text} ({article(clause, self.contract)})."

    def deadline(self, name: str, value: date, clause: Clause, text: str) -> None:
        self.deadlines[name] = value
        self.reasons[name] = (clause.rule, self.cite(text, clause))

    def charge(self, kind: str, payer: str, amount: Decimal, clause: Clause, text: str, *,
               compensation: bool = False, due_on: date | None = None) -> None:
        amount = cents(amount)
        vat = ZERO if compensation else vat_of(amount, self.contract.vat_rate)
        self.charges.append(Charge(kind, payer, amount, vat, clause.rule, self.cite(text, clause),
                                   due_on))

    def refund(self, payee: str, amount: Decimal, clause: Clause, text: str,
               due_by: date | None = None) -> None:
        self.refunds.append(Refund(payee=payee, amount=cents(amount), rule=clause.rule,
                                   explanation=self.cite(text, clause), due_by=due_by))

    def warn(self, text: str, clause: Clause | None = None) -> None:
        self.warnings.append(self.cite(text, clause) if clause is not None else text)


def as_of_date(as_of: date | datetime) -> date:
    if isinstance(as_of, datetime):
        return as_of.astimezone(PARIS).date() if as_of.tzinfo else as_of.date()
    return as_of


def make_ctx(case: TrainingCase, policy: Policy, legal: LegalData,
             as_of: date | datetime, terms: Terms | None = None) -> Ctx:
    if terms is None:
        terms = terms_for(policy, case.contract.client, case.contract.format)
    if terms.payment is None:
        raise PolicyError(
            f"La politique {policy.id} {policy.version} n'a pas de clause de paiement "
            f"({', '.join(PAYMENT_RULES)}) applicable à un client {_client_label(case.contract)}."
        )
    return Ctx(case, policy, legal, as_of_date(as_of), terms, terms.payment)


def first_clause(clauses: Mapping[str, Clause], rules: Iterable[str]) -> Clause | None:
    """The clause of the first of `rules` the contract has."""
    for rule in rules:
        found = clauses.get(rule)
        if found is not None:
            return found
    return None


# --- payment terms ---------------------------------------------------------------------------


def payment_clause(ctx: Ctx) -> Clause:
    """The contract's payment terms (a policy without any is refused by `make_ctx`)."""
    return ctx.payment


def _client_label(contract: Contract) -> str:
    return "particulier" if contract.consumer else "professionnel"


def funding_clause(ctx: Ctx, payer: str) -> Clause | None:
    """The first funding clause (FUNDING_RULES order) naming this payer."""
    return ctx.terms.funders.get(payer)


def client_due(ctx: Ctx, invoiced_on: date) -> date:
    """When a sum invoiced to the client on `invoiced_on` is due (PAY-D2: 30 days...)."""
    days = int(payment_clause(ctx).get("invoice_due_days", 0))
    return invoiced_on + timedelta(days=days)


def price_due_on(ctx: Ctx, clause: Clause) -> date | None:
    when = clause.get("price_due")
    c = ctx.contract
    return {"order": c.signed_on, "start": c.start, "end": c.end}.get(str(when))


# --- a funder's refusal (CAN-L1) --------------------------------------------------------------


class Refusal(NamedTuple):
    event: Event  # the first `funding_refused` of this payer
    clause: Clause  # CAN-L1, citing the article of this payer's refusal
    effect: str  # whole_price, order_kept or pay_or_cancel


def refused_payer(event: Event) -> str:
    """The funder a `funding_refused` names: `cpf` is the refused top-up of the CPF."""
    return "france_travail" if event.payer == "cpf" else str(event.payer)


def refusal(ctx: Ctx, payer: str) -> Refusal | None:
    """CAN-L1: the refusal of `payer` (opco, faf, france_travail) and what the policy makes
    of it; None without such an event, or when the policy says nothing of it."""
    if not ctx.case.own_events:  # the usual case
        return None
    clause = ctx.clause("CAN-L1")
    if clause is None:
        return None
    entry = next((r for r in clause.get("refusals") or () if r["payer"] == payer), None)
    event = next((e for e in ctx.case.of_type("funding_refused") if refused_payer(e) == payer),
                 None)
    if entry is None or event is None:
        return None
    return Refusal(event, replace(clause, article=str(entry["article"])), str(entry["effect"]))


def refusal_text(found: Refusal, who: str, contract: Contract) -> str:
    when = "après" if found.event.on >= contract.signed_on else "avant"
    return (f"Prise en charge refusée par {who} le {fr_date(found.event.on)}, {when} la commande "
            f"du {fr_date(contract.signed_on)}")


# --- who pays the price (FUN-*) ----------------------------------------------------------------


class Share(NamedTuple):  # built per payer of every case: a NamedTuple is built in one step
    kind: str
    payer: str
    amount: Decimal
    clause: Clause
    text: str


def _require_funding_clause(ctx: Ctx, payer: str) -> Clause:
    found = funding_clause(ctx, payer)
    if found is None:
        index = next(i for i, f in enumerate(ctx.case.funding) if f.payer == payer)
        raise CaseError(f"funding[{index}].payer",
                        f"le financement « {payer} » n'est pas prévu par la politique "
                        f"{ctx.policy.id} {ctx.policy.version} pour ce contrat")
    return found


def opco_agreement_by(ctx: Ctx, clause: Clause) -> date | None:
    days = clause.get("agreement_days_after_start")
    return None if days is None else ctx.contract.start + timedelta(days=int(days))


def split(ctx: Ctx, base: Decimal, kind: str, what: str) -> list[Share]:
    """Who owes `base` (excl. VAT): the funders first, up to their cover, then the client.

    `what` names the base in explanations ("du prix", "des heures suivies").
    """
    pay = payment_clause(ctx)
    remaining = cents(base)
    if not ctx.case.funding:  # the usual case: the client pays it all
        return [Share(kind, "client", remaining, pay, f"Part du client : {fmt_eur(remaining)} {what}")]
    shares: list[Share] = []
    client_clause, client_text = pay, f"Part du client : {{amount}} {what}"
    by_payer = {f.payer: f for f in ctx.case.funding}
    clauses = {payer: _require_funding_clause(ctx, payer) for payer in by_payer}

    if "faf" in by_payer:
        faf = clauses["faf"]
        clashing = [p for p in (faf.get("not_with_payers") or ()) if p in by_payer]
        if clashing:
            index = next(i for i, f in enumerate(ctx.case.funding) if f.payer == "faf")
            raise CaseError(f"funding[{index}].payer",
                            f"un FAF ne peut pas financer le solde d'une formation financée par "
                            f"{', '.join(clashing)} ({article(faf, ctx.contract)})", faf.rule)

    opco = by_payer.get("opco")
    # A refusal is rare: the flag spares the usual case a call.
    refusals = ctx.case.own_events
    refused = refusal(ctx, "opco") if refusals and opco is not None else None
    if refused is not None and refused.effect != "order_kept":
        lead = refusal_text(refused, "l'OPCO", ctx.contract)
        shares.append(Share(kind, "opco", ZERO, refused.clause, f"{lead} : rien n'est facturé à l'OPCO"))
        client_clause = refused.clause
        client_text = f"{lead} : le client est redevable de l'intégralité {what}, soit {{amount}}"
        if refused.effect == "pay_or_cancel":
            client_text += ", à moins qu'il n'annule sa commande"
    elif opco is not None and opco.amount is not None:
        fc = clauses["opco"]
        deadline = opco_agreement_by(ctx, fc)
        agreed = deadline is None or (opco.agreement_on is not None and opco.agreement_on <= deadline)
        if not agreed and deadline is not None and ctx.as_of > deadline:
            shares.append(Share(kind, "opco", ZERO, fc,
                                f"Accord de prise en charge de l'OPCO non parvenu au {fr_date(deadline)}, "
                                f"8e jour après le début : rien n'est facturé à l'OPCO"))
            client_clause = fc
            client_text = f"Accord de l'OPCO non parvenu à temps : {{amount}} {what} facturés au client"
        else:
            if not agreed and deadline is not None:
                ctx.warn(f"Accord de prise en charge de l'OPCO attendu au plus tard le {fr_date(deadline)} ; "
                         "à défaut, tout le prix sera facturé au client", fc)
            cover = min(cents(opco.amount), remaining)
            remaining -= cover
            shares.append(Share(kind, "opco", cover, fc,
                                f"Prise en charge de l'OPCO : {fmt_eur(cover)} {what}"))
            if remaining > 0:
                client_clause = fc
                client_text = f"Prise en charge partielle de l'OPCO : reliquat de {{amount}} {what} facturé au client"

    employer = by_payer.get("employer")
    if employer is not None and employer.amount is not None:
        cover = min(cents(employer.amount), remaining)
        remaining -= cover
        shares.append(Share(kind, "employer", cover, clauses["employer"],
                            f"Abondement de l'employeur : {fmt_eur(cover)} {what}"))

    cpf = by_payer.get("cpf")
    if cpf is not None and cpf.rights is not None:
        fc = clauses["cpf"]
        exempt_with = [p for p in (fc.get("exempt_with_payers") or ()) if p in by_payer]
        if cpf.exempt or exempt_with:
            participation = ZERO
            why = "exonération de la participation forfaitaire"
        else:
            participation = ctx.legal.cpf_participation(ctx.contract.signed_on)
            why = f"participation forfaitaire de {fmt_eur(participation)} en vigueur le {fr_date(ctx.contract.signed_on)}"
        rights = cents(cpf.rights)
        if rights >= remaining - participation:
            rest = min(participation, remaining)
            how = (f"droits CPF de {fmt_eur(rights)} ≥ {fmt_eur(remaining)} − {fmt_eur(participation)}"
                   f" : reste à charge = {fmt_eur(rest)} ({why})")
        else:
            rest = remaining - rights
            how = (f"droits CPF de {fmt_eur(rights)} < {fmt_eur(remaining)} − {fmt_eur(participation)}"
                   f" : reste à charge = {fmt_eur(remaining)} − {fmt_eur(rights)} = {fmt_eur(rest)} ({why})")
        topup = refusal(ctx, "france_travail") if refusals else None
        if topup is not None and topup.effect != "order_kept":
            lead = refusal_text(topup, "France Travail (abondement du CPF)", ctx.contract)
            choice = ("l'élève prend en charge ce reste à charge ou annule sa commande"
                      if topup.effect == "pay_or_cancel" else "l'élève prend en charge ce reste à charge")
            shares.append(Share("remaining_charge", "learner", rest, topup.clause,
                                f"{lead} : {choice} ; financement CPF, {how}"))
        else:
            shares.append(Share("remaining_charge", "learner", rest, fc, f"Financement CPF, {how}"))
        shares.append(Share(kind, "cpf", remaining - rest, fc,
                            f"Part financée par le CPF : {fmt_eur(remaining - rest)} {what}"))
        remaining = ZERO

    if "faf" in by_payer:
        faf = clauses["faf"]
        ctx.warn("Prise en charge par un FAF : le client paie tout le prix puis se fait rembourser par "
                 "le FAF ; un refus du FAF n'annule ni ne rembourse la commande", faf)
        client_clause = faf
        client_text = f"Financement FAF : le client règle {{amount}} {what} et se fait rembourser par le FAF"

    if remaining > 0 or not shares:
        shares.append(Share(kind, "client", remaining, client_clause,
                            client_text.format(amount=fmt_eur(remaining))))
    return shares
