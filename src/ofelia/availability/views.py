"""Availability pages (VCL-7, ACC-3): the staff's monthly report, incidents and maintenance
announcements; the client contact's own reports in the extranet. Thin: selectors read,
services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ofelia.billing.charts import bar_chart
from ofelia.core import clock
from ofelia.core.exports import csv_response
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.calendars import add_months

from . import selectors, services
from .forms import IncidentForm, MaintenanceForm
from .models import Incident

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
CHART_ROWS = 12


def _month(request: HttpRequest) -> Any:
    return selectors.parse_month(request.GET.get("mois") or request.POST.get("mois"),
                                 default=clock.now().astimezone(clock.PARIS).date())


def _chart(report: selectors.MonthReport) -> str:
    """The clients with the most downtime in the month (minutes counted against VCL-7)."""
    worst = sorted((r for r in report.rows if Decimal(str(r.measure["downtime_minutes"])) > 0),
                   key=lambda r: (r.measured, r.company))[:CHART_ROWS]
    if not worst:
        return ""
    bars = [(r.company if len(r.company) <= 22 else r.company[:21] + "…", Decimal(str(r.measure["downtime_minutes"])))
            for r in worst]
    return bar_chart(bars, title=f"Minutes d'indisponibilité — {report.label}", width=760,
                     fmt=lambda v: f"{v:f} min")


@tenant_required(*STAFF)
def report(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    month = _month(request)
    result = selectors.monthly_report(organisation=organisation, month=month)
    if request.GET.get("format") == "csv":
        return csv_response(f"disponibilite-{month:%Y-%m}", [
            "Client", "Mois", "Minutes du mois", "Minutes d'indisponibilité", "Minutes exclues",
            "Disponibilité (%)", "Engagement (%)", "Services facturés HT", "Avoir proposé HT", "Avoir accordé",
            "Règle", "Explication"], ([
                r.company, f"{month:%Y-%m}", r.measure["minutes"], r.measure["downtime_minutes"],
                r.measure["excluded_minutes"], r.measure["measured"].replace(".", ","),
                (r.measure.get("target") or "").replace(".", ","), f"{r.services_amount:.2f}".replace(".", ","),
                f"{r.proposed_credit:.2f}".replace(".", ","), r.credit.note.number if r.credit else "",
                r.credit_charge["rule"] if r.credit_charge else "", r.explanation] for r in result.rows))
    return render(request, "availability/report.html", {
        "report": result, "chart": mark_safe(_chart(result)),  # noqa: S308 — built by charts, escaped
        "previous": add_months(month, -1), "next": add_months(month, 1),
        "suspected": selectors.incident_list(organisation=organisation).filter(status=Incident.Status.SUSPECTED),
    })


@require_POST
@tenant_required(*STAFF)
def credit_grant(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    month = _month(request)
    try:
        company_id = int(request.POST.get("company", ""))
        grant = services.credit_grant(actor=request.user, organisation=organisation, company_id=company_id,
                                      month=month)
    except ValueError:
        messages.error(request, "Client manquant : aucun avoir accordé.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, services.credit_summary(grant))
    return redirect(f"{request.path.rsplit('avoir/', 1)[0]}?mois={month:%Y-%m}")


@tenant_required(*STAFF)
def incidents(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            incident = services.incident_review(actor=request.user, organisation=organisation,
                                                pk=int(request.POST.get("incident", "0")),
                                                confirm=request.POST.get("action") == "confirm")
        except (ValueError, ValidationError) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", ["Incident introuvable."])))
        else:
            messages.success(request, f"Incident du {services.when_fr(incident.start)} : "
                                      f"{incident.get_status_display().lower()}.")
        return redirect("availability:incidents")
    return render(request, "availability/incidents.html", {
        "incidents": selectors.incident_list(organisation=organisation)[:200],
        "probes": selectors.recent_probes(),
    })


def _window_errors(form: Any, refused: ValidationError) -> None:
    if hasattr(refused, "error_dict"):
        for field, errors in refused.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refused)


@tenant_required(*STAFF)
def incident_new(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = IncidentForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_declare(actor=request.user, organisation=organisation, **form.values())
        except ValidationError as refused:
            _window_errors(form, refused)
        else:
            messages.success(request, f"Incident du {services.when_fr(incident.start)} déclaré.")
            return redirect("availability:incidents")
    return render(request, "availability/incident_form.html", {"form": form, "incident": None})


@tenant_required(*STAFF)
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    incident = selectors.incident_get(organisation=organisation, pk=pk)
    if incident is None:
        raise Http404
    form = IncidentForm(request.POST or None, organisation=organisation, maintenance=incident.is_maintenance,
                        initial=IncidentForm.initial_of(incident))
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(actor=request.user, organisation=organisation, pk=pk, **form.values())
        except ValidationError as refused:
            _window_errors(form, refused)
        else:
            messages.success(request, "Incident modifié ; l'ancienne version reste au journal d'audit.")
            return redirect("availability:incidents")
    return render(request, "availability/incident_form.html", {"form": form, "incident": incident})


@tenant_required(*STAFF)
def maintenance_new(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = MaintenanceForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            done = services.maintenance_announce(actor=request.user, organisation=organisation,
                                                 **{**values, "companies": values["companies"] or None})
        except ValidationError as refused:
            _window_errors(form, refused)
        else:
            count = len(done.recipients)
            sent = f"{count} courriel{'s' if count > 1 else ''} envoyé{'s' if count > 1 else ''}"
            counted = ("annoncée au moins 48 heures à l'avance, elle est exclue de l'indisponibilité (VCL-7)"
                       if done.excluded else "annoncée moins de 48 heures à l'avance, elle compte comme "
                       "indisponibilité (VCL-7)")
            messages.success(request, f"Maintenance du {services.when_fr(done.maintenance.start)} annoncée "
                                      f"({sent}) ; {counted}.")
            return redirect("availability:incidents")
    return render(request, "availability/maintenance_form.html", {"form": form})


@tenant_required(Role.CLIENT_CONTACT)
def my_report(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None or membership.company_id is None:
        raise Http404
    return render(request, "availability/my_report.html", {
        "months": selectors.client_months(organisation=organisation, company_id=membership.company_id),
        "credits": selectors.company_credits(organisation=organisation, company_id=membership.company_id),
    })
