"""Reads of the quality app: the BPF's rows for a civil year, its checker, the drill-down
of one figure, and the complaints register. Every query is scoped to the organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, QuerySet

from ofelia.attendance.models import AttendanceSheet, Mark
from ofelia.attendance.selectors import ATTENDED, mark_hours, slot_hours
from ofelia.billing.models import DocumentKind, Invoice, InvoiceStatus
from ofelia.catalogue.models import Enrolment, SessionSlot, TrainingSession
from ofelia.core import clock
from ofelia.sales.models import Contract, ContractEvent, FundingEntry

from . import bpf
from .models import Complaint, ImprovementAction


def _hours(starts: time, ends: time, arrived: time | None = None, left: time | None = None
           ) -> Decimal:
    """Attendance's own counting (`mark_hours`) on the plain values read in bulk."""
    slot: Any = SimpleNamespace(starts_at=starts, ends_at=ends)
    if arrived is None and left is None:
        return slot_hours(slot)
    mark: Any = SimpleNamespace(status=Mark.Status.LATE, arrived_at=arrived, left_at=left)
    return mark_hours(mark, slot)


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _carried_out(year: int) -> tuple[date, date]:
    """The days of the year whose training may have happened: up to today (project clock)."""
    first, last = _year(year)
    return first, min(last, clock.today())


def invoice_rows(*, organisation: Any, year: int) -> list[bpf.InvoiceRow]:
    """Issued invoices and credit notes dated in the year (drafts never count)."""
    first, last = _year(year)
    rows = (Invoice.objects.for_organisation(organisation)
            .filter(issue_date__gte=first, issue_date__lte=last)
            .exclude(status=InvoiceStatus.DRAFT)
            .values_list("id", "number", "kind", "payer_kind", "buyer_kind", "buyer_name",
                         "client_company_id", "client_company__bpf_category", "total_excl_vat")
            .order_by("issue_date", "id"))
    return [bpf.InvoiceRow(id=i, number=n, is_credit_note=k == DocumentKind.CREDIT_NOTE,
                           payer_kind=p, buyer_kind=b, buyer_name=name, company_id=c,
                           company_category=cat or "", amount_excl_vat=amount)
            for i, n, k, p, b, name, c, cat, amount in rows]


@dataclass
class SessionYear:
    """A session's part in the year: its half-days, which are signed, its planned hours."""

    id: int
    label: str
    slots: int = 0
    closed: int = 0
    unclosed_hours: Decimal = Decimal("0")  # planned hours of the half-days without a closed sheet
    no_slots: bool = False


def _sessions(organisation: Any, year: int) -> tuple[dict[int, SessionYear], dict[int, Any]]:
    first, last = _carried_out(year)
    closed = set(AttendanceSheet.objects.for_organisation(organisation)
                 .filter(status=AttendanceSheet.Status.CLOSED, slot__day__gte=first,
                         slot__day__lte=last).values_list("slot_id", flat=True))
    sessions: dict[int, SessionYear] = {}
    slots = (SessionSlot.objects.filter(session__organisation=organisation, day__gte=first,
                                        day__lte=last)
             .values_list("id", "session_id", "starts_at", "ends_at"))
    for slot_id, session_id, starts, ends in slots:
        s = sessions.setdefault(session_id, SessionYear(session_id, ""))
        s.slots += 1
        if slot_id in closed:
            s.closed += 1
        else:
            s.unclosed_hours += _hours(starts, ends)
    without = (TrainingSession.objects.for_organisation(organisation)
               .filter(start_date__gte=first, start_date__lte=last, slots__isnull=True)
               .values_list("id", "training__duration_hours"))
    for session_id, duration in without:
        sessions[session_id] = SessionYear(session_id, "", unclosed_hours=duration, no_slots=True)
    facts = {row["id"]: row for row in TrainingSession.objects.for_organisation(organisation)
             .filter(id__in=list(sessions))
             .values("id", "start_date", "subcontractor", "training__title",
                     "training__bpf_objective", "training__modality", "training_id")}
    for session_id, s in sessions.items():
        f = facts[session_id]
        s.label = f"{f['training__title']} ({f['start_date']:%d/%m/%Y})"
    return sessions, facts


