"""Collections: late interest, the 40 € fee and the dunning steps of every overdue invoice.

The clause an invoice was issued under (its policy version and `late_penalty_rule`) gives
the rate, the day counting starts from, the grace period, the fee and the recourse delays;
the rules core computes, with the very function `ofelia simulate` uses
(`invoice_penalty`: interest on the unpaid part of each period, instalments counted only
once due). This module reads the facts (payments with their dates, refunds, instalment
schedules), decides which rows to write, and writes a row only when its content changes:
a second run on the same day writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from ofelia.core import audit, clock
from ofelia.core.models import AuditEntry
from ofelia.legal.selectors import legal_data
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.training_penalties import invoice_penalty, oldest_unpaid_due, penalty_explanation

from . import mails
from .models import (
    ZERO,
    DunningStep,
    DunningStepKind,
    Instalment,
    Invoice,
    InvoiceStatus,
    PaymentAllocation,
    PaymentStatus,
    PenaltyAssessment,
    Refund,
    RefundStatus,
)
from .terms import penalty_clause

# Days after the due date before the formal notice (mise en demeure) is sent; an office
# practice, not a clause: the clauses only require that one was sent and left unanswered.
FORMAL_NOTICE_AFTER_DAYS = getattr(settings, "BILLING_FORMAL_NOTICE_AFTER_DAYS", 15)
BATCH = 5000


@dataclass(frozen=True)
class Assessment:
    days_late: int
    interest: Decimal
    recovery_fee: Decimal
    rule: str
    explanation: str


@dataclass(frozen=True)
class Step:
    step: str
    reached_on: date
    rule: str
    explanation: str


@dataclass
class RunReport:
    as_of: date
    invoices: int = 0
    penalties_written: int = 0
    steps_created: int = 0
    problems: list[str] | None = None


@cache
def _policy(organisation_id: int, policy_id: str, version: str, on: date) -> Policy:
    """The terms an invoice was issued under, through the one door (own versions first).

    Cached for the process: a named version's text never changes (sha256 kept)."""
    from ofelia.simulator.terms import policy_terms

    return policy_terms(organisation=organisation_id, policy_id=policy_id,
                        version=version or None, on=on)


def _where(policy: Policy, clause: Clause) -> str:
    return clause.article if clause.rule == "L441-10" else f"{policy.document}, {clause.article}"


Dated = tuple[tuple[date, Decimal], ...]


def assess(row: dict[str, Any], clause: Clause, policy: Policy, legal: LegalData, as_of: date,
           payments: Dated = (), instalments: Dated = ()) -> Assessment | None:
    """The penalty of one unpaid invoice on `as_of`, or None while nothing is owed.

    `payments` are the invoice's (day, amount), `instalments` its PAY-L1 schedule if any.
    """
    amount = row["total_incl_vat"] - row["amount_credited"]
    result = invoice_penalty(amount=amount, issued_on=row["issue_date"], due_on=row["due_date"],
                             payments=payments, as_of=as_of, clause=clause,
                             debtor=row["buyer_kind"], legal=legal, instalments=instalments)
    if result is None or result.within_grace:
        return None
    text = penalty_explanation(result, invoice=row["number"], amount=amount,
                               where=_where(policy, clause))
    return Assessment(days_late=result.days_late, interest=result.interest,
                      recovery_fee=result.recovery_fee, rule=clause.rule, explanation=text)


def steps(row: dict[str, Any], clause: Clause, policy: Policy, as_of: date,
          reached: dict[str, date]) -> list[Step]:
    """The dunning steps reached on `as_of` (those already reached keep their date)."""
    due, issue = row["due_date"], row["issue_date"]
    where = _where(policy, clause)
    found: list[Step] = []
    if as_of <= due:
        return found

    def add(kind: str, on: date, text: str) -> None:
        if kind not in reached and on <= as_of:
            reached[kind] = on
            found.append(Step(kind, on, clause.rule, f"{text} ({where})."))

    add(DunningStepKind.REMINDER, due + timedelta(days=1),
        f"Facture {row['number']} échue le {fr_date(due)} et impayée : relance du client")
    order_days = clause.get("order_to_pay_after_days")
    suspension_days = clause.get("suspension_after_notice_days")
    if clause.get("formal_notice_required") or suspension_days is not None or order_days is not None:
        add(DunningStepKind.FORMAL_NOTICE, due + timedelta(days=FORMAL_NOTICE_AFTER_DAYS),
            f"Facture {row['number']} toujours impayée {FORMAL_NOTICE_AFTER_DAYS} jours après son "
            "échéance : mise en demeure par lettre")
    notice = reached.get(DunningStepKind.FORMAL_NOTICE)
    if order_days is not None and notice is not None:
        # "Unpaid within N days of the invoice" and a formal notice left unanswered.
        day = max(issue + timedelta(days=int(order_days) + 1), notice + timedelta(days=1))
        add(DunningStepKind.ORDER_TO_PAY, day,
            f"Facture {row['number']} impayée {order_days} jours après son émission, mise en "
            f"demeure du {fr_date(notice)} restée sans réponse : injonction de payer possible")
    if suspension_days is not None and notice is not None:
        # The notice day does not count; the period ends with its last day (CAL-3).
        add(DunningStepKind.SUSPENSION, notice + timedelta(days=int(suspension_days) + 1),
            f"Mise en demeure du {fr_date(notice)} restée sans effet {suspension_days} jours "
            "calendaires : accès suspendu jusqu'au paiement complet")
    return found


