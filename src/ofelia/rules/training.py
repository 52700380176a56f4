"""Training contracts: deadlines, charges, refunds and penalties of a `training` case.

The engine is generic: bands, percentages, day counts, thresholds, payers and articles
come from the policy's clauses (RET, PAY, PEN, CAN-D/F/L, ABD, PRV, FUN of RULES.md);
each rule id only says what its parameters mean. Every line names its clause.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from ofelia.rules.calendars import (
    add_months,
    add_working_days,
    jours_francs_between,
    latest_act_day,
    legal_period_end,
)
from ofelia.rules.errors import CaseError
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.money import HUNDRED, cent_text, cents, fmt_eur, percent_of, split_instalments
from ofelia.rules.outcome import Breach, Charge, Outcome, iso
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.policy_schema import band_for
from ofelia.rules.training_case import Event, TrainingCase, parse_case, reference_date
from ofelia.rules.training_penalties import invoices
from ofelia.rules.training_terms import (
    ZERO,
    Ctx,
    client_due,
    fr_days,
    fr_number,
    fr_percent,
    funding_clause,
    make_ctx,
    opco_agreement_by,
    payment_clause,
    price_due_on,
    refusal,
    refused_payer,
    split,
    terms_for,
    with_vat,
)

__all__ = ["TrainingCase", "evaluate", "parse_case", "reference_date"]

TERMINAL = ("retraction", "cancellation", "abandonment", "provider_stop", "rescission")
# How an ending event is named in what the core says (never its code).
ENDING_LABELS = {"retraction": "Rétractation", "cancellation": "Annulation",
                 "abandonment": "Abandon", "provider_stop": "Arrêt anticipé par l'organisme",
                 "rescission": "Demande de résolution"}
REFUSED_BY = {"opco": "l'OPCO", "faf": "le FAF", "france_travail": "France Travail (abondement du CPF)"}
CANCELLATION_RULES = ("CAN-D1", "CAN-F1", "CAN-F2")
ABANDONMENT_RULES = ("ABD-D1", "ABD-D2", "CAN-D2")
REASONS_FR = {"force_majeure": "force majeure", "legitimate": "motif légitime et impérieux",
              "other": "un autre motif"}
ONE_DAY = timedelta(days=1)
WEEKDAYS = ("un lundi", "un mardi", "un mercredi", "un jeudi", "un vendredi", "un samedi",
            "un dimanche")


def evaluate(case: TrainingCase, *, policy: Policy, legal: LegalData,
             as_of: date | datetime) -> Outcome:
    """The outcome of a training case under `policy` (the version in force at signature)."""
    terms = terms_for(policy, case.contract.client, case.contract.format)
    if not terms.training:
        raise CaseError("policy", f"la politique {policy.id} {policy.version} ne prévoit aucune "
                                  "clause de contrat de formation")
    ctx = make_ctx(case, policy, legal, as_of, terms)  # refuses a policy without payment terms
    _deadlines(ctx)
    _check_instalments(ctx)
    fate = _fate(ctx)
    if fate is None:
        _plan(ctx)
    elif fate.type == "retraction" or fate.type == "cancellation" and _is_retraction(ctx, fate):
        _retraction(ctx, fate)
    elif fate.type == "cancellation" and fate.by == "provider":
        _provider_cancellation(ctx, fate)
    elif fate.type == "cancellation":
        if not ctx.case.own_events or not _cancellation_after_refusal(ctx, fate):
            _client_cancellation(ctx, fate)
    elif fate.type == "abandonment":
        assert fate.hours_attended is not None
        _abandonment(ctx, fate, fate.hours_attended)
    elif fate.type == "rescission":
        _rescission(ctx, fate)
    else:
        _provider_stop(ctx, fate)
    _schedule_changes(ctx)
    if ctx.case.own_events:
        _extensions(ctx)
    _payments_before_retraction_end(ctx)
    penalties = invoices(ctx)
    return Outcome(
        policy=policy.id,
        policy_version=policy.version,
        deadlines=ctx.deadlines,
        charges=tuple(ctx.charges),
        refunds=tuple(ctx.refunds),
        penalties=tuple(penalties),
        breaches=tuple(ctx.breaches),
        warnings=tuple(ctx.warnings),
        extra=ctx.extra,
        deadline_reasons=ctx.reasons,
    )


# --- deadlines -----------------------------------------------------------------------------


def _retraction_clause(ctx: Ctx) -> Clause | None:
    """RET-1 / RET-2: the longest period whose conditions the contract meets (consumers)."""
    return ctx.terms.retraction[ctx.contract.at_distance]


def _retraction_ends(ctx: Ctx) -> date | None:
    value = ctx.deadlines.get("retraction_ends")
    return value if isinstance(value, date) else None


def _deadlines(ctx: Ctx) -> None:
    c = ctx.contract
    ret = _retraction_clause(ctx)
    if ret is not None:
        days = int(ret.get("days"))
        plain = c.signed_on + timedelta(days=days)
        ends = legal_period_end(c.signed_on, days, ctx.cal)
        text = (f"Rétractation possible pendant {fr_days(days)} à compter de la conclusion du "
                f"contrat le {fr_date(c.signed_on)}, soit jusqu'au {fr_date(ends)} inclus")
        if ends != plain:
            what = "un jour férié" if ctx.cal.is_holiday(plain) else WEEKDAYS[plain.weekday()]
            text += (f" (le {fr_date(plain)} étant {what}, le délai est prorogé au premier jour "
                     "ouvré suivant)")
        ctx.deadline("retraction_ends", ends, ret, text)
        pay = payment_clause(ctx)
        if pay.get("first_payment_max_percent") is not None:
            ctx.deadline("first_payment_from", ends + ONE_DAY, pay,
                         f"Premier versement d'au plus {fr_percent(pay.get('first_payment_max_percent'))} "
                         f"du prix exigible à partir du lendemain de la fin du délai de rétractation")
    elif not c.consumer and ctx.clause("RET-4") is not None:
        ctx.reasons["retraction_ends"] = ("RET-4", ctx.cite(
            "Client professionnel : aucun droit de rétractation", ctx.policy.require("RET-4")))
    prv = ctx.clause("PRV-D1")
    if prv is not None:
        n = int(prv.get("jours_francs"))
        ctx.deadline("provider_cancel_by", latest_act_day(c.start, n), prv,
                     f"Report ou annulation par l'organisme au plus tard {n} jours francs avant "
                     f"le début du {fr_date(c.start)}")
    opco = ctx.case.funder("opco")
    fun = funding_clause(ctx, "opco") if opco is not None else None
    by = opco_agreement_by(ctx, fun) if fun is not None else None
    if fun is not None and by is not None:
        ctx.deadline("opco_agreement_by", by, fun,
                     f"Accord de prise en charge de l'OPCO à transmettre au plus tard le "
                     f"{(by - c.start).days}e jour après le début du {fr_date(c.start)} ; "
                     "à défaut, tout le prix est facturé au client")
    _france_travail(ctx)
    if "PRV-F1" in ctx.clauses:
        _delivery_deadlines(ctx, ctx.clauses["PRV-F1"])
    mod = ctx.clause("CAN-F3")
    if mod is not None:
        days = int(mod.get("days_before"))
        ctx.deadline("modification_request_by", c.start - timedelta(days=days), mod,
                     f"Modification de commande à notifier par écrit au moins {fr_days(days)} "
                     f"avant la date de fourniture du {fr_date(c.start)}")


def _france_travail(ctx: Ctx) -> None:
    """FUN-L2: the latest request day d with d + N working days not after the first day."""
    ft = ctx.case.funder("france_travail")
    if ft is None and ctx.case.funder("cpf") is None:
        return
    clause = funding_clause(ctx, "france_travail")
    if clause is None:
        return
    n = int(clause.get("working_days"))
    start = ctx.contract.start
    # d + N working days ≤ start means at least N working days in (d, start]: d must be
    # before the N-th working day counted back from the start included, which is
    # add_working_days(start + 1, -N); the answer is the eve of that day. A start on a
    # weekend or a holiday counts back from the last working day before it. The deadline
    # is the latest *working* day before it (RULES.md FUN-L2): a Sunday that would still
    # fit a Monday start is not offered, the Friday before is.
    day = add_working_days(add_working_days(start + ONE_DAY, -n, ctx.cal), -1, ctx.cal)
    ctx.deadline("france_travail_request_by", day, clause,
                 f"Demande d'abondement à France Travail au moins {n} jours ouvrés avant le début "
                 f"du {fr_date(start)}")
    if ft is not None and ft.requested_on is not None and ft.requested_on > day:
        ctx.warn(f"Demande d'abondement faite le {fr_date(ft.requested_on)}, après la date limite du "
                 f"{fr_date(day)}", clause)


def _check_instalments(ctx: Ctx) -> None:
    count = ctx.case.instalments
    if count is None:
        return
    pay = payment_clause(ctx)
    allowed = tuple(pay.get("instalment_counts") or ())
    price = ctx.contract.price
    if count not in allowed:
        raise CaseError("instalments", f"la politique {ctx.policy.id} ne prévoit pas de paiement en "
                                       f"{count} fois pour ce contrat (PAY-L1)", "PAY-L1")
    threshold = pay.get("instalment_threshold")
    if threshold is not None and price < threshold:
        raise CaseError("instalments", f"paiement en plusieurs fois réservé aux commandes d'au moins "
                                       f"{fmt_eur(threshold)} HT ; celle-ci est de {fmt_eur(price)} HT "
                                       f"(PAY-L1, {pay.article})", "PAY-L1")


# --- what happened to the contract -----------------------------------------------------------


def _is_retraction(ctx: Ctx, event: Event) -> bool:
    """A consumer's cancellation sent within the retraction period is a retraction (RET-6)."""
    ends = _retraction_ends(ctx)
    return (event.type == "retraction" or event.by == "client") and ends is not None \
        and event.on <= ends


