"""Administrators edit the mails' templates (with a preview); every member chooses which
optional mails they receive (« Mes notifications »)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import STAFF_ROLES, Role

from . import rendering, selectors, services
from .forms import TemplateForm
from .kinds import BY_CODE, KINDS


@tenant_required(Role.ADMINISTRATOR)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/template_list.html", {
        "rows": selectors.templates_by_kind(request.organisation)})  # type: ignore[attr-defined]


@tenant_required(Role.ADMINISTRATOR)
def template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    spec = BY_CODE.get(kind)
    if spec is None:
        raise Http404
    organisation = request.organisation  # type: ignore[attr-defined]
    subject, body = rendering.template_for(organisation, spec)
    form = TemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    preview = None
    if request.method == "POST" and request.POST.get("action") == "reset":
        services.template_reset(actor=request.user, organisation=organisation, kind=kind)
        messages.success(request, f"« {spec.label} » : le texte par défaut est rétabli.")
        return redirect("notifications:template", kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                context = {**spec.variables, **rendering.organisation_context(organisation)}
                preview = rendering.render(spec, subject=data["subject"], body=data["body"],
                                           context=context)
            else:
                services.template_save(actor=request.user, organisation=organisation, kind=kind,
                                       subject=data["subject"], body=data["body"])
                messages.success(request, f"« {spec.label} » : modèle enregistré, il sert dès le "
                                          "prochain envoi.")
                return redirect("notifications:template", kind=kind)
        except ValidationError as refused:
            form.add_error(None, refused)
    return render(request, "notifications/template_edit.html", {
        "kind": spec, "form": form, "preview": preview,
        "variables": sorted(spec.variables.items())})


@tenant_required()
def my_preferences(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    email = request.user.email  # type: ignore[union-attr]
    if request.method == "POST":
        services.preferences_save(actor=request.user, organisation=organisation, email=email,
                                  wanted=request.POST.getlist("kind"))
        messages.success(request, "Vos choix de notifications sont enregistrés.")
        return redirect("notifications:mine")
    refused = selectors.refused_kinds(organisation=organisation, email=email)
    staff = request.membership.role in STAFF_ROLES  # type: ignore[attr-defined]
    return render(request, "notifications/my_preferences.html", {
        "email": email, "staff": staff,
        "rows": [(kind, kind.code not in refused) for kind in KINDS]})
