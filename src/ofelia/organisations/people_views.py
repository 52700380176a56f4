"""Staff pages for people: learners, consumer clients, company contacts, CSV import and
duplicates. Thin: forms check, services write, selectors read, always in request.organisation."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from ofelia.core.exports import csv_response
from ofelia.core.tenancy import tenant_required

from . import imports, merge, selectors, services
from .forms import CompanyContactForm, ConsumerClientForm, ImportForm, LearnerForm
from .models import ClientCompany, CompanyContact, ConsumerClient, Learner, Role
from .views import _add_errors, _company_or_404, _page

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _searched(request: HttpRequest, people: QuerySet[Any]) -> tuple[QuerySet[Any], str]:
    """Each word typed starts the first name, the last name or the e-mail (« anne ler » finds
    Anne Leroy), as the session page's learner search does; served by prefix indexes."""
    query = request.GET.get("q", "").strip()
    for word in query.split()[:4]:
        people = people.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
                               | Q(email__istartswith=word))
    return people, query


def _list(request: HttpRequest, people: QuerySet[Any], template: str,
          export: tuple[str, list[str], Callable[[Any], list[Any]]]) -> HttpResponse:
    """A searchable page of 50, or (`?format=csv`) the whole selection as CSV."""
    people, query = _searched(request, people)
    people = people.order_by("last_name", "first_name", "pk")  # stable pages, served by an index
    if request.GET.get("format") == "csv":
        name, header, row = export
        return csv_response(name, header, (row(p) for p in people.iterator(chunk_size=1000)))
    return render(request, template, {"page": _page(request, people), "q": query,
                                      "query": urlencode({"q": query}) if query else ""})


LEARNER_CSV = ("apprenants", ["Nom", "Prénom", "Courriel", "Téléphone", "Entreprise", "Client particulier"],
               lambda p: [p.last_name, p.first_name, p.email, p.phone, str(p.company or ""), str(p.consumer or "")])
CONSUMER_CSV = ("clients-particuliers", ["Nom", "Prénom", "Courriel", "Téléphone", "Adresse", "Code postal", "Ville"],
                lambda p: [p.last_name, p.first_name, p.email, p.phone, p.address_line1, p.postal_code, p.city])


def _form_page(request: HttpRequest, *, form: Any, save: Callable[[dict[str, Any]], Any], title: str,
               cancel_url: str, done: str, next_url: Callable[[Any], str]) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save({name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url(saved))
    return render(request, "organisations/person_form.html",
                  {"form": form, "title": title, "cancel_url": cancel_url})


def _get_or_404(model: type, request: HttpRequest, pk: int) -> Any:
    found = model.objects.for_organisation(_org(request)).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404  # another organisation's record is indistinguishable from a missing one
    return found


# Learners -------------------------------------------------------------------------------------

@tenant_required(*STAFF)
def learner_list(request: HttpRequest) -> HttpResponse:
    learners = selectors.learner_list(organisation=_org(request)).select_related("consumer", "company")
    return _list(request, learners, "organisations/learner_list.html", LEARNER_CSV)


@tenant_required(*STAFF)
def learner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _get_or_404(Learner, request, pk)
    return render(request, "organisations/learner_detail.html", {"learner": learner})


@tenant_required(*STAFF)
def learner_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    company = request.GET.get("entreprise", "")
    if company.isdigit():
        initial["company"] = int(company)
    form = LearnerForm(request.POST or None, initial=initial, organisation=_org(request))
    return _form_page(
        request, form=form, title="Nouvel apprenant", cancel_url=reverse("learner-list"),
        save=lambda data: services.learner_create(actor=request.user, organisation=_org(request), **data),
        done="L'apprenant est enregistré.", next_url=lambda saved: reverse("learner-detail", args=[saved.pk]))


@tenant_required(*STAFF)
def learner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _get_or_404(Learner, request, pk)
    form = LearnerForm(request.POST or None, instance=_get_or_404(Learner, request, pk), organisation=_org(request))
    return _form_page(
        request, form=form, title=f"Modifier {learner}", cancel_url=reverse("learner-detail", args=[pk]),
        save=lambda data: services.learner_update(actor=request.user, learner=learner, **data),
        done="La fiche de l'apprenant est mise à jour.",
        next_url=lambda saved: reverse("learner-detail", args=[saved.pk]))


# Consumer clients -----------------------------------------------------------------------------

@tenant_required(*STAFF)
def consumer_client_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.consumer_client_list(organisation=_org(request)),
                 "organisations/consumer_client_list.html", CONSUMER_CSV)


@tenant_required(*STAFF)
def consumer_client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consumer = _get_or_404(ConsumerClient, request, pk)
    return render(request, "organisations/consumer_client_detail.html",
                  {"consumer": consumer, "learners": consumer.learners.all()[:50]})


@tenant_required(*STAFF)
def consumer_client_create(request: HttpRequest) -> HttpResponse:
    form = ConsumerClientForm(request.POST or None, organisation=_org(request))
    return _form_page(
        request, form=form, title="Nouveau client particulier", cancel_url=reverse("consumer-client-list"),
        save=lambda data: services.consumer_client_create(actor=request.user, organisation=_org(request), **data),
        done="Le client particulier est enregistré.",
        next_url=lambda saved: reverse("consumer-client-detail", args=[saved.pk]))