def _fate(ctx: Ctx) -> Event | None:
    """The first event that ends or cuts the contract; a late or impossible retraction
    changes nothing and is reported."""
    chosen: Event | None = None
    for event in ctx.case.of_type(*TERMINAL):
        if chosen is not None:
            ctx.warn(f"{ENDING_LABELS.get(event.type, event.type)} du {fr_date(event.on)} sans effet : le contrat a déjà "
                     f"pris fin le {fr_date(chosen.on)}")
            continue
        if event.type == "retraction" and not _is_retraction(ctx, event):
            _invalid_retraction(ctx, event)
            continue
        if event.type == "rescission" and not _may_rescind(ctx, event):
            continue
        chosen = event
    return chosen


def _invalid_retraction(ctx: Ctx, event: Event) -> None:
    ends = _retraction_ends(ctx)
    ret = _retraction_clause(ctx)
    if ends is not None and ret is not None:
        ctx.warn(f"Rétractation du {fr_date(event.on)} envoyée après la fin du délai "
                 f"({fr_date(ends)}) : sans effet, le contrat continue", ret)
    elif ctx.clause("RET-4") is not None:
        ctx.warn(f"Rétractation du {fr_date(event.on)} sans effet : le client professionnel n'a "
                 "pas de droit de rétractation", ctx.policy.require("RET-4"))
    else:
        ctx.warn(f"Rétractation du {fr_date(event.on)} sans effet : aucune clause de rétractation "
                 "ne s'applique à ce contrat")


