"""Quality pages: the BPF (staff), the complaints register and improvement actions
(administrators, the quality manager), the client's complaints in the extranet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.french import fr_date

from . import exports, qualiopi_file, selectors, services
from . import qualiopi_zip as auditor_zip
from .forms import (
    ActionForm,
    AnswerForm,
    ClientComplaintForm,
    CloseForm,
    DeadlineForm,
    StaffComplaintForm,
)
from .models import Complaint

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
QUALITY_MANAGER = (Role.ADMINISTRATOR,)


def _year(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("annee", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


def _bpf(request: HttpRequest, year: int) -> tuple[Any, list[Any]]:
    organisation = request.organisation  # type: ignore[attr-defined]
    report, data = selectors.report(organisation=organisation, year=year)
    return report, selectors.checker(organisation=organisation, year=year, data=data)


@tenant_required(*STAFF)
def bpf_page(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    year = _year(request, selectors.default_year(organisation=request.organisation,  # type: ignore[attr-defined]
                                                 today=today))
    report, problems = _bpf(request, year)
    return render(request, "quality/bpf.html", {
        "report": report, "sections": exports.sections(report), "problems": problems,
        "year": year, "years": selectors.available_years(today=today)})


def _valid_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Http404


@tenant_required(*STAFF)
def bpf_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    _valid_year(year)
    found = selectors.drilldown(organisation=request.organisation, year=year, code=code)  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return render(request, "quality/bpf_detail.html", {**found, "year": year})


@tenant_required(*STAFF)
def bpf_csv(request: HttpRequest, year: int) -> HttpResponse:
    _valid_year(year)
    report, problems = _bpf(request, year)
    response = HttpResponse(exports.bpf_csv(report, problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bpf-{year}.csv"'
    return response


@tenant_required(*STAFF)
def bpf_pdf(request: HttpRequest, year: int) -> HttpResponse:
    _valid_year(year)
    report, problems = _bpf(request, year)
    pdf = exports.bpf_pdf(report=report, problems=problems,
                          organisation=request.organisation)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bpf-{year}.pdf"'
    return response


@tenant_required(*QUALITY_MANAGER)
def complaint_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat", "")
    status = status if status in Complaint.Status.values else ""
    return render(request, "quality/complaint_list.html", {
        "complaints": selectors.complaint_list(organisation=request.organisation,  # type: ignore[attr-defined]
                                               status=status),
        "status": status, "statuses": Complaint.Status.choices, "today": clock.today()})


@tenant_required(*QUALITY_MANAGER)
def complaint_create(request: HttpRequest) -> HttpResponse:
    form = StaffComplaintForm(request.POST or None, initial={"received_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_record(actor=request.user,
                                                  organisation=request.organisation,  # type: ignore[attr-defined]
                                                  **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Réclamation n° {complaint.number} enregistrée.")
            return redirect("quality:complaint", pk=complaint.pk)
    return render(request, "quality/complaint_form.html", {"form": form})


_STEPS = {"answer": (AnswerForm, services.complaint_answer, "Réponse enregistrée."),
          "deadline": (DeadlineForm, services.complaint_set_deadline, "Échéance modifiée."),
          "close": (CloseForm, services.complaint_close, "Réclamation clôturée."),
          "action": (ActionForm, None, "Action d'amélioration ajoutée.")}


@tenant_required(*QUALITY_MANAGER)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    complaint = selectors.complaint_get(organisation=organisation, pk=pk)
    if complaint is None:
        raise Http404
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {name: cls(request.POST if name == step else None)
                             for name, (cls, _, _) in _STEPS.items()}
    forms["deadline"].initial = {"answer_due_on": complaint.answer_due_on}
    if step in _STEPS:
        form_class, service, done = _STEPS[step]
        form = forms[step]
        if form.is_valid():
            try:
                if service is None:
                    services.action_create(actor=request.user, organisation=organisation,
                                           complaint_id=complaint.pk, **form.cleaned_data)
                else:
                    service(actor=request.user, organisation=organisation, pk=complaint.pk,
                            **form.cleaned_data)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, done)
                return redirect("quality:complaint", pk=complaint.pk)
    return render(request, "quality/complaint_detail.html", {
        "complaint": complaint, "forms": forms, "today": clock.today(),
        "actions": complaint.actions.all(),
        "facts": selectors.delivery_facts(complaint.contract) if complaint.concerns_delivery else [],
        "error_step": step})


@tenant_required(*QUALITY_MANAGER)
def action_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, organisation=organisation,
                                   complaint_id=None, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Action d'amélioration ajoutée.")
            return redirect("quality:actions")
    return render(request, "quality/action_list.html", {
        "actions": selectors.action_list(organisation=organisation), "form": form,
        "today": clock.today()})


@tenant_required(*QUALITY_MANAGER)
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    action = selectors.action_list(organisation=organisation).filter(pk=pk).first()
    if action is None:
        raise Http404
    form = ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(actor=request.user, organisation=organisation, pk=pk,
                                   **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Action d'amélioration mise à jour.")
            return redirect("quality:actions")
    return render(request, "quality/action_form.html", {"action": action, "form": form})


@tenant_required(Role.CLIENT_CONTACT, Role.CONSUMER)
def my_complaints(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    contracts = services.client_contracts(organisation=organisation, membership=membership,
                                          user=request.user)
    form = ClientComplaintForm(request.POST or None,
                               contracts=[(c.pk, f"{c.number} — {c.title}") for c in contracts])
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_lodge(actor=request.user, organisation=organisation,
                                                 membership=membership, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Réclamation n° {complaint.number} déposée : l'organisme "
                                      f"vous répond au plus tard le "
                                      f"{fr_date(complaint.answer_due_on)}.")
            return redirect("quality:my-complaints")
    return render(request, "quality/my_complaints.html", {
        "form": form, "complaints": selectors.complaints_of_client(
            organisation=organisation, membership=membership, user=request.user)})


# --- the Qualiopi file (issue 11 item 7) ---------------------------------------------------

def _scope(request: HttpRequest) -> tuple[Any, list[Any]]:
    return qualiopi_file.scope_from(request.GET, organisation=request.organisation,  # type: ignore[attr-defined]
                                    today=clock.today())


@tenant_required(*QUALITY_MANAGER)
def qualiopi_page(request: HttpRequest) -> HttpResponse:
    scope, offered = _scope(request)
    file = qualiopi_file.qualiopi_file(scope)
    return render(request, "quality/qualiopi.html", {
        "scope": scope, "offered": offered, "file": file, "counts": qualiopi_file.summary(file),
        "query": request.GET.urlencode(), "default_sample": qualiopi_file.DEFAULT_SAMPLE})


@tenant_required(*QUALITY_MANAGER)
def qualiopi_indicator(request: HttpRequest, number: int) -> HttpResponse:
    scope, _ = _scope(request)
    organisation = request.organisation  # type: ignore[attr-defined]
    if qualiopi_file.indicator_state(scope, number) is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("step") == "applicable":
                services.qualiopi_applicable(actor=request.user, organisation=organisation,
                                             indicator=number)
                done = f"L'indicateur {number} est de nouveau évalué."
            else:
                services.qualiopi_not_applicable(actor=request.user, organisation=organisation,
                                                 indicator=number,
                                                 reason=request.POST.get("reason", ""))
                done = f"Indicateur {number} déclaré non applicable."
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, done)
            query = request.GET.urlencode()
            return redirect(request.path + (f"?{query}" if query else ""))
    return render(request, "quality/qualiopi_indicator.html", {
        "state": qualiopi_file.indicator_state(scope, number), "scope": scope,
        "query": request.GET.urlencode(), "error": error,
        "reason": request.POST.get("reason", "") if error else ""})


@tenant_required(*QUALITY_MANAGER)
def qualiopi_zip(request: HttpRequest) -> HttpResponse:
    scope, _ = _scope(request)
    response = StreamingHttpResponse(auditor_zip.stream(scope), content_type="application/zip")
    response["Content-Disposition"] = (f'attachment; filename="dossier-qualiopi-'
                                       f'{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.zip"')
    response["Cache-Control"] = "private, no-store"
    return response
