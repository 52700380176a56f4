"""Invoices of a training case: when each is due, and what a late one costs (PEN-*).

The rate, its multiplier, the grace period, the day counting starts from and the
recovery fee all come from the clause; PEN-1 (`late_interest`) counts the days per
half-year. Invoice and payment amounts include VAT: interest runs on what is unpaid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from ofelia.rules.money import cents, fmt_eur
from ofelia.rules.outcome import Penalty
from ofelia.rules.penalties import Interest, describe_interest, late_interest
from ofelia.rules.policy import Clause
from ofelia.rules.training_case import Event
from ofelia.rules.training_terms import (
    ZERO,
    Ctx,
    article,
    client_due,
    fr_date,
    fr_days,
    fr_number,
    funding_clause,
    payment_clause,
)

PENALTY_RULES = ("PEN-D1", "PEN-D2", "PEN-F1", "PEN-V1")
CONSUMER_PAYERS = ("learner",)


def invoice_due(ctx: Ctx, invoice: Event) -> tuple[date, Clause, str]:
    """The due date of an invoice: its own `due_on`, else the clause's payment term."""
    assert invoice.id is not None
    pay = payment_clause(ctx)
    if invoice.due_on is not None:
        return invoice.due_on, pay, f"échéance portée sur la facture {invoice.id}"
    if invoice.payer == "client":
        for funder in ctx.case.funding:
            fc = funding_clause(ctx, funder.payer)
            days = fc.get("remainder_due_days") if fc is not None else None
            if fc is not None and days is not None and funder.payer == "opco":
                due = invoice.on + timedelta(days=int(days))
                return due, fc, (f"reliquat facturé au client après prise en charge de l'OPCO, "
                                 f"payable dans les {days} jours de la facture du {fr_date(invoice.on)}")
    due = client_due(ctx, invoice.on)
    days = (due - invoice.on).days
    if days == 0:
        text = f"facture {invoice.id} du {fr_date(invoice.on)} payable dès réception"
    else:
        text = f"facture {invoice.id} du {fr_date(invoice.on)} payable dans les {days} jours"
    return due, pay, text


def _rate_on(ctx: Ctx, clause: Clause) -> tuple[Callable[[date], Decimal], str]:
    """The annual rate (percent) of a day: the sum of the clause's rate components."""
    parts = tuple(clause.get("rates") or ())
    labels = []
    for part in parts:
        mult = Decimal(part.get("multiplier", 1))
        plus = Decimal(part.get("plus_points", 0))
        base = "taux de l'intérêt légal" if part["base"] == "legal" else "taux de refinancement de la BCE"
        label = f"le {base}" if mult == 1 else f"{fr_number(mult)} fois le {base}"
        if plus:
            label += f" + {fr_number(plus)} points"
        labels.append(label)

    def rate(d: date) -> Decimal:
        total = Decimal(0)
        for part in parts:
            value = (ctx.legal.legal_rate(d, "other") if part["base"] == "legal"
                     else ctx.legal.ecb_rate_for_half_year(d))
            total += value * Decimal(part.get("multiplier", 1)) + Decimal(part.get("plus_points", 0))
        return total

    return rate, " plus ".join(labels)


def _debtor_is_professional(ctx: Ctx, invoice: Event) -> bool:
    if invoice.payer in CONSUMER_PAYERS:
        return False
    if invoice.payer == "client":
        return not ctx.contract.consumer
    return True  # OPCO, FAF, CPF, France Travail, employer


def _settlement(ctx: Ctx, invoice: Event) -> tuple[list[Event], date | None, Decimal]:
    """Payments of the invoice up to `as_of`, the day it was fully paid, what is unpaid."""
    assert invoice.amount is not None
    payments = [p for p in ctx.case.of_type("payment")
                if p.invoice == invoice.id and p.on <= ctx.as_of]
    outstanding = invoice.amount
    paid_on = None
    for p in payments:
        assert p.amount is not None
        outstanding -= p.amount
        if outstanding <= 0 and paid_on is None:
            paid_on = p.on
    return payments, paid_on, max(outstanding, ZERO)


def _interest(ctx: Ctx, invoice: Event, start: date, end: date,
              rate: Callable[[date], Decimal]) -> tuple[Decimal, list[Interest]]:
    """PEN-1 on the unpaid part: each partial payment lowers the base from the next day."""
    assert invoice.amount is not None
    outstanding = invoice.amount
    pieces: list[Interest] = []
    cursor = start
    for p in ctx.case.of_type("payment"):
        if p.invoice != invoice.id or p.on > end:
            continue
        assert p.amount is not None
        if p.on > cursor and outstanding > 0:
            pieces.append(late_interest(outstanding, cursor, p.on, rate))
            cursor = p.on
        outstanding -= p.amount
    if outstanding > 0 and end > cursor:
        pieces.append(late_interest(outstanding, cursor, end, rate))
    return cents(sum((i.amount for i in pieces), Decimal(0))), pieces


def penalty_clause(ctx: Ctx) -> Clause | None:
    return ctx.first(PENALTY_RULES)