def _planned_charges(ctx: Ctx) -> Ctx:
    scratch = make_ctx(ctx.case, ctx.policy, ctx.legal, ctx.as_of, ctx.terms)
    scratch.deadlines.update(ctx.deadlines)
    _plan(scratch)
    return scratch


def _paid(ctx: Ctx, until: date) -> tuple[Decimal, str]:
    """What the client (or learner) has paid by `until`, VAT included, and what to call it
    after « remboursement intégral ». Without payment facts the core cannot know what was
    really paid: it says what was due, and that only what was paid comes back."""
    payments = [p.amount for p in ctx.case.of_type("payment") if p.on <= until and p.amount]
    if payments:
        total = cents(sum(payments, Decimal(0)))
        return total, f"des paiements reçus ({fmt_eur(total)})"
    pay = payment_clause(ctx)
    if pay.get("price_due") == "order":
        due = [ch for ch in _planned_charges(ctx).charges if ch.payer in ("client", "learner")
               and ch.due_on is not None and ch.due_on <= until]
        total = cents(sum((ch.amount + ch.vat for ch in due), Decimal(0)))
        return total, (f"des sommes dues à la commande ({fmt_eur(total)}), dans la mesure où elles "
                       "ont été payées")
    deposit = ctx.contract.deposit
    if deposit > 0:
        total = with_vat(deposit, ctx.contract.vat_rate)
        return total, f"de l'acompte prévu ({fmt_eur(total)}), s'il a été versé"
    return ZERO, ""


def _refund_text(lead: str, paid: Decimal, what: str, noun: str = "remboursement intégral") -> str:
    """« <lead> : remboursement intégral des … », or that nothing is to be paid back (a noun
    phrase, so that the sentence agrees whatever was paid)."""
    if paid <= 0 or not what:
        return f"{lead} : aucune somme versée, rien à rembourser"
    return f"{lead} : {noun} {what}"


# --- the contract as agreed ----------------------------------------------------------------------


def _plan(ctx: Ctx) -> None:
    """Who owes the price and when, as the contract runs: funders, deposit, balance or
    instalments."""
    c = ctx.contract
    pay = payment_clause(ctx)
    for share in split(ctx, c.price, "price", "du prix"):
        if share.payer != "client":
            due = c.signed_on if share.kind == "remaining_charge" else None
            ctx.charge(share.kind, share.payer, share.amount, share.clause, share.text, due_on=due)
            continue
        deposit = _deposit(ctx, pay, share.amount)
        balance = share.amount - deposit
        text = share.text
        if deposit > 0:
            text = (f"Solde du prix : {fmt_eur(share.amount)} − acompte de {fmt_eur(deposit)} = "
                    f"{fmt_eur(balance)}")
        if ctx.case.instalments:
            _instalments(ctx, pay, balance)
        else:
            # A funder's remainder is due on its own invoice terms (FUN-D1, FUN-L3).
            due = price_due_on(ctx, pay) if share.clause is pay else None
            ctx.charge("price", "client", balance, share.clause, text, due_on=due)


