"""Invoices of a training case: when each is due, and what a late one costs (PEN-*).

The rate, its multiplier, the grace period, the day counting starts from and the
recovery fee all come from the clause; PEN-1 (`late_interest`) counts the days per
half-year. Invoice and payment amounts include VAT: interest runs on what is unpaid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from ofelia.rules.calendars import add_months
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.money import cents, fmt_eur, split_instalments
from ofelia.rules.outcome import Penalty
from ofelia.rules.penalties import Interest, describe_interest, late_interest
from ofelia.rules.policy import Clause
from ofelia.rules.training_case import Event
from ofelia.rules.training_terms import (
    ZERO,
    Ctx,
    article,
    client_due,
    fr_days,
    fr_number,
    funding_clause,
    payment_clause,
)

PENALTY_RULES = ("PEN-D1", "PEN-D2", "PEN-F1", "PEN-V1")
Debtor = Literal["consumer", "professional"]
CONSUMER_PAYERS = ("learner",)

# A professional debtor owes late interest and the 40 € fee by law, even when the terms say
# nothing (Code de commerce L441-10 and D441-5): the ECB rate + 10 points from the due
# date. Billing prints it on the invoice and collections charges it; the simulation too.
STATUTORY_B2B = Clause(
    rule="L441-10",
    article="Code de commerce, art. L441-10 et D441-5",
    params=MappingProxyType({"rates": ({"base": "ecb", "plus_points": "10"},),
                             "recovery_fee": True, "count_from": "due_date"}),
    summary="À défaut de clause, pénalités au taux de la BCE majoré de 10 points et "
            "indemnité forfaitaire de 40 € pour frais de recouvrement.",
)


def late_penalty_clause(terms_clause: Clause | None, debtor: Debtor) -> Clause | None:
    """The clause a late invoice is charged under: the terms' own PEN clause, else the
    statutory one for a professional debtor; a consumer owes nothing the terms don't say."""
    if terms_clause is not None:
        return terms_clause
    return STATUTORY_B2B if debtor == "professional" else None


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


def clause_rate(clause: Clause, legal: LegalData) -> tuple[Callable[[date], Decimal], str]:
    """The annual rate (percent) of a day under a PEN clause, the sum of its rate components
    (legal rate × multiplier, ECB + points…), and its French label."""
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
            value = (legal.legal_rate(d, "other") if part["base"] == "legal"
                     else legal.ecb_rate_for_half_year(d))
            total += value * Decimal(part.get("multiplier", 1)) + Decimal(part.get("plus_points", 0))
        return total

    return rate, " plus ".join(labels)


@dataclass(frozen=True)
class InvoicePenalty:
    """What one late invoice owes under a PEN clause on a given day.

    The simulation (`ofelia simulate`) and the collections job both come here, so the same
    facts always give the same days, interest and fee.
    """

    rule: str
    issued_on: date
    due_on: date
    start: date  # interest runs from the day after
    end: date  # the day it was paid in full, else the evaluation day
    paid: bool
    unpaid: Decimal  # left to pay on `end`
    days_late: int
    interest: Decimal
    recovery_fee: Decimal
    rate_label: str = ""
    pieces: tuple[Interest, ...] = ()
    grace_days: int | None = None  # set when still within the clause's grace period: nothing owed
    fee_in_clause: bool = False  # the clause has the fee (a consumer does not owe it)

    @property
    def within_grace(self) -> bool:
        return self.grace_days is not None


def settlement(amount: Decimal, payments: Sequence[tuple[date, Decimal]],
               as_of: date) -> tuple[date | None, Decimal]:
    """The day an invoice was paid in full by `as_of` (None if not) and what is left unpaid.
    `payments` are (day, amount) in date order."""
    outstanding = amount
    paid_on = None
    for on, paid in payments:
        if on > as_of:
            break
        outstanding -= paid
        if outstanding <= 0 and paid_on is None:
            paid_on = on
    return paid_on, max(outstanding, ZERO)


def instalment_schedule(total: Decimal, count: int, first_due: date) -> tuple[tuple[date, Decimal], ...]:
    """PAY-L1: `count` equal monthly instalments of `total` (the cent remainder on the first),
    the first due on `first_due` (the order day), then the same day of each month."""
    return tuple((add_months(first_due, k), part)
                 for k, part in enumerate(split_instalments(total, count)))


def amount_overdue(schedule: Sequence[tuple[date, Decimal]],
                   payments: Sequence[tuple[date, Decimal]], on: date) -> Decimal:
    """What is past due on `on` (instalments due before it, less the payments made by it):
    a later instalment not yet due is not late."""
    due = sum((amount for when, amount in schedule if when < on), ZERO)
    paid = sum((amount for when, amount in payments if when <= on), ZERO)
    return max(due - paid, ZERO)


