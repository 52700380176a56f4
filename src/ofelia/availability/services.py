"""Writes of the availability app: each in one transaction with its audit row.

Incidents are declared, edited, confirmed or dismissed by staff; a maintenance is announced
to the clients concerned by e-mail (`notify`, kind `maintenance_announced`); the credit the
core proposes below VCL-7's target is granted as a credit note through billing's own
service, once per client and month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ofelia.billing.models import DocumentKind, Invoice, InvoicePurpose, InvoiceStatus
from ofelia.billing.services import BillingError, credit_note_issue
from ofelia.core import audit, clock
from ofelia.core.templatetags.ofelia_ui import date_fr
from ofelia.notifications.services import notify
from ofelia.organisations.models import ClientCompany
from ofelia.rules.calendars import add_months
from ofelia.rules.money import fmt_eur

from . import selectors
from .models import Credit, Incident

FIELDS = ["start", "end", "cause", "status", "services", "description", "all_clients", "announced_at"]


def when_fr(instant: datetime) -> str:
    """« 4 décembre 2026 à 09:00 », Paris time."""
    local = instant.astimezone(clock.PARIS)
    return f"{date_fr(local.date())} à {local:%H:%M}"


def _minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def _check(start: datetime, end: datetime | None, all_clients: bool, companies: Iterable[ClientCompany],
           organisation: Any) -> list[ClientCompany]:
    chosen = list(companies)
    if end is not None and end <= start:
        raise ValidationError({"end": "La fin doit suivre le début."})
    if any(c.organisation_id != organisation.pk for c in chosen):
        raise ValidationError({"companies": "Ce client n'appartient pas à l'organisme."})
    if not all_clients and not chosen:
        raise ValidationError({"companies": "Choisissez les clients touchés, ou « tous les clients »."})
    return chosen


def _snapshot(incident: Incident) -> dict[str, Any]:
    return {**audit.snapshot(incident, FIELDS), "companies": sorted(c.pk for c in incident.companies.all())}


@transaction.atomic
def incident_declare(*, actor: Any, organisation: Any, start: datetime, end: datetime | None, cause: str,
                     services: str = "", description: str = "", all_clients: bool = True,
                     companies: Iterable[ClientCompany] = ()) -> Incident:
    """An incident declared by staff (confirmed at once). A maintenance is announced with
    `maintenance_announce`, which tells the clients."""
    if cause == Incident.Cause.MAINTENANCE:
        raise ValidationError({"cause": "Une maintenance s'annonce aux clients : utilisez « Annoncer une "
                                        "maintenance »."})
    start, end = _minute(start), _minute(end) if end else None
    chosen = _check(start, end, all_clients, companies, organisation)
    incident = Incident.objects.create(organisation=organisation, start=start, end=end, cause=cause,
                                       status=Incident.Status.CONFIRMED, services=services.strip(),
                                       description=description.strip(), all_clients=all_clients,
                                       declared_by=actor if getattr(actor, "is_authenticated", False) else None)
    incident.companies.set(chosen)
    audit.record(actor=actor, action="availability.incident_declare", organisation=organisation, obj=incident,
                 after=_snapshot(incident))
    return incident


def _locked(organisation: Any, pk: int) -> Incident:
    incident = Incident.objects.for_organisation(organisation).select_for_update().filter(pk=pk).first()
    if incident is None:
        raise ValidationError("Incident introuvable.")
    return incident


@transaction.atomic
def incident_update(*, actor: Any, organisation: Any, pk: int, start: datetime, end: datetime | None,
                    cause: str, services: str = "", description: str = "", all_clients: bool = True,
                    companies: Iterable[ClientCompany] = ()) -> Incident:
    """Correct an incident; the audit trail keeps what it said before. A maintenance keeps its
    announcement instant (the notice given is a fact, not an input)."""
    incident = _locked(organisation, pk)
    if (cause == Incident.Cause.MAINTENANCE) != incident.is_maintenance:
        raise ValidationError({"cause": "Une maintenance reste une maintenance, et un incident ne devient pas "
                                        "une maintenance annoncée après coup."})
    start, end = _minute(start), _minute(end) if end else None
    chosen = _check(start, end, all_clients, companies, organisation)
    before = _snapshot(incident)
    incident.start, incident.end, incident.cause = start, end, cause
    incident.services, incident.description, incident.all_clients = services.strip(), description.strip(), all_clients
    incident.save()
    incident.companies.set(chosen)
    old, new = audit.changed(before, _snapshot(incident))
    if new:
        audit.record(actor=actor, action="availability.incident_update", organisation=organisation,
                     obj=incident, before=old, after=new)
    return incident


@transaction.atomic
def incident_review(*, actor: Any, organisation: Any, pk: int, confirm: bool) -> Incident:
    """Staff confirm a suspected incident (it then counts) or dismiss it (it never counts)."""
    incident = _locked(organisation, pk)
    if incident.status != Incident.Status.SUSPECTED:
        raise ValidationError("Seul un incident suspecté par les sondes se confirme ou s'écarte.")
    before = _snapshot(incident)
    incident.status = Incident.Status.CONFIRMED if confirm else Incident.Status.DISMISSED
    incident.declared_by = incident.declared_by or (actor if getattr(actor, "is_authenticated", False) else None)
    incident.save()
    old, new = audit.changed(before, _snapshot(incident))
    audit.record(actor=actor, action="availability.incident_confirm" if confirm else "availability.incident_dismiss",
                 organisation=organisation, obj=incident, before=old, after=new)
    return incident


@dataclass(frozen=True)
class Announcement:
    maintenance: Incident
    recipients: tuple[str, ...]
    notice_hours: Decimal
    excluded: bool  # announced at least 48 hours ahead (VCL-7, ACC-3)


NOTICE_HOURS = 48
_48H = timedelta(hours=NOTICE_HOURS)


@transaction.atomic
def maintenance_announce(*, actor: Any, organisation: Any, start: datetime, end: datetime, services: str = "",
                         description: str = "", all_clients: bool = False,
                         companies: Iterable[ClientCompany] | None = None) -> Announcement:
    """A maintenance window announced now to the clients concerned: those named, or those
    with a virtual class running or to come during it, or every client of the organisation.
    Announced at least 48 hours before its start it is excluded from downtime (VCL-7,
    ACC-3); later, it counts as downtime (the core decides, from `announced_at`)."""
    now = clock.now()
    start, end = _minute(start), _minute(end)
    if end <= start:
        raise ValidationError({"end": "La fin doit suivre le début."})
    if end <= now:
        raise ValidationError({"start": "Une maintenance s'annonce avant d'avoir lieu : déclarez plutôt un "
                                        "incident."})
    if companies is not None and list(companies):
        chosen = _check(start, end, False, companies, organisation)
    elif all_clients:
        chosen = []
    else:
        chosen = list(selectors.concerned_companies(organisation=organisation, start=start, end=end))
    incident = Incident.objects.create(
        organisation=organisation, start=start, end=end, cause=Incident.Cause.MAINTENANCE,
        status=Incident.Status.CONFIRMED, services=services.strip(), description=description.strip(),
        all_clients=all_clients and not chosen, announced_at=now,
        declared_by=actor if getattr(actor, "is_authenticated", False) else None)
    incident.companies.set(chosen)
    notice = Decimal((start - now).total_seconds() / 3600).quantize(Decimal("0.1"))
    excluded = start - now >= _48H
    recipients = selectors.contact_emails(organisation=organisation,
                                          companies=None if incident.all_clients else chosen)
    notify(organisation=organisation, kind="maintenance_announced", to=recipients, about=incident, context={
        "start": when_fr(start), "end": when_fr(end), "services": incident.services or "l'ensemble du service",
        "description": incident.description})
    audit.record(actor=actor, action="availability.maintenance_announce", organisation=organisation,
                 obj=incident, after={**_snapshot(incident), "recipients": len(recipients),
                                      "excluded_from_downtime": excluded})
    return Announcement(incident, tuple(recipients), notice, excluded)


def _credited_invoice(organisation: Any, company_id: int, month: date, credit: Decimal) -> Invoice:
    """The month's consumption invoice the credit corrects: the latest one that can bear it."""
    last = add_months(month, 1) - timedelta(days=1)
    invoices = (Invoice.objects.for_organisation(organisation)
                .filter(kind=DocumentKind.INVOICE, purpose=InvoicePurpose.CONSUMPTION, client_company_id=company_id,
                        service_end__gte=month, service_end__lte=last)
                .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED])
                .order_by("-service_end", "-pk"))
    for invoice in invoices:
        with_vat = credit * (1 + _vat_rate(invoice) / 100)
        if with_vat <= invoice.total_incl_vat - invoice.amount_credited:
            return invoice
    raise ValidationError("Aucune facture de consommation émise pour ce mois ne peut porter cet avoir : "
                          "rien n'a été accordé.")


