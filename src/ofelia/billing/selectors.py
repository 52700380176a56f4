"""Reads of the billing app: lists with filters, the receivables ageing, revenue by funder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from ofelia.rules.training_penalties import amount_overdue, oldest_unpaid_due

from .models import (
    ZERO,
    CheckoutStatus,
    DocumentKind,
    Instalment,
    Invoice,
    InvoiceStatus,
    PayerKind,
)

AGEING_BUCKETS = (("not_due", "Non échu"), ("0_30", "0 à 30 jours"), ("31_60", "31 à 60 jours"),
                  ("61_90", "61 à 90 jours"), ("over_90", "Plus de 90 jours"))


def invoice_list(*, organisation: Any, filters: Mapping[str, str] | None = None,
                 today: date | None = None) -> QuerySet[Invoice]:
    filters = filters or {}
    qs = Invoice.objects.for_organisation(organisation).select_related("credited_invoice")
    kind = filters.get("kind")
    if kind in DocumentKind.values:
        qs = qs.filter(kind=kind)
    status = filters.get("status")
    if status in InvoiceStatus.values:
        qs = qs.filter(status=status)
    payer = filters.get("payer")
    if payer in PayerKind.values:
        qs = qs.filter(payer_kind=payer)
    if filters.get("overdue") and today is not None:
        qs = qs.filter(kind=DocumentKind.INVOICE, status=InvoiceStatus.ISSUED, due_date__lt=today)
        # Paid by instalments (PAY-L1): overdue only once an instalment is due and unpaid.
        by_instalments = Instalment.objects.filter(
            checkout__invoice=OuterRef("pk"), checkout__instalment_count__gt=1,
        ).exclude(checkout__status=CheckoutStatus.VOIDED)
        qs = qs.filter(~Exists(by_instalments)
                       | Exists(by_instalments.filter(paid=False, due_on__lt=today)))
    age = filters.get("age")
    if age in dict(AGEING_BUCKETS) and today is not None:
        ids = {pk for pk, key, _ in _ageing_parts(organisation=organisation, today=today) if key == age}
        qs = qs.filter(pk__in=ids)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(buyer_name__icontains=text)
                       | Q(source_reference__icontains=text))
    return qs


def invoice_get(*, organisation: Any, pk: int) -> Invoice | None:
    return (Invoice.objects.for_organisation(organisation)
            .select_related("credited_invoice", "organisation").filter(pk=pk).first())


def invoices_of_member(*, organisation: Any, membership: Any, user: Any) -> QuerySet[Invoice]:
    """Extranet: a client contact sees their company's documents, a consumer their own."""
    from ofelia.organisations.models import Role

    qs = Invoice.objects.for_organisation(organisation).exclude(status=InvoiceStatus.DRAFT)
    if membership is None:
        return qs.none()
    if membership.role == Role.CLIENT_CONTACT and membership.company_id:
        return qs.filter(client_company_id=membership.company_id)
    if membership.role == Role.CONSUMER:
        return qs.filter(consumer_client__user=user)
    return qs.none()


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    amount: Decimal
    count: int


def _bucket_of(days_late: int) -> str:
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "0_30"
    if days_late <= 60:
        return "31_60"
    if days_late <= 90:
        return "61_90"
    return "over_90"


def _ageing_parts(*, organisation: Any, today: date,
                  only: Iterable[int] | None = None) -> list[tuple[int, str, Decimal]]:
    """(invoice id, bucket, amount) for what is still owed on issued invoices on `today`.

    An invoice paid by instalments (PAY-L1) is past due only for its instalments already
    due (oldest settled first), by days since the oldest one unpaid; the rest is not due.
    """
    from .collections import full_schedule, instalment_schedules

    invoices = Invoice.objects.for_organisation(organisation).open()
    if only is not None:
        invoices = invoices.filter(pk__in=list(only))
    rows = list(invoices.values("id", "due_date", "total_incl_vat", "amount_paid", "amount_credited"))
    schedules = instalment_schedules([r["id"] for r in rows])
    parts: list[tuple[int, str, Decimal]] = []
    for row in rows:
        left = row["total_incl_vat"] - row["amount_paid"] - row["amount_credited"]
        if left <= 0:
            continue
        schedule = full_schedule(schedules.get(row["id"], ()), row)
        if not schedule:
            due = row["due_date"]
            parts.append((row["id"], _bucket_of((today - due).days if due else 0), left))
            continue
        paid = ((date.min, row["amount_paid"]),)
        late = amount_overdue(schedule, paid, today)
        oldest = oldest_unpaid_due(schedule, paid, today)
        if late > 0 and oldest is not None:
            parts.append((row["id"], _bucket_of((today - oldest).days), late))
        if left - late > 0:
            parts.append((row["id"], "not_due", left - late))
    return parts