def oldest_unpaid_due(schedule: Sequence[tuple[date, Decimal]],
                      payments: Sequence[tuple[date, Decimal]], on: date) -> date | None:
    """The due date of the oldest instalment still unpaid on `on` (payments settle the
    oldest first), if it is past due; None when nothing is late."""
    paid = sum((amount for when, amount in payments if when <= on), ZERO)
    cumulative = ZERO
    for when, amount in sorted(schedule, key=lambda i: i[0]):
        cumulative += amount
        if cumulative > paid:
            return when if when < on else None
    return None


def _overdue_periods(schedule: Sequence[tuple[date, Decimal]],
                     payments: Sequence[tuple[date, Decimal]],
                     end: date) -> tuple[tuple[Decimal, date, date], ...]:
    """(amount past due, after day, to day inclusive) up to `end`: an instalment is owed
    from the day after its due date, a payment lowers the base from the day after it."""
    changes: dict[date, Decimal] = {}
    for when, amount in schedule:
        changes[when] = changes.get(when, ZERO) + amount
    for when, amount in payments:
        if when <= end:
            changes[when] = changes.get(when, ZERO) - amount
    periods: list[tuple[Decimal, date, date]] = []
    level = ZERO  # owed and due, less paid (negative: paid ahead)
    cursor: date | None = None
    for day in sorted(changes):
        if cursor is not None and level > 0:
            periods.append((level, cursor, min(day, end)))
        if day >= end:
            return tuple(periods)
        level += changes[day]
        cursor = day
    if cursor is not None and level > 0:
        periods.append((level, cursor, end))
    return tuple(periods)


def invoice_penalty(
    *,
    amount: Decimal,
    issued_on: date,
    due_on: date,
    payments: Sequence[tuple[date, Decimal]],
    as_of: date,
    clause: Clause,
    debtor: Debtor,
    legal: LegalData,
    instalments: Sequence[tuple[date, Decimal]] = (),
) -> InvoicePenalty | None:
    """The penalty of one invoice (amount VAT included) under its PEN clause on `as_of`.

    None when nothing was ever past due by `as_of` (paid by its due date, not yet due).
    Interest runs on the unpaid part past due (a partial payment lowers it from the next
    day), from the due date or the invoice date as the clause says, up to the day it was
    paid in full or `as_of`; within the clause's grace period nothing is owed. An invoice
    paid by `instalments` ((due date, amount), see `instalment_schedule`) is late only for
    the instalments already due, each from its own due date. The recovery fee is for a
    professional debtor only. A half-year without a rate raises MissingLegalData.
    """
    ordered = sorted(payments, key=lambda p: p[0])
    paid_on, unpaid = settlement(amount, ordered, as_of)
    end = paid_on or as_of
    if instalments:
        schedule = tuple(sorted(instalments, key=lambda i: i[0]))
    else:
        counted_from = issued_on if clause.get("count_from") == "invoice" else due_on
        schedule = ((counted_from, amount),)
    if end <= (schedule[0][0] if instalments else due_on):
        return None
    periods = _overdue_periods(schedule, ordered, end)
    if not periods:
        return None
    start = periods[0][1]
    grace = clause.get("grace_days_after_invoice")
    if grace is not None and (end - issued_on).days <= int(grace):
        return InvoicePenalty(rule=clause.rule, issued_on=issued_on, due_on=due_on, start=start,
                              end=end, paid=paid_on is not None, unpaid=unpaid, days_late=0,
                              interest=ZERO, recovery_fee=ZERO, grace_days=int(grace))
    rate, label = clause_rate(clause, legal)
    pieces = tuple(late_interest(level, after, to, rate) for level, after, to in periods)
    fee = ZERO
    if clause.get("recovery_fee") and debtor == "professional":
        fee = legal.recovery_fee_on(issued_on)
    interest = cents(sum((i.amount for i in pieces), Decimal(0)))
    return InvoicePenalty(rule=clause.rule, issued_on=issued_on, due_on=due_on, start=start,
                          end=end, paid=paid_on is not None, unpaid=unpaid,
                          days_late=(end - start).days, interest=interest, recovery_fee=fee,
                          rate_label=label, pieces=pieces,
                          fee_in_clause=bool(clause.get("recovery_fee")))


def penalty_explanation(p: InvoicePenalty, *, invoice: str, amount: Decimal, where: str) -> str:
    """The French sentence of a penalty, with each period's computation and the clause."""
    state = f"réglée le {fr_date(p.end)}" if p.paid else f"impayée au {fr_date(p.end)}"
    if p.grace_days is not None:
        return (f"Facture {invoice} du {fr_date(p.issued_on)} {state}, "
                f"{fr_days((p.end - p.issued_on).days)} après son émission : pas de pénalité "
                f"avant {p.grace_days} jours ({where}).")
    detail = " ; ".join(describe_interest(i) for i in p.pieces) or "aucun jour de retard"
    since = ("depuis le lendemain de la facture" if p.start == p.issued_on
             else f"depuis le lendemain de l'échéance du {fr_date(p.start)}")
    text = (f"Facture {invoice} de {fmt_eur(amount)} {state} : {fr_days(p.days_late)} de retard "
            f"{since}, taux appliqué : {p.rate_label} ({detail}) = {fmt_eur(p.interest)}")
    if p.recovery_fee:
        text += f" ; indemnité forfaitaire de recouvrement de {fmt_eur(p.recovery_fee)}"
    elif p.fee_in_clause:
        text += " ; pas d'indemnité de recouvrement pour un débiteur particulier"
    return f"{text} ({where})."


