"""Data-rights pages (RULES.md ACC-6): the person's own page in the extranet, the staff's
list and answer form. Thin: reads through selectors, writes through services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock
from ofelia.core.exports import CsvWriter
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.rules.accounts import INVOICE_RETENTION_YEARS, data_request_deadline
from ofelia.rules.french import fr_date

from . import selectors, services
from .forms import AnswerForm, DataRequestForm, add_service_errors
from .models import DataRequest

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
MEMBERS = (Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER)
CSV_COLUMNS = ["n°", "personne", "courriel", "droit", "reçue le", "réponse au plus tard le",
               "délai prolongé au plus tard le", "état", "en retard", "répondue le", "traitée par"]


@tenant_required(*MEMBERS)
def my_data(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.data_request_file(
                actor=request.user, organisation=organisation, user=request.user,
                right=form.cleaned_data["right"], message=form.cleaned_data["message"])
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(request, f"Votre demande ({filed.get_right_display().lower()}) est "
                                      f"enregistrée : réponse au plus tard le {fr_date(filed.answer_by)}.")
            return redirect("privacy:my-data")
    data = selectors.personal_data(organisation=organisation, membership=request.membership,  # type: ignore[attr-defined]
                                   user=request.user)
    return render(request, "privacy/my_data.html", {
        "data": data, "form": form, "today": clock.today(),
        "requests": selectors.data_requests_of_user(organisation=organisation, user=request.user),
        "retention_years": INVOICE_RETENTION_YEARS,
    })


@tenant_required(*MEMBERS)
def my_data_export(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    data = services.personal_data_export(actor=request.user, organisation=organisation,
                                         membership=request.membership, user=request.user)  # type: ignore[attr-defined]
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-{organisation.slug}-{clock.today():%Y%m%d}.json"')
    return response


@tenant_required(*STAFF)
def request_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    show_all = request.GET.get("etat") == "toutes"
    requests = selectors.data_request_list(organisation=organisation, open_only=not show_all)
    today = clock.today()
    if request.GET.get("format") == "csv":
        return _csv(requests, today, f"demandes-rgpd-{organisation.slug}-{today:%Y%m%d}.csv")
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    rows = [{"request": r, "overdue": r.is_overdue(today)} for r in page]
    return render(request, "privacy/request_list.html", {
        "page": page, "rows": rows, "show_all": show_all, "today": today,
        "query": "etat=toutes" if show_all else "",
    })


def _csv(requests: object, today: object, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = CsvWriter(response)  # BOM, semicolons, formula-looking cells neutralised
    writer.writerow(CSV_COLUMNS)
    for r in requests.iterator():  # type: ignore[attr-defined]
        writer.writerow([
            r.pk, r.person_name, r.person_email, r.get_right_display(), r.received_on.isoformat(),
            r.answer_by.isoformat(), r.extended_answer_by.isoformat(), r.get_status_display(),
            "oui" if r.is_overdue(today) else "non",
            r.answered_on.isoformat() if r.answered_on else "",
            r.handled_by.get_username() if r.handled_by else "",
        ])
    return response


@tenant_required(*STAFF)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    data_request = selectors.data_request_get(organisation=organisation, pk=pk)
    if data_request is None:
        # Another organisation's request is indistinguishable from a missing one.
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "extend":
        try:
            services.data_request_extend(actor=request.user, request=data_request,
                                         reason=request.POST.get("reason", ""))
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, "Délai prolongé de deux mois ; la personne voit le motif "
                                      "dans son espace.")
        return redirect("privacy:request-detail", pk=data_request.pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_request_answer(actor=request.user, request=data_request,
                                         status=form.cleaned_data["status"],
                                         answer=form.cleaned_data["answer"])
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(request, "La réponse est enregistrée ; la personne la voit dans son espace.")
            return redirect("privacy:request-detail", pk=data_request.pk)
    invoices = []
    if data_request.right == DataRequest.Right.ERASURE and data_request.user_id:
        invoices = selectors.kept_invoices(organisation=organisation, user=data_request.user)
    return render(request, "privacy/request_detail.html", {
        "data_request": data_request, "form": form, "invoices": invoices,
        "overdue": data_request.is_overdue(clock.today()),
        "deadline": data_request_deadline(data_request.right, data_request.received_on),
        "retention_years": INVOICE_RETENTION_YEARS,
    })