def _deposit(ctx: Ctx, pay: Clause, client_amount: Decimal) -> Decimal:
    c = ctx.contract
    percent = pay.get("deposit_percent")
    deposit = c.deposit if c.deposit > 0 else (
        percent_of(client_amount, percent) if percent is not None else ZERO)
    deposit = min(deposit, client_amount)
    if deposit <= 0:
        return ZERO
    cap = pay.get("first_payment_max_percent")
    if cap is not None:
        due = ctx.deadlines.get("first_payment_from")
        if deposit > percent_of(c.price, cap):
            ctx.warn(f"Acompte de {fmt_eur(deposit)} supérieur au premier versement maximal de "
                     f"{fr_percent(cap)} du prix ({fmt_eur(percent_of(c.price, cap))})", pay)
        text = f"Premier versement de {fmt_eur(deposit)}, exigible après le délai de rétractation"
    else:
        due = c.signed_on
        text = (f"Acompte de {fr_percent(percent)} du prix à la commande : {fmt_eur(deposit)}"
                if c.deposit <= 0 and percent is not None
                else f"Acompte de {fmt_eur(deposit)} à la commande")
    ctx.charge("deposit", "client", deposit, pay, text, due_on=due if isinstance(due, date) else None)
    return deposit


def _instalments(ctx: Ctx, pay: Clause, amount: Decimal) -> None:
    """PAY-L1: equal monthly instalments of the amount paid (VAT included), the cent
    remainder on the first, the first on the order day then the same day each month."""
    count = ctx.case.instalments
    assert count is not None
    rate = ctx.contract.vat_rate
    total = with_vat(amount, rate)
    parts = split_instalments(total, count)
    lead = f"Paiement en {count} fois sans frais de {fmt_eur(total)}"
    listed = []
    gross = HUNDRED + rate
    for k, part in enumerate(parts):
        due = add_months(ctx.contract.signed_on, k)
        excl = cents(part * HUNDRED / gross)
        ctx.charges.append(_instalment_line(ctx, pay, k, parts, excl, due, lead))
        listed.append({"amount": cent_text(part), "due_on": iso(due)})
    ctx.extra["instalments"] = listed


def _instalment_line(ctx: Ctx, pay: Clause, k: int, parts: tuple[Decimal, ...], excl: Decimal,
                     due: date, lead: str) -> Charge:
    count, part = len(parts), parts[k]
    first = " (reliquat des centimes inclus)" if k == 0 and parts[0] != parts[-1] else ""
    when = "à la commande" if k == 0 else f"{k} mois après la commande"
    text = f"{lead} : échéance {k + 1}/{count} de {fmt_eur(part)}{first}, le {fr_date(due)}, {when}"
    return Charge(kind="instalment", payer="client", amount=excl, vat=part - excl, rule=pay.rule,
                  explanation=ctx.cite(text, pay), due_on=due)


# --- retraction ----------------------------------------------------------------------------------


def _retraction(ctx: Ctx, event: Event) -> None:
    ends = _retraction_ends(ctx)
    ret = _retraction_clause(ctx)
    assert ends is not None and ret is not None
    refund_clause = ctx.clause("RET-3") or ret
    if event.type == "cancellation":
        ctx.warn(f"Annulation du {fr_date(event.on)} pendant le délai de rétractation : traitée "
                 "comme une rétractation", ret)
    ctx.charge("price", "client", ZERO, refund_clause,
               f"Rétractation du {fr_date(event.on)}, dans le délai qui courait jusqu'au "
               f"{fr_date(ends)} : aucune somme n'est due")
    paid, what = _paid(ctx, event.on)
    within = refund_clause.get("refund_within_days")
    due_by = event.on + timedelta(days=int(within)) if within is not None else None
    text = _refund_text(f"Rétractation du {fr_date(event.on)}", paid, what)
    if due_by is not None:
        text += f", au plus tard le {fr_date(due_by)}"
    payee = "learner" if ctx.case.funder("cpf") is not None else "client"
    ctx.refund(payee, paid, refund_clause, text, due_by=due_by)


def _payments_before_retraction_end(ctx: Ctx) -> None:
    ends = _retraction_ends(ctx)
    pay = payment_clause(ctx)
    if ends is None or not pay.get("no_payment_before_retraction_end"):
        return
    early = [p for p in ctx.case.of_type("payment") if p.on <= ends]
    if early:
        clause = ctx.clause("RET-3") or pay
        ctx.warn(f"Paiement reçu le {fr_date(early[0].on)}, avant la fin du délai de rétractation "
                 f"({fr_date(ends)}) : aucune somme ne peut être exigée avant", clause)


# --- cancellation by the client ----------------------------------------------------------------


def _cancellation_clause(ctx: Ctx, event: Event) -> Clause | None:
    wanted = "during_performance" if event.on >= ctx.contract.start else "before_start"
    fallback = None
    for rule in CANCELLATION_RULES:
        clause = ctx.clause(rule)
        when = (clause.get("when") or "before_start") if clause is not None else None
        if when == wanted:
            return clause
        if when == "before_start" and fallback is None:
            fallback = clause
    return fallback