def _contracts(organisation: Any, enrolment_ids: Any) -> dict[int, tuple[str, str, frozenset[str]]]:
    """enrolment id → (contract kind, client company category, funders) of its latest contract."""
    through = Contract.enrolments.through
    links = list(through.objects.filter(enrolment_id__in=enrolment_ids,
                                    contract__organisation=organisation)
             .exclude(contract__status__in=[Contract.Status.DRAFT, Contract.Status.RETRACTED,
                                            Contract.Status.CANCELLED])
             .values_list("enrolment_id", "contract_id", "contract__kind",
                          "contract__client_company__bpf_category"))
    funders: dict[int, set[str]] = defaultdict(set)
    for contract_id, payer in FundingEntry.objects.filter(
            contract_id__in={link[1] for link in links}).values_list("contract_id", "payer"):
        funders[contract_id].add(payer)
    found: dict[int, tuple[int, str, str, frozenset[str]]] = {}
    for enrolment_id, contract_id, kind, category in links:
        if enrolment_id not in found or found[enrolment_id][0] < contract_id:
            found[enrolment_id] = (contract_id, kind, category or "",
                                   frozenset(funders.get(contract_id, ())))
    return {e: (k, c, f) for e, (_, k, c, f) in found.items()}


def _attended(organisation: Any, year: int, enrolment_ids: Any) -> dict[int, Decimal]:
    """Hours proven by closed sheets of the year, per enrolment (grouped by identical times)."""
    first, last = _carried_out(year)
    groups = (Mark.objects.for_organisation(organisation)
              .filter(enrolment_id__in=enrolment_ids, status__in=ATTENDED,
                      sheet__status=AttendanceSheet.Status.CLOSED,
                      sheet__slot__day__gte=first, sheet__slot__day__lte=last)
              .values_list("enrolment_id", "sheet__slot__starts_at", "sheet__slot__ends_at",
                           "arrived_at", "left_at")
              .annotate(n=Count("id")).order_by())
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for enrolment_id, starts, ends, arrived, left, n in groups:
        totals[enrolment_id] += _hours(starts, ends, arrived, left) * n
    return totals


@dataclass
class YearData:
    invoices: list[bpf.InvoiceRow]
    enrolments: list[bpf.EnrolmentRow]
    sessions: dict[int, SessionYear]
    contracts_missing: list[int]  # enrolments without a live contract
    no_objective: dict[int, str]  # training id → title, when its BPF objective is not said


def year_data(*, organisation: Any, year: int) -> YearData:
    sessions, facts = _sessions(organisation, year)
    enrolments = Enrolment.objects.for_organisation(organisation).filter(
        session_id__in=list(sessions), status=Enrolment.Status.CONFIRMED)
    ids = enrolments.values("id")
    contracts = _contracts(organisation, ids)
    attended = _attended(organisation, year, ids)
    rows: list[bpf.EnrolmentRow] = []
    missing: list[int] = []
    no_objective = {f["training_id"]: f["training__title"] for f in facts.values()
                    if not f["training__bpf_objective"]}
    for e_id, session_id, first, last, company_id in enrolments.values_list(
            "id", "session_id", "learner__first_name", "learner__last_name",
            "learner__company_id").order_by("session_id", "id"):
        s, f = sessions[session_id], facts[session_id]
        kind, category, funders = contracts.get(e_id, ("", "", frozenset()))
        if e_id not in contracts:
            missing.append(e_id)
        rows.append(bpf.EnrolmentRow(
            id=e_id, learner=f"{first} {last}".strip(), session_id=session_id,
            training=f["training__title"], objective=f["training__bpf_objective"] or "",
            remote=f["training__modality"] in bpf.REMOTE_MODALITIES,
            subcontracted=bool(f["subcontractor"]), has_company=company_id is not None,
            contract_kind=kind, company_category=category, funders=funders,
            hours=s.unclosed_hours + attended.get(e_id, Decimal("0")),
            attended_hours=not s.no_slots and s.closed == s.slots))
    return YearData(invoice_rows(organisation=organisation, year=year), rows, sessions, missing,
                    no_objective)


def report(*, organisation: Any, year: int) -> tuple[bpf.Report, YearData]:
    data = year_data(organisation=organisation, year=year)
    return bpf.compute(year, data.invoices, data.enrolments), data


@dataclass(frozen=True)
class Problem:
    kind: str
    label: str
    url_name: str  # where to fix it ("" when nowhere in Ofelia)
    url_arg: int | None