@tenant_required(*STAFF)
def consumer_client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consumer = _get_or_404(ConsumerClient, request, pk)
    form = ConsumerClientForm(request.POST or None, instance=_get_or_404(ConsumerClient, request, pk),
                              organisation=_org(request))
    return _form_page(
        request, form=form, title=f"Modifier {consumer}",
        cancel_url=reverse("consumer-client-detail", args=[pk]),
        save=lambda data: services.consumer_client_update(actor=request.user, consumer=consumer, **data),
        done="La fiche du client particulier est mise à jour.",
        next_url=lambda saved: reverse("consumer-client-detail", args=[saved.pk]))


# Company contacts -----------------------------------------------------------------------------

@tenant_required(*STAFF)
def company_contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    company: ClientCompany = _company_or_404(request, pk)
    form = CompanyContactForm(request.POST or None)
    return _form_page(
        request, form=form, title=f"Nouveau contact chez {company}",
        cancel_url=reverse("client-company-detail", args=[pk]),
        save=lambda data: services.company_contact_create(actor=request.user, company=company, **data),
        done="Le contact est enregistré.", next_url=lambda saved: reverse("client-company-detail", args=[pk]))


@tenant_required(*STAFF)
def company_contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    company = _company_or_404(request, pk)
    contact = CompanyContact.objects.for_organisation(_org(request)).filter(company=company, pk=contact_pk).first()
    if contact is None:
        raise Http404
    fresh = CompanyContact.objects.get(pk=contact.pk)
    form = CompanyContactForm(request.POST or None, instance=fresh)
    return _form_page(
        request, form=form, title=f"Modifier le contact {contact}",
        cancel_url=reverse("client-company-detail", args=[pk]),
        save=lambda data: services.company_contact_update(actor=request.user, contact=contact, **data),
        done="Le contact est mis à jour.", next_url=lambda saved: reverse("client-company-detail", args=[pk]))


# CSV import -----------------------------------------------------------------------------------

@tenant_required(*STAFF)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele-{kind}.csv"'
    return response


@tenant_required(*STAFF)
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST with a file: the preview. POST with `confirm`: the import."""
    organisation = _org(request)
    if request.method == "POST" and "confirm" in request.POST:
        kind = request.POST.get("kind", "")
        try:
            text = base64.b64decode(request.POST.get("payload", ""), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            text = ""
        if kind not in imports.KINDS or not text:
            messages.error(request, "Le fichier à importer est illisible : envoyez-le de nouveau.")
            return redirect("people-import")
        try:
            result = imports.import_confirm(actor=request.user, organisation=organisation, kind=kind, text=text)
        except imports.ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect("people-import")
        messages.success(request, f"{len(result.lines)} {imports.KINDS[kind]['label']} importés.")
        return redirect({"apprenants": "learner-list", "particuliers": "consumer-client-list"}.get(
            kind, "client-company-list"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        try:
            if upload.size > imports.MAX_BYTES:
                raise imports.ImportRefused("Le fichier dépasse 1 Mo : découpez-le.")
            text = imports.decode(upload.read())
            preview = imports.preview(organisation=organisation, kind=kind, text=text)
        except imports.ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            return render(request, "organisations/import_preview.html", {
                "preview": preview, "kind_label": imports.KINDS[kind]["label"],
                "payload": base64.b64encode(text.encode("utf-8")).decode("ascii")})
    return render(request, "organisations/import_form.html", {"form": form, "kinds": imports.KINDS})


# Duplicates -----------------------------------------------------------------------------------

@tenant_required(*STAFF)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type", "apprenants")
    model = merge.PERSON_MODELS.get(kind)
    if model is None:
        raise Http404
    pairs = merge.duplicate_pairs(organisation=_org(request), model=model)
    ids = {pk for pair in pairs for pk in (pair.first_id, pair.second_id)}
    people = model.objects.for_organisation(_org(request)).in_bulk(ids)  # type: ignore[attr-defined]
    rows = [(pair, people[pair.first_id], people[pair.second_id]) for pair in pairs]
    return render(request, "organisations/duplicate_list.html", {"rows": rows, "kind": kind})


@require_http_methods(["GET", "POST"])
@tenant_required(*STAFF)
def person_merge(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation (what is kept, what is copied, what follows); POST: the merge."""
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("type", "")
    model = merge.PERSON_MODELS.get(kind)
    kept_pk, merged_pk = data.get("kept", ""), data.get("merged", "")
    if model is None or not kept_pk.isdigit() or not merged_pk.isdigit():
        raise Http404
    kept = _get_or_404(model, request, int(kept_pk))
    merged_person = _get_or_404(model, request, int(merged_pk))
    if request.method == "GET":
        return render(request, "organisations/merge_confirm.html", {
            "kind": kind, "kept": kept, "merged": merged_person,
            "filled": merge.merge_preview(kept=kept, merged=merged_person)})
    label = str(merged_person)
    try:
        merge.person_merge(actor=request.user, kept=kept, merged=merged_person)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Fiches fusionnées : {label} est désormais {kept} (fiche n° {kept.pk}).")
    return redirect(f"{reverse('person-duplicates')}?type={kind}")