def _client_cancellation(ctx: Ctx, event: Event) -> None:
    clause = _cancellation_clause(ctx, event)
    if clause is None:
        if ctx.contract.consumer and _abandonment_clause(ctx, event) is not None:
            # A consumer cancelling before the start abandons the whole training (D P1 art. 4).
            _abandonment(ctx, event, Decimal(0))
            return
        ctx.warn(f"Annulation du {fr_date(event.on)} : aucune clause d'annulation ne s'applique à ce "
                 "contrat ; aucun montant calculé")
        return
    c = ctx.contract
    compensation = bool(clause.get("compensation"))
    deposit = c.deposit
    if event.reason in (clause.get("excused_reasons") or ()):
        fee = ZERO
        text = (f"Annulation du {fr_date(event.on)} pour {REASONS_FR[event.reason or 'other']} : "
                "aucun dédommagement")
    elif c.format in (clause.get("whole_price_formats") or ()):
        fee = c.price
        text = (f"Annulation du {fr_date(event.on)} après acceptation du devis (produits et matériel) : "
                f"tout le prix de {fmt_eur(c.price)} est dû")
    else:
        fee, text = _banded_fee(ctx, clause, event)
        if clause.get("deposit_kept") and deposit > 0:
            if deposit > fee:
                fee = deposit
                text += f" ; l'acompte de {fmt_eur(deposit)} reste acquis, soit {fmt_eur(fee)}"
            else:
                text += f", acompte de {fmt_eur(deposit)} compris"
    if compensation:
        text += ", à titre de dédommagement (sans TVA)"
    text += ", facturé au client"
    ctx.charge("cancellation_fee", "client", fee, clause, text, compensation=compensation,
               due_on=client_due(ctx, event.on) if fee > 0 else None)
    if clause.get("funders_owe_nothing"):
        for funder in ctx.case.funding:
            ctx.charge("price", funder.payer, ZERO, clause,
                       f"Formation annulée : rien n'est facturé au financeur ({funder.payer})")
            ctx.charge("cancellation_fee", funder.payer, ZERO, clause,
                       f"Le dédommagement d'annulation ne peut pas être pris en charge par le "
                       f"financeur ({funder.payer}) : il est facturé au client")
    if deposit > 0:
        paid = with_vat(deposit, c.vat_rate)
        lead = f"Acompte de {fmt_eur(deposit)} HT, soit {fmt_eur(paid)} versés TTC"
        if clause.get("deposit_kept") and fee > 0:
            # « L'acompte versé … ne pourra donner lieu à un quelconque remboursement » (CAN-F1):
            # the deposit is kept as it was paid, VAT included.
            back, text = ZERO, f"{lead} : acquis à l'organisme, aucun remboursement"
        else:
            back = deposit_back(paid, fee if compensation else with_vat(fee, c.vat_rate))
            text = (f"{lead} : {fmt_eur(back)} à rembourser après imputation de "
                    f"{fmt_eur(min(fee, deposit))}{' (sans TVA)' if compensation else ' HT'}")
        ctx.refund("client", back, clause, text)


def _banded_fee(ctx: Ctx, clause: Clause, event: Event) -> tuple[Decimal, str]:
    c = ctx.contract
    if clause.get("measure") == "jours_francs":
        n, unit, plural = jours_francs_between(event.on, c.start), "jour franc", "jours francs"
    else:
        n, unit, plural = (c.start - event.on).days, "jour", "jours"
    percent = Decimal(band_for(clause.get("bands"), n).values["percent"])  # type: ignore[arg-type]
    fee = percent_of(c.price, percent)
    if clause.get("when") == "during_performance":
        where = f"en cours d'exécution (début le {fr_date(c.start)})"
    elif n < 0 or event.on >= c.start:
        where = f"le jour du début ({fr_date(c.start)}) ou après"
    else:
        where = f"à {fr_days(n, unit, plural)} du début du {fr_date(c.start)}"
    text = (f"Annulation du {fr_date(event.on)} {where} : {fr_percent(percent)} du prix de "
            f"{fmt_eur(c.price)} = {fmt_eur(fee)}")
    return fee, text


# --- abandonment, provider stop, provider cancellation -----------------------------------------


def _abandonment_clause(ctx: Ctx, event: Event) -> Clause | None:
    return next((c for c in (ctx.clause(r) for r in ABANDONMENT_RULES)
                 if c is not None and event.reason in (c.get("reasons") or ())), None)


def _prorata(ctx: Ctx, hours: Decimal) -> tuple[Decimal, str]:
    c = ctx.contract
    if not c.hours:
        raise CaseError("contract.hours", "un prorata des heures suivies suppose une durée en "
                                          "heures : ce contrat n'en compte aucune")
    base = cents(c.price * hours / c.hours)
    h, total = fr_number(hours), fr_number(c.hours)
    return base, f"{h} h suivies sur {total} h : {fmt_eur(c.price)} × {h} / {total} = {fmt_eur(base)}"


def _charge_shares(ctx: Ctx, clause: Clause, base: Decimal, kind: str, lead: str) -> Decimal:
    """Charge `base` to its payers under `clause`; what the client owes."""
    shares = split(ctx, base, kind, "des heures suivies" if kind == "prorata" else "du prix")
    client = ZERO
    for share in shares:
        text = lead if len(shares) == 1 else f"{lead} ; {share.text}"
        ctx.charge(share.kind, share.payer, share.amount, clause, text)
        if share.payer == "client":
            client += share.amount
    return client