def _overdue_rows(organisation_id: int | None, as_of: date) -> Any:
    rows = (Invoice.objects.filter(kind="invoice", status=InvoiceStatus.ISSUED, due_date__lt=as_of)
            .order_by("id")
            .values("id", "organisation_id", "number", "issue_date", "due_date", "buyer_kind",
                    "policy_id", "policy_version", "late_penalty_rule", "total_incl_vat",
                    "amount_paid", "amount_credited"))
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    return rows


def _among(field: str, ids: list[int]) -> Q:
    """`field IN ids`; on PostgreSQL the ids go as one array parameter: a batch of 5 000
    placeholders costs more to build and parse than the query takes to run."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))})
    return Q(**{f"{field}__in": ids})


def _payments_of(rows: list[dict[str, Any]]) -> dict[int, Dated]:
    """(day, amount) of each invoice's payments, refunds paid back counted negative, in one
    query per kind for the batch (only invoices with something paid are looked up)."""
    ids = [r["id"] for r in rows if r["amount_paid"] != ZERO]
    if not ids:
        return {}
    found: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, on, amount in (PaymentAllocation.objects
                                   .filter(_among("invoice_id", ids),
                                           payment__status=PaymentStatus.SUCCEEDED)
                                   .values_list("invoice_id", "payment__received_on", "amount")):
        found[invoice_id].append((on, amount))
    for invoice_id, on, amount in (Refund.objects
                                   .filter(_among("invoice_id", ids), status=RefundStatus.PAID)
                                   .values_list("invoice_id", "paid_on", "amount")):
        found[invoice_id].append((on, -amount))
    paid = {r["id"]: r for r in rows}
    for invoice_id in ids:
        row = paid[invoice_id]
        missing = row["amount_paid"] - sum((a for _, a in found[invoice_id]), ZERO)
        if missing:
            # Paid without a dated payment row (an imported balance): counted as paid on
            # the invoice day, so no interest is ever charged on money already received.
            found[invoice_id].append((row["issue_date"], missing))
    return {k: tuple(sorted(v, key=lambda p: p[0])) for k, v in found.items()}


def instalment_schedules(ids: list[int]) -> dict[int, Dated]:
    """The PAY-L1 schedule of invoices paid in several instalments (checkout not voided)."""
    found: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for invoice_id, on, amount in (Instalment.objects
                                   .filter(_among("checkout__invoice_id", ids),
                                           checkout__instalment_count__gt=1)
                                   .exclude(checkout__status="voided")
                                   .order_by("position")
                                   .values_list("checkout__invoice_id", "due_on", "amount")):
        found[invoice_id].append((on, amount))
    return {k: tuple(v) for k, v in found.items()}


def full_schedule(schedule: Dated, row: dict[str, Any]) -> Dated:
    """A schedule covering less than the invoice (instalments taken on a balance): the
    rest was due on the invoice's own due date."""
    if not schedule:
        return schedule
    rest = row["total_incl_vat"] - row["amount_credited"] - sum((a for _, a in schedule), ZERO)
    return ((row["due_date"], rest), *schedule) if rest > 0 else schedule


PENALTY_FIELDS = ("evaluated_on", "days_late", "interest", "recovery_fee", "rule", "explanation")
# (organisation, invoice, evaluated_on, days_late, interest, recovery_fee, rule, explanation)
PenaltyRow = tuple[int, int, date, int, Decimal, Decimal, str, str]
# (organisation, invoice, step, reached_on, rule, explanation)
StepRow = tuple[int, int, str, date, str, str]