def invoices(ctx: Ctx) -> list[Penalty]:
    """payment_due for every invoice; a penalty line for every late one; the dates from
    which a formal notice, an order to pay or a suspension may follow an unpaid one."""
    penalties: list[Penalty] = []
    due_dates: dict[str, date] = {}
    notice_from: dict[str, date] = {}
    order_from: dict[str, date] = {}
    suspension_from: dict[str, date] = {}
    clause = penalty_clause(ctx)
    due_reason: tuple[str, str] | None = None
    for invoice in ctx.case.invoices():
        assert invoice.id is not None and invoice.amount is not None
        due, due_clause, due_text = invoice_due(ctx, invoice)
        due_dates[invoice.id] = due
        due_reason = due_reason or (due_clause.rule, ctx.cite(due_text[0].upper() + due_text[1:], due_clause))
        if clause is None:
            continue
        payments, paid_on, unpaid = _settlement(ctx, invoice)
        end = paid_on or ctx.as_of
        line = _penalty(ctx, clause, invoice, due, end, paid_on is not None)
        if line is not None:
            penalties.append(line)
        if unpaid > 0 and ctx.as_of > due:
            notices = [n for n in ctx.case.of_type("formal_notice")
                       if n.invoice == invoice.id and n.on <= ctx.as_of]
            _recourse(ctx, clause, invoice, due, notices, notice_from, order_from, suspension_from)
    if due_dates and due_reason is not None:
        ctx.deadlines["payment_due"] = due_dates
        ctx.reasons["payment_due"] = due_reason
    if clause is not None:
        for name, values, text in (
            ("formal_notice_from", notice_from, _notice_text),
            ("order_to_pay_from", order_from, _order_text),
            ("suspension_from", suspension_from, _suspension_text),
        ):
            if values:  # the sentence is only written for a deadline that exists
                ctx.deadlines[name] = values
                ctx.reasons[name] = (clause.rule, ctx.cite(text(clause), clause))
    if clause is None and any(_settlement(ctx, i)[1] is None for i in ctx.case.invoices()):
        ctx.warn("Aucune clause de pénalités de retard applicable à ce contrat : aucun intérêt calculé")
    return penalties


def _notice_text(clause: Clause) -> str:
    return "Facture impayée à son échéance : mise en demeure possible dès le lendemain"


def _suspension_text(clause: Clause) -> str:
    days = int(clause.get("suspension_after_notice_days") or 0)
    return f"Accès suspendu après une mise en demeure restée sans effet {fr_days(days)} calendaires"


def _order_text(clause: Clause) -> str:
    days = clause.get("order_to_pay_after_days")
    return (f"Facture impayée {days} jours après son émission : procédure d'injonction de payer "
            "possible, après une mise en demeure restée sans réponse")


def _recourse(ctx: Ctx, clause: Clause, invoice: Event, due: date, notices: list[Event],
              notice_from: dict[str, date], order_from: dict[str, date],
              suspension_from: dict[str, date]) -> None:
    assert invoice.id is not None
    order_days = clause.get("order_to_pay_after_days")
    suspension_days = clause.get("suspension_after_notice_days")
    if clause.get("formal_notice_required") or suspension_days is not None:
        notice_from[invoice.id] = due + timedelta(days=1)
    if order_days is not None:
        # "not paid within N days of the invoice": known on the day after the N-th day.
        day = invoice.on + timedelta(days=int(order_days) + 1)
        if notices:
            day = max(day, notices[0].on + timedelta(days=1))
        order_from[invoice.id] = day
    if suspension_days is not None and notices:
        suspension_from[invoice.id] = notices[0].on + timedelta(days=int(suspension_days))


def _penalty(ctx: Ctx, clause: Clause, invoice: Event, due: date, end: date,
             paid: bool) -> Penalty | None:
    assert invoice.id is not None and invoice.amount is not None
    where = f"({article(clause, ctx.contract)})."
    grace = clause.get("grace_days_after_invoice")
    start = invoice.on if clause.get("count_from") == "invoice" else due
    state = f"réglée le {fr_date(end)}" if paid else f"impayée au {fr_date(end)}"
    if end <= due:
        return None
    if grace is not None and (end - invoice.on).days <= int(grace):
        return Penalty(invoice=invoice.id, days_late=0, interest=ZERO, recovery_fee=ZERO,
                       rule=clause.rule, explanation=(
                           f"Facture {invoice.id} du {fr_date(invoice.on)} {state}, "
                           f"{fr_days((end - invoice.on).days)} après son émission : pas de pénalité "
                           f"avant {int(grace)} jours {where}"))
    rate, label = _rate_on(ctx, clause)
    interest, pieces = _interest(ctx, invoice, start, end, rate)
    days = (end - start).days
    fee = ZERO
    if clause.get("recovery_fee") and _debtor_is_professional(ctx, invoice):
        fee = ctx.legal.recovery_fee_on(invoice.on)
    detail = " ; ".join(describe_interest(p) for p in pieces) or "aucun jour de retard"
    since = ("depuis le lendemain de la facture" if start == invoice.on
             else f"depuis le lendemain de l'échéance du {fr_date(due)}")
    text = (f"Facture {invoice.id} de {fmt_eur(invoice.amount)} {state} : {fr_days(days)} de retard "
            f"{since}, taux appliqué : {label} ({detail}) = {fmt_eur(interest)}")
    if fee:
        text += f" ; indemnité forfaitaire de recouvrement de {fmt_eur(fee)}"
    elif clause.get("recovery_fee"):
        text += " ; pas d'indemnité de recouvrement pour un débiteur particulier"
    return Penalty(invoice=invoice.id, days_late=days, interest=interest, recovery_fee=fee,
                   rule=clause.rule, explanation=f"{text} {where}")