def _abandonment(ctx: Ctx, event: Event, hours: Decimal) -> None:
    clause = _abandonment_clause(ctx, event)
    if clause is None:
        ctx.warn(f"Abandon du {fr_date(event.on)} : aucune clause ne s'applique à ce contrat pour "
                 f"{REASONS_FR[event.reason or 'other']} ; aucun montant calculé")
        return
    c = ctx.contract
    what = "Annulation avant le début" if event.type == "cancellation" else "Abandon"
    why = f"{what} du {fr_date(event.on)} pour {REASONS_FR[event.reason or 'other']}"
    if clause.get("pays") == "whole_price":
        owed = _charge_shares(ctx, clause, c.price, "price",
                              f"{why} : la totalité de la prestation ({fmt_eur(c.price)}) est due")
    else:
        base, how = _prorata(ctx, hours)
        owed = _charge_shares(ctx, clause, base, "prorata", f"{why} : heures dues au prorata, {how}")
    percent = clause.get("compensation_percent")
    fee = ZERO
    if percent is not None:
        fee = percent_of(c.price, percent)
        ctx.charge("abandonment_fee", "client", fee, clause,
                   f"{why} : dédommagement des heures non suivies de {fr_percent(percent)} du prix de "
                   f"{fmt_eur(c.price)} = {fmt_eur(fee)} (sans TVA)", compensation=True,
                   due_on=client_due(ctx, event.on))
    _settle_deposit(ctx, clause, owed, fee)


def _settle_deposit(ctx: Ctx, clause: Clause, owed: Decimal, compensation: Decimal = ZERO) -> None:
    """The deposit pays what is owed; a surplus is refunded, a shortfall invoiced. Money
    is compared as it moves: the deposit paid and the hours owed with their VAT, the
    compensation without (SIMULATION.md: refunds are money paid back, VAT included)."""
    deposit = ctx.contract.deposit
    if deposit <= 0:
        return
    rate = ctx.contract.vat_rate
    paid, due = with_vat(deposit, rate), with_vat(owed, rate) + compensation
    back = deposit_back(paid, due)
    if back > 0:
        text = (f"Acompte de {fmt_eur(deposit)} HT, soit {fmt_eur(paid)} versés TTC, supérieur aux "
                f"{fmt_eur(due)} TTC dus : {fmt_eur(back)} remboursés")
    else:
        text = (f"Acompte de {fmt_eur(deposit)} HT conservé en paiement ; "
                + ("aucun complément exigé" if paid == due
                   else f"complément de {fmt_eur(due - paid)} TTC à facturer"))
    ctx.refund("client", back, clause, text)


def deposit_back(paid: Decimal, due: Decimal) -> Decimal:
    """What returns to the client of a deposit `paid` once `due` is imputed (both VAT
    included); never negative."""
    return paid - due if paid > due else ZERO


def _provider_stop(ctx: Ctx, event: Event) -> None:
    clause = ctx.clause("PRV-D3")
    if clause is None:
        ctx.warn(f"Arrêt anticipé par l'organisme le {fr_date(event.on)} : aucune clause ne "
                 "s'applique à ce contrat ; aucun montant calculé")
        return
    assert event.hours_attended is not None
    base, how = _prorata(ctx, event.hours_attended)
    owed = _charge_shares(ctx, clause, base, "prorata",
                          f"Cessation anticipée par l'organisme le {fr_date(event.on)} : seules les "
                          f"heures suivies sont facturées, {how}")
    _settle_deposit(ctx, clause, owed)


def _provider_cancellation(ctx: Ctx, event: Event) -> None:
    clause = ctx.clause("PRV-D2")
    if clause is None:
        ctx.warn(f"Annulation par l'organisme le {fr_date(event.on)} : aucune clause ne s'applique "
                 "à ce contrat ; aucun montant calculé")
        return
    for payer in ("client", *(f.payer for f in ctx.case.funding)):
        ctx.charge("price", payer, ZERO, clause,
                   f"Formation annulée par l'organisme le {fr_date(event.on)} : rien n'est facturé")
    paid, what = _paid(ctx, event.on)
    if paid > 0:
        ctx.refund("client", paid, clause,
                   _refund_text("Inexécution totale du fait de l'organisme", paid, what))
    _late_provider_notice(ctx, event, "L'annulation")


def _late_provider_notice(ctx: Ctx, event: Event, what: str) -> bool:
    limit = ctx.deadlines.get("provider_cancel_by")
    prv = ctx.clause("PRV-D1")
    if prv is not None and isinstance(limit, date) and event.on > limit:
        ctx.warn(f"{what} du {fr_date(event.on)} est notifiée après la date limite du "
                 f"{fr_date(limit)} ({int(prv.get('jours_francs'))} jours francs avant le début)", prv)
        return True
    return False