def _debtor_is_professional(ctx: Ctx, invoice: Event) -> bool:
    if invoice.payer in CONSUMER_PAYERS:
        return False
    if invoice.payer == "client":
        return not ctx.contract.consumer
    return True  # OPCO, FAF, CPF, France Travail, employer


def _payments(ctx: Ctx, invoice: Event) -> tuple[tuple[date, Decimal], ...]:
    """(day, amount) of the invoice's payments, in date order."""
    return tuple((p.on, p.amount) for p in ctx.case.of_type("payment")
                 if p.invoice == invoice.id and p.amount is not None)


def penalty_clause(ctx: Ctx) -> Clause | None:
    return ctx.first(PENALTY_RULES)


def invoices(ctx: Ctx) -> list[Penalty]:
    """payment_due for every invoice; a penalty line for every late one; the dates from
    which a formal notice, an order to pay or a suspension may follow an unpaid one."""
    case_invoices = ctx.case.invoices()
    if not case_invoices:
        return []  # most cases: nothing to look up
    penalties: list[Penalty] = []
    due_dates: dict[str, date] = {}
    notice_from: dict[str, date] = {}
    order_from: dict[str, date] = {}
    suspension_from: dict[str, date] = {}
    terms_clause = penalty_clause(ctx)
    due_reason: tuple[str, str] | None = None
    unclaused: list[str] = []
    for invoice in case_invoices:
        assert invoice.id is not None and invoice.amount is not None
        due, due_clause, due_text = invoice_due(ctx, invoice)
        due_dates[invoice.id] = due
        due_reason = due_reason or (due_clause.rule, ctx.cite(due_text[0].upper() + due_text[1:], due_clause))
        debtor: Debtor = "professional" if _debtor_is_professional(ctx, invoice) else "consumer"
        clause = late_penalty_clause(terms_clause, debtor)
        payments = _payments(ctx, invoice)
        if clause is None:
            if settlement(invoice.amount, payments, ctx.as_of)[0] is None:
                unclaused.append(invoice.id)
            continue
        # Paid in 3 or 4 times (PAY-L1): the instalments fall due month by month from the
        # invoice day; only those already due can be late.
        schedule = (instalment_schedule(invoice.amount, ctx.case.instalments, invoice.on)
                    if ctx.case.instalments and invoice.payer == "client" and invoice.due_on is None
                    else ())
        line = invoice_penalty(amount=invoice.amount, issued_on=invoice.on, due_on=due,
                               payments=payments, as_of=ctx.as_of, clause=clause,
                               debtor=debtor, legal=ctx.legal, instalments=schedule)
        if line is not None:
            penalties.append(Penalty(
                invoice=invoice.id, days_late=line.days_late, interest=line.interest,
                recovery_fee=line.recovery_fee, rule=clause.rule,
                explanation=penalty_explanation(line, invoice=invoice.id, amount=invoice.amount,
                                                where=article(clause, ctx.contract))))
        if terms_clause is None:
            continue  # the statutory clause gives no notice, order-to-pay or suspension dates
        late_since = oldest_unpaid_due(schedule or ((due, invoice.amount),), payments, ctx.as_of)
        if late_since is not None:
            notices = [n for n in ctx.case.of_type("formal_notice")
                       if n.invoice == invoice.id and n.on <= ctx.as_of]
            _recourse(ctx, clause, invoice, late_since, notices, notice_from, order_from,
                      suspension_from)
    if due_dates and due_reason is not None:
        ctx.deadlines["payment_due"] = due_dates
        ctx.reasons["payment_due"] = due_reason
    if terms_clause is not None:
        for name, values, text in (
            ("formal_notice_from", notice_from, _notice_text),
            ("order_to_pay_from", order_from, _order_text),
            ("suspension_from", suspension_from, _suspension_text),
        ):
            if values:  # the sentence is only written for a deadline that exists
                ctx.deadlines[name] = values
                ctx.reasons[name] = (terms_clause.rule, ctx.cite(text(terms_clause), terms_clause))
    if unclaused:
        ctx.warn(f"Aucune clause de pénalités de retard ne s'applique à un débiteur consommateur "
                 f"dans ces conditions : aucun intérêt calculé sur {', '.join(unclaused)}")
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
        # "Notice left without effect for 8 calendar days" (PEN-V1): the day of the notice
        # does not count and the period ends at the end of its 8th day (CAL-3, a
        # contractual period: not extended), so access may be suspended the day after.
        suspension_from[invoice.id] = notices[0].on + timedelta(days=int(suspension_days) + 1)