def checker(*, organisation: Any, year: int, data: YearData) -> list[Problem]:
    """What is missing or guessed before the BPF is filed, with where to fix it."""
    problems: list[Problem] = []
    today = clock.today()
    for s in sorted(data.sessions.values(), key=lambda s: s.label):
        if s.no_slots:
            problems.append(Problem("session", f"Session {s.label} : aucune demi-journée planifiée, "
                                    "heures prévues de la formation comptées", "sales:session-roster", s.id))
        elif s.closed < s.slots:
            past = "" if date(year, 12, 31) < today else " (année en cours)"
            open_ = s.slots - s.closed
            what = "demi-journées" if open_ > 1 else "demi-journée"
            problems.append(Problem("attendance", f"Session {s.label} : {open_} {what} sur {s.slots} sans "
                                    f"feuille d'émargement clôturée, heures prévues comptées{past}",
                                    "attendance:staff-session", s.id))
    seen_companies: set[int] = set()
    for row in data.invoices:
        why = bpf.product_missing(row)
        if why and (row.company_id is None or row.company_id not in seen_companies):
            if row.company_id is not None:
                seen_companies.add(row.company_id)
                problems.append(Problem("funder", f"{row.buyer_name} ({row.number}) : {why}",
                                        "client-company-edit", row.company_id))
            else:
                problems.append(Problem("funder", f"{row.number} ({row.buyer_name}) : {why}",
                                        "billing:invoice-detail", row.id))
    for training_id, title in sorted(data.no_objective.items(), key=lambda item: item[1]):
        problems.append(Problem("objective", f"Formation « {title} » : objectif BPF (cadre F-3) non "
                                "renseigné, comptée en « autres formations professionnelles »",
                                "catalogue:training-edit", training_id))
    if data.contracts_missing:
        n = len(data.contracts_missing)
        problems.append(Problem("contract", f"{n} {'inscriptions' if n > 1 else 'inscription'} sans contrat "
                                "signé : type de stagiaire déduit de l'apprenant", "", None))
    return problems


def drilldown(*, organisation: Any, year: int, code: str) -> dict[str, Any] | None:
    """The rows one figure counts: invoices for cadre C, enrolments for the others."""
    rep, data = report(organisation=organisation, year=year)
    figure = rep.figures().get(code)
    if figure is None:
        return None
    wanted = set(figure.ids)
    if code in bpf.invoice_codes():
        rows = [r for r in data.invoices if r.id in wanted]
        return {"figure": figure, "invoices": rows, "enrolments": None}
    return {"figure": figure, "invoices": None,
            "enrolments": [r for r in data.enrolments if r.id in wanted]}


def available_years(*, today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


def default_year(*, organisation: Any, today: date) -> int:
    """The year to file (the previous one) unless nothing was invoiced then: the current one."""
    first, last = _year(today.year - 1)
    invoiced = (Invoice.objects.for_organisation(organisation).exclude(status=InvoiceStatus.DRAFT)
                .filter(issue_date__gte=first, issue_date__lte=last).exists())
    return today.year - 1 if invoiced else today.year


# --- complaints --------------------------------------------------------------------------

def complaint_list(*, organisation: Any, status: str = "") -> QuerySet[Complaint]:
    qs = Complaint.objects.for_organisation(organisation).select_related(
        "client_company", "consumer_client", "contract")
    return qs.filter(status=status) if status else qs


def complaint_get(*, organisation: Any, pk: int) -> Complaint | None:
    return complaint_list(organisation=organisation).filter(pk=pk).first()


def complaints_of_client(*, organisation: Any, membership: Any, user: Any) -> QuerySet[Complaint]:
    """What a client sees: the complaints of their company, or their own as a consumer."""
    qs = Complaint.objects.for_organisation(organisation)
    if membership.company_id:
        return qs.filter(client_company_id=membership.company_id)
    return qs.filter(lodged_by=user)


def action_list(*, organisation: Any) -> QuerySet[ImprovementAction]:
    return ImprovementAction.objects.for_organisation(organisation).select_related("complaint")


def delivery_facts(contract: Contract | None) -> list[ContractEvent]:
    """PRV-F1 facts of a contract: its delivery, rescission and complaint events."""
    if contract is None:
        return []
    t = ContractEvent.Type
    return list(contract.events.filter(type__in=[t.DELIVERY, t.RESCISSION, t.COMPLAINT])
                .order_by("on", "id"))
