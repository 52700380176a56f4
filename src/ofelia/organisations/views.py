"""Staff pages for the organisation's clients and people. Always scoped to request.organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ofelia.core.exports import csv_response
from ofelia.core.tenancy import tenant_required

from . import selectors, services
from .forms import ClientCompanyForm, OrganisationSettingsForm
from .models import ClientCompany, Organisation, Role

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _company_or_404(request: HttpRequest, pk: int) -> ClientCompany:
    company = selectors.client_company_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if company is None:
        # Another organisation's company is indistinguishable from a missing one.
        raise Http404
    return company


def _page(request: HttpRequest, queryset):  # type: ignore[no-untyped-def]
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


@tenant_required(*STAFF)
def client_company_list(request: HttpRequest) -> HttpResponse:
    companies = selectors.client_company_list(organisation=request.organisation)  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:100]
    if query:
        companies = companies.filter(name__icontains=query)
    if request.GET.get("format") == "csv":
        return csv_response("entreprises-clientes", ["Raison sociale", "SIRET", "N° TVA", "Adresse", "Code postal",
                                                     "Ville", "Courriel", "Téléphone"],
                            ([c.name, c.siret, c.vat_number, c.address_line1, c.postal_code, c.city, c.email,
                              c.phone] for c in companies.iterator(chunk_size=1000)))
    return render(
        request,
        "organisations/client_company_list.html",
        {"page": _page(request, companies), "q": query, "query": urlencode({"q": query}) if query else ""},
    )


@tenant_required(*STAFF)
def client_company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_or_404(request, pk)
    learners = selectors.learner_list(organisation=request.organisation).filter(company=company)  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/client_company_detail.html",
        {"company": company, "learners": learners[:200], "learner_count": learners.count(),
         "contacts": company.contacts.select_related("user")},
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _save_company(request: HttpRequest, form: ClientCompanyForm, company: ClientCompany | None) -> ClientCompany | None:
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if company is None:
            return services.client_company_create(
                actor=request.user, organisation=request.organisation, **data  # type: ignore[attr-defined]
            )
        return services.client_company_update(actor=request.user, company=company, **data)
    except ValidationError as error:
        _add_errors(form, error)
        return None


@tenant_required(*STAFF)
def client_company_create(request: HttpRequest) -> HttpResponse:
    form = ClientCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = _save_company(request, form, None)
        if company is not None:
            messages.success(request, _("The company has been created."))
            return redirect("client-company-detail", pk=company.pk)
    return render(request, "organisations/client_company_form.html", {"form": form, "company": None})


@tenant_required(*STAFF)
def client_company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_or_404(request, pk)
    form = ClientCompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        # form.is_valid() wrote the values on the instance; the service records before/after.
        company.refresh_from_db()
        saved = _save_company(request, form, company)
        if saved is not None:
            messages.success(request, _("The company has been updated."))
            return redirect("client-company-detail", pk=saved.pk)
    return render(request, "organisations/client_company_form.html", {"form": form, "company": company})


@tenant_required(*STAFF)
def member_list(request: HttpRequest) -> HttpResponse:
    members = selectors.membership_list(organisation=request.organisation)  # type: ignore[attr-defined]
    return render(request, "organisations/member_list.html", {
        "page": _page(request, members),
        "can_suspend": request.membership.role == Role.ADMINISTRATOR,  # type: ignore[attr-defined]
    })


@require_POST
@tenant_required(Role.ADMINISTRATOR)
def member_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    """ACC-2: suspend an account on legitimate suspicion of fraud, or reactivate it."""
    membership = selectors.membership_list(organisation=request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if membership is None:
        raise Http404
    try:
        if request.POST.get("action") == "reactivate":
            services.membership_reactivate(actor=request.user, membership=membership)
            messages.success(request, f"Le compte de {membership.user.email} est réactivé.")
        else:
            services.membership_suspend(actor=request.user, membership=membership,
                                        reason=request.POST.get("reason", ""))
            messages.success(request, f"Le compte de {membership.user.email} est suspendu : "
                                      "il n'a plus accès aux pages de l'organisme.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("member-list")


@tenant_required(Role.ADMINISTRATOR)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's settings seen by its clients: contact, bank account, order delay."""
    organisation = request.organisation  # type: ignore[attr-defined]
    # The form edits a copy: the service compares the organisation before and after.
    form = OrganisationSettingsForm(request.POST or None,
                                    instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=organisation,
                                         **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Paramètres de l'organisme enregistrés.")
            return redirect("organisation-settings")
    return render(request, "organisations/settings.html", {"form": form})