def run_collections(*, as_of: date, organisation_id: int | None = None,
                    legal: LegalData | None = None) -> RunReport:
    """Evaluate every overdue invoice on `as_of`; idempotent for a given day.

    Per batch of invoices: one query each for their penalties, steps, payments and
    instalments; the rules core computes; the changed penalties and the new steps (each
    with its audit row) are written in bulk, in one transaction per batch.
    """
    legal = legal or legal_data()
    report = RunReport(as_of=as_of, problems=[])
    assert report.problems is not None
    last_id = 0
    per_org: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    while True:
        batch = list(_overdue_rows(organisation_id, as_of).filter(id__gt=last_id)[:BATCH])
        if not batch:
            break
        last_id = batch[-1]["id"]
        ids = [r["id"] for r in batch]
        known = {row[0]: row[1:] for row in PenaltyAssessment.objects.filter(_among("invoice_id", ids))
                 .values_list("invoice_id", *PENALTY_FIELDS)}
        reached: dict[int, dict[str, date]] = defaultdict(dict)
        for invoice_id, kind, on in DunningStep.objects.filter(_among("invoice_id", ids)).values_list(
                "invoice_id", "step", "reached_on"):
            reached[invoice_id][kind] = on
        payments = _payments_of(batch)
        schedules = instalment_schedules(ids)
        penalties: list[PenaltyRow] = []
        new_steps: list[StepRow] = []
        for row in batch:
            paid = payments.get(row["id"], ())
            schedule = full_schedule(schedules.get(row["id"], ()), row)
            # Only what is already due counts: a later instalment is not late (PAY-L1).
            due = oldest_unpaid_due(
                schedule or ((row["due_date"], row["total_incl_vat"] - row["amount_credited"]),),
                paid, as_of)
            if due is None:
                continue
            report.invoices += 1
            try:
                policy = _policy(row["organisation_id"], row["policy_id"], row["policy_version"],
                                 row["issue_date"])
                clause = penalty_clause(policy, rule=row["late_penalty_rule"],
                                        buyer_kind=row["buyer_kind"])
                if clause is None:
                    continue
                found = steps({**row, "due_date": due}, clause, policy, as_of, reached[row["id"]])
            except RulesError as problem:
                report.problems.append(f"{row['number']} : {problem}")
                continue
            org, invoice_id = row["organisation_id"], row["id"]
            # Reminders and notices need no rate: they go on while a rate is missing.
            new_steps.extend((org, invoice_id, x.step, x.reached_on, x.rule, x.explanation)
                             for x in found)
            try:
                result = assess(row, clause, policy, legal, as_of, paid, schedule)
            except RulesError as problem:
                # A half-year without a rate: say so, never guess; the other invoices go on.
                report.problems.append(f"{row['number']} : {problem}")
                continue
            if result is None:
                continue
            values = (as_of, result.days_late, result.interest, result.recovery_fee, result.rule,
                      result.explanation)
            if known.get(invoice_id) != values:
                penalties.append((org, invoice_id, *values))
        with transaction.atomic():
            stamp = clock.now()
            writer = _write_postgresql if connection.vendor == "postgresql" else _write_orm
            created = writer(stamp, penalties, new_steps)
            mails.dunning_steps(mails.steps_created_at(stamp))
        for x in penalties:
            per_org[x[0]][0] += 1
        for org, count in created.items():
            per_org[org][1] += count
        report.penalties_written += len(penalties)
        report.steps_created += sum(created.values())
    for org, (written, created_steps) in per_org.items():
        audit.record(actor=None, action="collections.run", organisation=_org(org),
                     object_type="billing.collections", object_repr=f"recouvrement du {as_of}",
                     after={"as_of": as_of, "penalties_written": written,
                            "steps_created": created_steps})
    return report


def _step_label_sql(column: str) -> str:
    return f"CASE {column} " + " ".join(
        f"WHEN '{value}' THEN '{text.replace(chr(39), chr(39) * 2)}'"
        for value, text in DunningStepKind.choices) + f" ELSE {column} END"


def _columns(rows: list[Any], count: int) -> list[list[Any]]:
    return [[r[k] for r in rows] for k in range(count)]