def _schedule_changes(ctx: Ctx) -> None:
    for event in ctx.case.of_type("schedule_change"):
        change = ctx.clause("PRV-D4")
        if change is not None:
            n = int(change.get("end_until_jours_francs"))
            until = latest_act_day(ctx.contract.start, n)
            ctx.warn(f"Changement de dates, d'horaires ou de lieu notifié le {fr_date(event.on)} : le "
                     f"client peut mettre fin à la convention jusqu'au {fr_date(until)} ({n} jours "
                     "francs avant le début) ou reporter son inscription à une session ultérieure",
                     change)
        elif not _late_provider_notice(ctx, event, "La modification"):
            prv = ctx.clause("PRV-D1")
            if prv is None:
                ctx.warn(f"Changement notifié le {fr_date(event.on)} : aucune clause ne s'applique")
            else:
                ctx.warn(f"Report notifié le {fr_date(event.on)} dans le délai : l'organisme informe "
                         "par écrit et recherche une solution de substitution", prv)


# --- delivery delay, rescission and complaints (PRV-F1) ----------------------------------------


def _delivered_on(ctx: Ctx) -> date | None:
    if not ctx.case.own_events:  # the usual case
        return None
    delivered = ctx.case.of_type("delivery")
    return delivered[0].on if delivered else None


def _delivery_deadlines(ctx: Ctx, clause: Clause) -> None:
    """PRV-F1: rescission possible once the delivery is more than N calendar months late
    (CAL-6), unless delivered by then; complaints within M days of the delivery."""
    c = ctx.contract
    months = int(clause.get("delay_months"))
    last = add_months(c.start, months)
    delivered = _delivered_on(ctx)
    if delivered is None or delivered > last:
        ctx.deadline("rescission_from", last + ONE_DAY, clause,
                     f"Fourniture prévue le {fr_date(c.start)} : sans fourniture au {fr_date(last)}, "
                     f"soit un retard de plus de {months} mois calendaires, le client peut demander "
                     f"la résolution du contrat à partir du {fr_date(last + ONE_DAY)} et les acomptes "
                     "versés lui sont restitués")
    if delivered is not None:
        days = int(clause.get("complaint_days"))
        ctx.deadline("complaints_by", delivered + timedelta(days=days), clause,
                     f"Réserves et réclamations par écrit, avec leurs justificatifs, dans les "
                     f"{fr_days(days)} suivant la fourniture du {fr_date(delivered)}, soit jusqu'au "
                     f"{fr_date(delivered + timedelta(days=days))} inclus ; à défaut, les prestations "
                     "sont réputées conformes")


def _may_rescind(ctx: Ctx, event: Event) -> bool:
    """A rescission the contract allows (PRV-F1); any other is reported and changes nothing."""
    clause = ctx.clause("PRV-F1")
    lead = f"Demande de résolution du {fr_date(event.on)}"
    if clause is None:
        ctx.warn(f"{lead} sans effet : aucune clause de retard de fourniture ne s'applique à ce "
                 "contrat ; le contrat continue")
        return False
    delivered = _delivered_on(ctx)
    if delivered is not None and delivered <= event.on:
        ctx.warn(f"{lead} refusée (PRV-F1) : la prestation a été fournie le {fr_date(delivered)} ; "
                 "le contrat continue", clause)
        return False
    since = ctx.deadlines.get("rescission_from")
    if isinstance(since, date) and event.on >= since:
        return True
    months = int(clause.get("delay_months"))
    ctx.warn(f"{lead} refusée (PRV-F1) : la fourniture prévue le {fr_date(ctx.contract.start)} "
             f"n'a pas plus de {months} mois calendaires de retard ; la résolution n'est possible "
             f"qu'à partir du {fr_date(since) if isinstance(since, date) else '—'} ; le contrat "
             "continue", clause)
    return False


def _deposits_paid(ctx: Ctx, until: date) -> tuple[Decimal, str]:
    """What the client has paid by `until` (VAT included): the payments received, or else
    the deposits the contract asked for by then."""
    payments = [p.amount for p in ctx.case.of_type("payment") if p.on <= until and p.amount]
    if payments:
        total = cents(sum(payments, Decimal(0)))
        return total, f"des sommes versées ({fmt_eur(total)})"
    due = [ch for ch in _planned_charges(ctx).charges if ch.kind == "deposit"
           and ch.due_on is not None and ch.due_on <= until]
    total = cents(sum((ch.amount + ch.vat for ch in due), Decimal(0)))
    return total, (f"des acomptes dus ({fmt_eur(total)}), dans la mesure où ils ont été versés"
                   if due else "")


def _rescission(ctx: Ctx, event: Event) -> None:
    clause = ctx.clauses["PRV-F1"]  # `_may_rescind` let no rescission through without it
    months = int(clause.get("delay_months"))
    lead = (f"Contrat résolu à la demande du client le {fr_date(event.on)}, la fourniture prévue le "
            f"{fr_date(ctx.contract.start)} ayant plus de {months} mois calendaires de retard")
    for payer in ("client", *(f.payer for f in ctx.case.funding)):
        ctx.charge("price", payer, ZERO, clause, f"{lead} : rien n'est dû")
    paid, what = _deposits_paid(ctx, event.on)
    ctx.refund("client", paid, clause, _refund_text(lead, paid, what, "restitution intégrale"))