def _vat_rate(invoice: Invoice) -> Decimal:
    if invoice.vat_exempt:
        return Decimal("0")
    first = invoice.lines.order_by("position").first()
    return first.vat_rate if first is not None else Decimal("0")


@transaction.atomic
def credit_grant(*, actor: Any, organisation: Any, company_id: int, month: date) -> Credit:
    """Grant the credit the core proposes for this client's month (VCL-7) as a credit note on
    the month's consumption invoice, citing the clause. Granting twice issues one note: the
    second call returns the first grant."""
    month = selectors.first_of(month)
    company = ClientCompany.objects.select_for_update().filter(organisation=organisation, pk=company_id).first()
    if company is None:
        raise ValidationError("Client introuvable.")
    existing = Credit.objects.for_organisation(organisation).filter(company=company, month=month).first()
    if existing is not None:
        return existing
    report = selectors.monthly_report(organisation=organisation, month=month, company_ids={company.pk})
    if not report.closed:
        raise ValidationError(f"Le mois de {report.label} n'est pas terminé : sa disponibilité, et donc l'avoir, "
                              "se décident une fois le mois écoulé (VCL-7 : disponibilité mensuelle).")
    row = report.rows[0]
    charge = row.credit_charge
    if charge is None or row.proposed_credit <= 0:
        raise ValidationError(f"Aucun avoir n'est proposé pour {company} en {report.label} : l'engagement de "
                              "disponibilité est tenu, ou aucun service n'a été facturé.")
    credit = row.proposed_credit
    invoice = _credited_invoice(organisation, company.pk, month, credit)
    reason = f"Avoir de disponibilité — {report.label} ({charge['rule']})"
    try:
        note = credit_note_issue(actor=actor, invoice=invoice, reason=reason, lines=[{
            "description": f"Avoir de disponibilité {report.label} : {charge['explanation']}",
            "quantity": "1", "unit_price": credit, "vat_rate": _vat_rate(invoice), "rule": charge["rule"],
            "explanation": charge["explanation"]}])
    except BillingError as refused:
        raise ValidationError(str(refused)) from None
    try:
        with transaction.atomic():
            grant = Credit.objects.create(
                organisation=organisation, company=company, month=month, amount=credit, rule=charge["rule"],
                explanation=charge["explanation"], note=note,
                granted_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:  # pragma: no cover - the company row lock serialises grants
        raise ValidationError("Cet avoir vient d'être accordé.") from None
    audit.record(actor=actor, action="availability.credit_grant", organisation=organisation, obj=grant,
                 after={"company": company.pk, "month": f"{month:%Y-%m}", "amount": str(credit),
                        "rule": charge["rule"], "note": note.number})
    return grant


def credit_summary(grant: Credit) -> str:
    return f"Avoir {grant.note.number} de {fmt_eur(grant.amount)} HT accordé à {grant.company}."
