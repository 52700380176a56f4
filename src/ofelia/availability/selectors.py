"""Reads of the availability app, every one scoped to the organisation. The monthly report
runs a few aggregate queries (clients, amounts invoiced, incidents, their clients, credits
granted) and then one core evaluation per client: no loop over minutes, no query per client."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from ofelia.billing.models import DocumentKind, Invoice, InvoicePurpose, InvoiceStatus
from ofelia.core import clock
from ofelia.hosting.models import VirtualClass
from ofelia.legal.selectors import legal_data
from ofelia.organisations.models import ClientCompany, Membership, Role
from ofelia.rules.calendars import add_months
from ofelia.rules.outcome import outcome_to_json

from . import rules_io
from .models import Credit, Incident, Probe

ZERO = Decimal("0.00")
_LONGEST_CLASS = timedelta(days=61)  # a class lasts at most 60 days (hosting's validator)


def first_of(month: date) -> date:
    return month.replace(day=1)


def parse_month(text: str | None, *, default: date) -> date:
    """`AAAA-MM` from the month chooser; anything else is the default month."""
    try:
        return date.fromisoformat(f"{text}-01") if text and len(text) == 7 else first_of(default)
    except ValueError:
        return first_of(default)


def month_label(month: date) -> str:
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("fr"):
        return date_format(month, "F Y")


def incident_list(*, organisation: Any) -> QuerySet[Incident]:
    return (Incident.objects.for_organisation(organisation).select_related("declared_by")
            .prefetch_related("companies"))


def incident_get(*, organisation: Any, pk: int) -> Incident | None:
    return incident_list(organisation=organisation).filter(pk=pk).first()


def recent_probes(*, limit: int = 30) -> list[Probe]:
    return list(Probe.objects.order_by("-minute", "service")[:limit])


def hosted_company_ids(*, organisation: Any, start: datetime, end: datetime) -> set[int]:
    """Client companies with a virtual class (not cancelled) running during [start, end)."""
    rows = (VirtualClass.objects.for_organisation(organisation)
            .exclude(status=VirtualClass.Status.CANCELLED)
            .filter(start__lt=end, start__gte=start - _LONGEST_CLASS)
            .values_list("company_id", "start", "days", "daily_hours"))
    return {company for company, begin, days, hours in rows
            if begin + timedelta(days=days - 1, hours=float(hours)) > start}


def concerned_companies(*, organisation: Any, start: datetime, end: datetime) -> QuerySet[ClientCompany]:
    """The clients a maintenance between `start` and `end` concerns: those with a class
    running then, or still to come (the class ordered is their hosting contract)."""
    now = clock.now()
    ids = hosted_company_ids(organisation=organisation, start=min(start, now), end=max(end, now + _LONGEST_CLASS))
    return ClientCompany.objects.filter(organisation=organisation, pk__in=ids).order_by("name")


def contact_emails(*, organisation: Any, companies: Any | None) -> list[str]:
    """The addresses of the active client contacts of `companies` (None: every client)."""
    members = Membership.objects.filter(organisation=organisation, role=Role.CLIENT_CONTACT, is_active=True,
                                        company__isnull=False)
    if companies is not None:
        members = members.filter(company__in=companies)
    return sorted({m for m in members.values_list("user__email", flat=True) if m})


def services_amounts(*, organisation: Any, month: date) -> dict[int, Decimal]:
    """Per client: the services invoiced for the month (VCL-7's base): issued consumption
    invoices whose service ends in the month, excluding VAT."""
    last = add_months(month, 1) - timedelta(days=1)
    rows = (Invoice.objects.for_organisation(organisation)
            .filter(kind=DocumentKind.INVOICE, purpose=InvoicePurpose.CONSUMPTION, client_company__isnull=False,
                    service_end__gte=month, service_end__lte=last)
            .exclude(status=InvoiceStatus.DRAFT)
            .values("client_company_id").annotate(total=Sum("total_excl_vat")))
    return {r["client_company_id"]: r["total"] or ZERO for r in rows}


def month_incidents(*, organisation: Any, month: date, now: datetime
                    ) -> tuple[list[rules_io.Interruption], dict[int, list[rules_io.Interruption]]]:
    """The month's counted incidents (confirmed, or maintenance): those of every client, and
    those of named clients only, by client. Suspected and dismissed ones do not count."""
    start, end = rules_io.month_bounds(month)
    rows = list(Incident.objects.for_organisation(organisation)
                .filter(status=Incident.Status.CONFIRMED, start__lt=end)
                .filter(Q(end__isnull=True) | Q(end__gt=start))
                .values_list("pk", "start", "end", "cause", "announced_at", "all_clients"))
    everyone: list[rules_io.Interruption] = []
    named: dict[int, rules_io.Interruption] = {}
    for pk, begin, stop, cause, announced, all_clients in rows:
        item = rules_io.interruption_of(start=begin, end=stop, cause=cause, announced_at=announced, now=now)
        if item is None:
            continue
        if all_clients:
            everyone.append(item)
        else:
            named[pk] = item
    by_company: dict[int, list[rules_io.Interruption]] = defaultdict(list)
    if named:
        links = Incident.companies.through.objects.filter(incident_id__in=named).values_list(
            "incident_id", "clientcompany_id")
        for incident_id, company_id in links:
            by_company[company_id].append(named[incident_id])
    return everyone, dict(by_company)


@dataclass(frozen=True)
class ClientMonth:
    company_id: int
    company: str
    services_amount: Decimal
    case: dict[str, Any]
    outcome: dict[str, Any]
    credit: Credit | None

    @property
    def measure(self) -> dict[str, Any]:
        return dict(self.outcome.get("availability", {}))

    @property
    def month_label(self) -> str:
        return month_label(date.fromisoformat(f"{self.case['month']}-01"))

    @property
    def measured(self) -> Decimal:
        return Decimal(self.measure["measured"])

    @property
    def target(self) -> Decimal | None:
        value = self.measure.get("target")
        return Decimal(value) if value is not None else None

    @property
    def credit_charge(self) -> dict[str, Any] | None:
        return next((c for c in self.outcome.get("charges", []) if c["kind"] == "availability_credit"), None)

    @property
    def proposed_credit(self) -> Decimal:
        """The credit the core proposes (positive), 0.00 when none."""
        charge = self.credit_charge
        return -Decimal(charge["amount"]) if charge else ZERO

    @property
    def explanation(self) -> str:
        charge = self.credit_charge
        if charge:
            return str(charge["explanation"])
        return " ".join(self.outcome.get("warnings", []))


@dataclass(frozen=True)
class MonthReport:
    month: date
    label: str
    rows: tuple[ClientMonth, ...]
    policy_id: str | None
    closed: bool  # the month is over: its figure is final and a credit can be granted

    @property
    def proposed_total(self) -> Decimal:
        return sum((r.proposed_credit for r in self.rows if r.credit is None), ZERO)


def monthly_report(*, organisation: Any, month: date, now: datetime | None = None,
                   company_ids: set[int] | None = None) -> MonthReport:
    """One row per client hosted or invoiced in the month (or the given clients), each the
    core's outcome for the `availability` case of that client's month."""
    now = now or clock.now()
    month = first_of(month)
    label = month_label(month)
    if not organisation.policy_id:
        return MonthReport(month, label, (), None, False)
    start, end = rules_io.month_bounds(month)
    amounts = services_amounts(organisation=organisation, month=month)
    ids = set(amounts) | hosted_company_ids(organisation=organisation, start=start, end=end)
    if company_ids is not None:
        ids = company_ids
    names = dict(ClientCompany.objects.filter(organisation=organisation, pk__in=ids).values_list("pk", "name"))
    everyone, by_company = month_incidents(organisation=organisation, month=month, now=now)
    credits = {c.company_id: c for c in Credit.objects.for_organisation(organisation)
               .filter(month=month, company_id__in=names).select_related("note")}
    source, legal, today = rules_io.cached_source(organisation), legal_data(), now.astimezone(clock.PARIS).date()
    rows = []
    for company_id, name in sorted(names.items(), key=lambda item: (item[1].lower(), item[0])):
        amount = amounts.get(company_id, ZERO)
        case = rules_io.month_case(policy_id=organisation.policy_id, month=month, services_amount=amount,
                                   incidents=everyone + by_company.get(company_id, []))
        outcome = outcome_to_json(rules_io.evaluate(organisation=organisation, case=case, today=today,
                                                    source=source, legal=legal))
        rows.append(ClientMonth(company_id, name, amount, case, outcome, credits.get(company_id)))
    return MonthReport(month, label, tuple(rows), organisation.policy_id, now >= end)


def client_months(*, organisation: Any, company_id: int, months: int = 6, now: datetime | None = None
                  ) -> list[ClientMonth]:
    """A client's own reports for the last `months` months (the current one first)."""
    now = now or clock.now()
    current = first_of(now.astimezone(clock.PARIS).date())
    result = []
    for back in range(months):
        report = monthly_report(organisation=organisation, month=add_months(current, -back), now=now,
                                company_ids={company_id})
        result += list(report.rows)
    return result


def company_credits(*, organisation: Any, company_id: int) -> QuerySet[Credit]:
    return Credit.objects.for_organisation(organisation).filter(company_id=company_id).select_related("note")