def ageing(*, organisation: Any, today: date) -> list[Bucket]:
    """Receivables ageing: amounts and invoice counts per bucket of days past due."""
    sums = {key: [ZERO, 0] for key, _ in AGEING_BUCKETS}
    for _, key, amount in _ageing_parts(organisation=organisation, today=today):
        sums[key][0] += amount
        sums[key][1] += 1
    return [Bucket(key, label, Decimal(sums[key][0]), int(sums[key][1])) for key, label in AGEING_BUCKETS]


def revenue_by_funder(*, organisation: Any, start: date, end: date) -> list[tuple[str, Decimal]]:
    """Invoiced excl. VAT per payer over [start, end], credit notes deducted."""
    qs = (Invoice.objects.for_organisation(organisation)
          .filter(issue_date__gte=start, issue_date__lte=end)
          .exclude(status=InvoiceStatus.DRAFT)
          .values("payer_kind", "kind").annotate(total=Sum("total_excl_vat")))
    totals: dict[str, Decimal] = {}
    for row in qs:
        sign = -1 if row["kind"] == DocumentKind.CREDIT_NOTE else 1
        totals[row["payer_kind"]] = totals.get(row["payer_kind"], ZERO) + sign * row["total"]
    labels = dict(PayerKind.choices)
    return [(labels[key], totals[key]) for key in PayerKind.values if key in totals]


def contract_billing_overview(*, organisation: Any, contract: Any) -> dict[str, Any]:
    """A contract's billing at a glance (the contract hub's panel and the billing page):
    its issued invoices and credit notes, payments, refunds, and settlement's drafts."""
    from .models import Payment, Refund, RefundStatus

    documents = list(Invoice.objects.for_organisation(organisation).filter(contract=contract)
                     .select_related("credited_invoice").order_by("id"))
    issued = [d for d in documents if d.status != InvoiceStatus.DRAFT]
    refunds = list(Refund.objects.for_organisation(organisation).filter(contract=contract)
                   .select_related("invoice").order_by("id"))
    payments = (Payment.objects.for_organisation(organisation)
                .filter(allocations__invoice__contract=contract).distinct().order_by("received_on", "id"))
    return {
        "invoices": [d for d in issued if d.kind == DocumentKind.INVOICE],
        "credit_notes": [d for d in issued if d.kind == DocumentKind.CREDIT_NOTE],
        "draft_credit_notes": [d for d in documents if d.status == InvoiceStatus.DRAFT
                               and d.kind == DocumentKind.CREDIT_NOTE],
        "draft_invoices": [d for d in documents if d.status == InvoiceStatus.DRAFT
                           and d.kind == DocumentKind.INVOICE],
        "draft_refunds": [r for r in refunds if r.status == RefundStatus.DRAFT],
        "refunds": [r for r in refunds if r.status != RefundStatus.DRAFT],
        "payments": list(payments),
    }


def overdue_invoices(*, organisation: Any, today: date,
                     only: Iterable[int] | None = None) -> list[tuple[Invoice, Decimal, int]]:
    """Issued invoices (all, or those of `only`) with an amount past due on `today`
    (instalments counted as ageing counts them): (invoice, amount overdue, days late), the
    latest first."""
    late: dict[int, Decimal] = {}
    for invoice_id, bucket, amount in _ageing_parts(organisation=organisation, today=today, only=only):
        if bucket != "not_due":
            late[invoice_id] = late.get(invoice_id, ZERO) + amount
    rows = [(invoice, late[invoice.pk], max((today - (invoice.due_date or today)).days, 1))
            for invoice in Invoice.objects.for_organisation(organisation).filter(pk__in=late)]
    return sorted(rows, key=lambda r: (-r[2], r[0].pk))