# One statement per batch and table, the rows handed over as arrays: no per-row placeholders
# to build and parse. A new penalty is inserted, a changed one updated in place.
_PENALTY_UPSERT_SQL = """
INSERT INTO billing_penaltyassessment (created_at, updated_at, organisation_id, invoice_id,
                                       evaluated_on, days_late, interest, recovery_fee, rule,
                                       explanation)
SELECT %s, %s, u.* FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::integer[],
                               %s::numeric[], %s::numeric[], %s::text[], %s::text[]) AS u
ON CONFLICT (invoice_id) DO UPDATE SET
    updated_at = EXCLUDED.updated_at, evaluated_on = EXCLUDED.evaluated_on,
    days_late = EXCLUDED.days_late, interest = EXCLUDED.interest,
    recovery_fee = EXCLUDED.recovery_fee, rule = EXCLUDED.rule, explanation = EXCLUDED.explanation
"""
# The steps and, in the same statement, one audit row per step actually inserted (a step
# another run wrote meanwhile conflicts, is skipped and gets no second audit row).
_STEPS_WITH_AUDIT_SQL = """
WITH new AS (
    INSERT INTO billing_dunningstep (created_at, updated_at, organisation_id, invoice_id, step,
                                     reached_on, rule, explanation)
    SELECT %s, %s, u.* FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::date[],
                                   %s::text[], %s::text[]) AS u
    ON CONFLICT (invoice_id, step) DO NOTHING
    RETURNING id, organisation_id, invoice_id, step, reached_on, rule
)
INSERT INTO core_auditentry (instant, actor_id, actor_repr, organisation_id, action, object_type,
                             object_id, object_repr, before, after, ip_address)
SELECT %s, NULL, 'système', new.organisation_id, 'dunning.step', 'billing.dunningstep',
       CAST(new.id AS VARCHAR(64)), 'Facture ' || i.number || ' : ' || {label}, NULL,
       jsonb_build_object('step', new.step, 'reached_on', new.reached_on, 'rule', new.rule), NULL
FROM new JOIN billing_invoice i ON i.id = new.invoice_id
RETURNING organisation_id
"""


def _write_postgresql(stamp: Any, penalties: list[PenaltyRow],
                      new_steps: list[StepRow]) -> dict[int, int]:
    created: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        if penalties:
            cursor.execute(_PENALTY_UPSERT_SQL, [stamp, stamp, *_columns(penalties, 8)])
        if new_steps:
            cursor.execute(_STEPS_WITH_AUDIT_SQL.format(label=_step_label_sql("new.step")),
                           [stamp, stamp, *_columns(new_steps, 6), stamp])
            for (org,) in cursor.fetchall():
                created[org] += 1
    return created


def _write_orm(stamp: Any, penalties: list[PenaltyRow], new_steps: list[StepRow]) -> dict[int, int]:
    """Any other database (SQLite in the tests): the same rows through the ORM."""
    existing = {p.invoice_id: p for p in PenaltyAssessment.objects.filter(
        invoice_id__in=[x[1] for x in penalties])}
    fresh, changed = [], []
    for org, invoice_id, *values in penalties:
        current = existing.get(invoice_id)
        if current is None:
            fresh.append(PenaltyAssessment(organisation_id=org, invoice_id=invoice_id,
                                           **dict(zip(PENALTY_FIELDS, values, strict=True))))
            continue
        for name, value in zip(PENALTY_FIELDS, values, strict=True):
            setattr(current, name, value)
        changed.append(current)
    PenaltyAssessment.objects.bulk_create(fresh)
    PenaltyAssessment.objects.bulk_update(changed, list(PENALTY_FIELDS))
    taken = set(DunningStep.objects.filter(invoice_id__in={x[1] for x in new_steps})
                .values_list("invoice_id", "step"))
    rows = [DunningStep(organisation_id=org, invoice_id=invoice_id, step=step, reached_on=on,
                        rule=rule, explanation=text, created_at=stamp, updated_at=stamp)
            for org, invoice_id, step, on, rule, text in new_steps if (invoice_id, step) not in taken]
    DunningStep.objects.bulk_create(rows)
    numbers = dict(Invoice.objects.filter(pk__in={x.invoice_id for x in rows})
                   .values_list("pk", "number"))
    labels = dict(DunningStepKind.choices)
    # Each step is evidence of its own: one audit row per step.
    AuditEntry.objects.bulk_create([AuditEntry(
        instant=stamp, actor_repr="système", organisation_id=x.organisation_id,
        action="dunning.step", object_type="billing.dunningstep", object_id=str(x.pk),
        object_repr=f"Facture {numbers[x.invoice_id]} : {labels[x.step]}",
        after={"step": x.step, "reached_on": x.reached_on.isoformat(), "rule": x.rule})
        for x in rows])
    created: dict[int, int] = defaultdict(int)
    for x in rows:
        created[x.organisation_id] += 1
    return created


def _org(pk: int) -> Any:
    from ofelia.organisations.models import Organisation

    return Organisation.objects.get(pk=pk)
