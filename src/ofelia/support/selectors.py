"""Support desk reads, always scoped to the organisation (and to the client's company for a
client contact)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ofelia.core import clock
from ofelia.organisations.models import STAFF_ROLES, Membership, Role

from . import rules_io
from .models import Ticket

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def visible_tickets(*, organisation: Any, membership: Membership | None) -> QuerySet[Ticket]:
    """Staff see the organisation's tickets; a client contact those of their company."""
    tickets = Ticket.objects.for_organisation(organisation).select_related("company", "opened_by", "taken_by")
    if membership is None or membership.organisation_id != organisation.pk:
        return tickets.none()
    if membership.role in STAFF_ROLES:
        return tickets
    if membership.role == Role.CLIENT_CONTACT and membership.company_id:
        return tickets.filter(company_id=membership.company_id)
    return tickets.none()


def ticket_get(*, organisation: Any, membership: Membership | None, pk: int) -> Ticket | None:
    return visible_tickets(organisation=organisation, membership=membership).filter(pk=pk).first()


def staff_queue(*, organisation: Any, show_resolved: bool = False) -> list[Ticket]:
    """Open tickets, the nearest pending deadline first (tickets without deadline last)."""
    tickets = list(Ticket.objects.for_organisation(organisation)
                   .select_related("company", "taken_by")
                   .filter(**({} if show_resolved else {"resolved_at__isnull": True})))
    far = datetime.max.replace(tzinfo=clock.PARIS)
    return sorted(tickets, key=lambda t: (t.next_deadline or far, t.opened_at))


@dataclass
class BreachRow:
    company: str
    month: str  # "2026-03"
    month_label: str
    count: int = 0
    tickets: set[int] = field(default_factory=set)
    by_deadline: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class BreachReport:
    rows: list[BreachRow]
    months: list[tuple[str, str, int]]  # (month, label, breaches) for the chart
    details: list[tuple[Ticket, dict[str, Any]]]
    maximum: int


def breach_report(*, organisation: Any, as_of: datetime | None = None) -> BreachReport:
    """SUP-2: the deadlines missed, per client and per month of the missed deadline (Paris),
    each one the core's breach for the ticket's recorded steps as of `as_of`."""
    as_of = as_of or clock.now()
    rows: dict[tuple[str, str], BreachRow] = {}
    per_month: dict[str, int] = defaultdict(int)
    details = []
    tickets = (Ticket.objects.for_organisation(organisation).exclude(policy_id="")
               .select_related("company", "organisation").order_by("opened_at", "id"))
    for ticket in tickets:
        for breach in rules_io.breaches_of(ticket, as_of=as_of):
            due = datetime.fromisoformat(breach["due"]).astimezone(clock.PARIS)
            month = f"{due:%Y-%m}"
            key = (ticket.company.name, month)
            row = rows.setdefault(key, BreachRow(ticket.company.name, month, month_label(month)))
            row.count += 1
            row.tickets.add(ticket.pk)
            row.by_deadline[breach["deadline"]] += 1
            per_month[month] += 1
            details.append((ticket, breach))
    months = [(m, month_label(m), per_month[m]) for m in sorted(per_month)]
    return BreachReport(rows=sorted(rows.values(), key=lambda r: (r.month, r.company)),
                        months=months, details=details,
                        maximum=max((n for _, _, n in months), default=0))


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS_FR[int(number) - 1]} {year}"