def _complaints(ctx: Ctx) -> None:
    clause = ctx.clause("PRV-F1")
    by = ctx.deadlines.get("complaints_by")
    for event in ctx.case.of_type("complaint"):
        if clause is None or not isinstance(by, date):
            why = ("aucune clause de réclamation ne s'applique à ce contrat" if clause is None
                   else "aucune date de fourniture n'est déclarée")
            ctx.warn(f"Réclamation du {fr_date(event.on)} : {why} ; aucun délai vérifié")
        elif event.on > by:
            ctx.breaches.append(Breach("complaints_by", by, clause.rule, ctx.cite(
                f"Réclamation du {fr_date(event.on)} émise après le délai de "
                f"{fr_days(int(clause.get('complaint_days')))} suivant la fourniture, qui courait "
                f"jusqu'au {fr_date(by)} : elle ne peut être valablement acceptée et les prestations "
                "sont réputées conformes", clause)))


# --- Ofelia's own events: funding refused, delivery, complaint, remote switch --------------------


def _extensions(ctx: Ctx) -> None:
    types = {e.type for e in ctx.case.events}
    if "funding_refused" in types:
        _refusals(ctx)
    if "delivery" in types and ctx.clause("PRV-F1") is None:
        ctx.warn(f"Fourniture du {fr_date(ctx.case.of_type('delivery')[0].on)} : aucune clause de "
                 "retard de fourniture ni de réclamation ne s'applique à ce contrat")
    if "complaint" in types:
        _complaints(ctx)
    if "remote_switch" in types:
        _remote_switches(ctx)


def _refusals(ctx: Ctx) -> None:
    """CAN-L1: the refusals the payment split did not already apply are reported."""
    seen: set[str] = set()
    for event in ctx.case.of_type("funding_refused"):
        payer = refused_payer(event)
        if payer in seen:
            continue
        seen.add(payer)
        found = refusal(ctx, payer)
        who = REFUSED_BY[payer]
        if found is None:
            ctx.warn(f"Prise en charge refusée par {who} le {fr_date(event.on)} : aucune clause ne "
                     "s'applique à ce refus pour ce contrat ; sans effet sur le calcul")
        elif found.effect == "order_kept":
            text = (f"Prise en charge refusée par {who} le {fr_date(event.on)} : la commande n'est ni "
                    "annulée ni remboursée ; le client reste redevable de tout le prix")
            fun = ctx.terms.funders.get(payer)
            if fun is not None and payer == "faf":
                text += f", qu'il règle lui-même avant de solliciter le FAF ({fun.rule})"
            ctx.warn(text, found.clause)


def _cancellation_after_refusal(ctx: Ctx, event: Event) -> bool:
    """CAN-L1: after a refusal that leaves the client to pay or cancel, his cancellation
    undoes the order: nothing is owed and what was paid comes back."""
    found = next((r for r in (refusal(ctx, p) for p in REFUSED_BY)
                  if r is not None and r.effect == "pay_or_cancel" and r.event.on <= event.on), None)
    if found is None:
        return False
    who = REFUSED_BY[refused_payer(found.event)]
    lead = (f"Commande annulée le {fr_date(event.on)} après le refus de prise en charge par {who} "
            f"du {fr_date(found.event.on)}")
    cpf = ctx.case.funder("cpf") is not None
    ctx.charge("price", "client", ZERO, found.clause, f"{lead} : rien n'est dû")
    if cpf:
        ctx.charge("remaining_charge", "learner", ZERO, found.clause,
                   f"{lead} : aucun reste à charge n'est dû")
    for funder in ctx.case.funding:
        ctx.charge("price", funder.payer, ZERO, found.clause,
                   f"{lead} : rien n'est facturé au financeur ({funder.payer})")
    paid, what = _paid(ctx, event.on)
    payee = "learner" if cpf else "client"
    ctx.refund(payee, paid, found.clause, _refund_text(lead, paid, what))
    return True


def _remote_switches(ctx: Ctx) -> None:
    """PRV-X: moving the training to remote delivery refunds nothing."""
    clause = ctx.clause("PRV-X")
    for event in ctx.case.of_type("remote_switch"):
        if clause is None:
            ctx.warn(f"Passage à distance le {fr_date(event.on)} : aucune clause de circonstances "
                     "exceptionnelles ne s'applique à ce contrat ; les règles habituelles s'appliquent")
            continue
        ctx.refund("client", ZERO, clause,
                   f"Formation adaptée à distance le {fr_date(event.on)} en raison de circonstances "
                   "exceptionnelles : ce passage à distance ne donne droit au remboursement d'aucun "
                   "montant du prix de la formation")
