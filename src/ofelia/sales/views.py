"""Staff pages (pipeline, quote, contract timeline, sessions and roster) and the extranet
pages of clients and learners. Thin: services write, selectors read."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import Enrolment
from ofelia.core import clock, throttle
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import documents, rules_io, selectors, services
from .forms import ContractEventForm, QuoteAcceptForm, QuoteForm, QuoteLineFormSet, SignatureForm
from .mentions import MissingMention, missing_mentions
from .models import Contract, Quote

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
EXTRANET = (Role.CLIENT_CONTACT, Role.CONSUMER, Role.LEARNER)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- staff -------------------------------------------------------------------------------

@tenant_required(*STAFF)
def pipeline(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    quotes = list(selectors.quote_list(organisation=org)[:200])
    contracts = list(selectors.contract_list(organisation=org)[:200])
    columns = [
        ("Devis en préparation", [q for q in quotes if q.status == Quote.Status.DRAFT]),
        ("Devis envoyés", [q for q in quotes if q.status == Quote.Status.SENT]),
        ("Devis acceptés", [q for q in quotes if q.status == Quote.Status.ACCEPTED]),
    ]
    contract_columns = [
        ("À signer", [c for c in contracts if c.status == Contract.Status.DRAFT]),
        ("Signés", [c for c in contracts if c.status == Contract.Status.SIGNED]),
        ("Terminés ou annulés", [c for c in contracts if c.status not in
                                 {Contract.Status.DRAFT, Contract.Status.SIGNED}]),
    ]
    return render(request, "sales/pipeline.html",
                  {"quote_columns": columns, "contract_columns": contract_columns})


@tenant_required(*STAFF)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if quote is None:
        raise Http404
    return render(request, "sales/quote_detail.html",
                  {"quote": quote, "accept_form": QuoteAcceptForm(), "today": clock.today()})


@tenant_required(*STAFF)
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    quote = selectors.quote_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if quote is None:
        raise Http404
    try:
        if action == "send":
            services.quote_send(actor=request.user, quote=quote)
        elif action == "reject":
            services.quote_reject(actor=request.user, quote=quote)
        elif action == "accept":
            form = QuoteAcceptForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Indiquez qui accepte et sous quelle forme.")
            services.quote_accept(actor=request.user, quote=quote, user=None, **form.cleaned_data)
        elif action == "convert":
            contract = services.quote_convert(actor=request.user, quote=quote)
            messages.success(request, f"{contract} créé à partir du devis.")
            return redirect("sales:contract-detail", pk=contract.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("sales:quote-detail", pk=pk)


@tenant_required(*STAFF)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    contract = selectors.contract_get(organisation=org, pk=pk)
    if contract is None:
        raise Http404
    today = clock.today()
    context: dict[str, Any] = {
        "contract": contract,
        "events": selectors.contract_events(contract=contract),
        "funding": contract.funding.all(),
        "acceptances": contract.acceptances.all(),
        "missing": missing_mentions(contract.kind, documents.document_values(contract)),
        "event_form": ContractEventForm(initial={"on": today}, contract=contract),
        "sign_form": SignatureForm(initial={"accepted_by_name": str(contract.client or "")}),
        "is_admin": request.membership.role == Role.ADMINISTRATOR,  # type: ignore[attr-defined]
    }
    if contract.signed_on is not None:
        case = rules_io.contract_case(contract, as_of=today)
        context["case_json"] = json.dumps(case, ensure_ascii=False, indent=2)
        context["estimate"] = selectors.cancellation_estimate(contract=contract, today=today)
    return render(request, "sales/contract_detail.html", context)


@tenant_required(*STAFF)
@require_POST
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    form = SignatureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le signataire et le mode de signature.")
    else:
        try:
            services.contract_sign(actor=request.user, contract=contract, **form.cleaned_data)
            messages.success(request, "Contrat signé ; la version des conditions générales est figée.")
        except (ValidationError, MissingMention) as exc:
            messages.error(request, str(exc) if isinstance(exc, MissingMention) else _error_text(exc))
    return redirect("sales:contract-detail", pk=pk)


@tenant_required(*STAFF)
@require_POST
def contract_event(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    form = ContractEventForm(request.POST, contract=contract)
    if not form.is_valid():
        messages.error(request, "Formulaire incomplet : " + "; ".join(
            f"{k} : {', '.join(v)}" for k, v in form.errors.items()))
        return redirect("sales:contract-detail", pk=pk)
    try:
        services.contract_event_record(actor=request.user, contract=contract, **form.cleaned_data)
        messages.success(request, "Événement enregistré et évalué selon les conditions générales.")
    except services.RuleRefusal as exc:
        messages.error(request, f"Refusé ({exc.rule}) : {exc.explanation}")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("sales:contract-detail", pk=pk)


@tenant_required(*STAFF)
@require_POST
@throttle.per_user("convocations", limit=30, window=600)  # e-mails: 30 sends in 10 minutes
def contract_convocations(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    try:
        sent = services.convocation_send(actor=request.user, contract=contract,
                                         uid_host=request.get_host().split(":")[0])
        messages.success(request, f"{sent} convocation(s) envoyée(s).")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(request, "sales:contract-detail", pk=pk)


def _back(request: HttpRequest, default: str, **kwargs: Any) -> HttpResponse:
    """Back to the page the form came from (`next`, same site only), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default, **kwargs)


@tenant_required(*STAFF)
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    return _contract_pdf_response(request, contract)


def _contract_pdf_response(request: HttpRequest, contract: Contract) -> HttpResponse:
    try:
        return _pdf(documents.render_contract_pdf(contract), f"{contract.number}.pdf")
    except MissingMention as exc:
        return render(request, "sales/refused.html", {"message": str(exc)}, status=409)


@tenant_required(*STAFF)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.session_list(organisation=request.organisation)  # type: ignore[attr-defined]
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return render(request, "sales/session_list.html", {"page": page})


@tenant_required(*STAFF)
def session_roster(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    session = selectors.session_get(organisation=org, pk=pk)
    if session is None:
        raise Http404
    roster = list(selectors.session_roster(organisation=org, session=session))
    contract_of = selectors.contracts_by_enrolment(session=session)
    for e in roster:
        e.contract = contract_of.get(e.pk)  # type: ignore[attr-defined]
    return render(request, "sales/session_roster.html", {
        "session": session,
        "slots": session.slots.all(),
        "trainers": session.trainers.select_related("membership__user"),
        "confirmed": [e for e in roster if e.status == "confirmed"],
        "waitlisted": [e for e in roster if e.status == "waitlisted"],
        "cancelled": [e for e in roster if e.status == "cancelled"],
    })


@tenant_required(*STAFF)
@require_POST
def enrolment_contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: a draft convention / contrat straight from a roster enrolment."""
    enrolment = (Enrolment.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
                 .select_related("learner__company", "learner__consumer", "session__training")
                 .filter(pk=pk).first())
    if enrolment is None:
        raise Http404
    try:
        contract = services.contract_from_enrolment(actor=request.user, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("sales:session-roster", pk=enrolment.session_id)
    messages.success(request, f"{contract} créé(e) en brouillon : complétez-le puis faites-le signer.")
    return redirect("sales:contract-detail", pk=contract.pk)


@tenant_required(*STAFF)
@require_POST
@throttle.per_user("convocations", limit=30, window=600)
def session_convocations(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if session is None:
        raise Http404
    try:
        sent = services.session_convocations_send(actor=request.user, session=session,
                                                  uid_host=request.get_host().split(":")[0])
        messages.success(request, f"{sent} convocation(s) envoyée(s) (PDF et invitation .ics).")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("sales:session-roster", pk=pk)


@tenant_required(*STAFF)
def quote_create(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    today = clock.today()
    form = QuoteForm(request.POST or None, organisation=org, today=today)
    lines = QuoteLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            quote = services.quote_create(
                actor=request.user, organisation=org, valid_until=data["valid_until"],
                client_company=data["client_company"], consumer=data["consumer"],
                session=data["session"], vat_rate=data["vat_rate"],
                lines=[f.cleaned_data for f in lines.forms if f.cleaned_data],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Devis {quote.number} créé.")
            return redirect("sales:quote-detail", pk=quote.pk)
    return render(request, "sales/quote_form.html", {"form": form, "lines": lines})


@tenant_required(*STAFF)
def quote_line_row(request: HttpRequest) -> HttpResponse:
    """htmx: one more empty line for the quote form (the button then bumps TOTAL_FORMS)."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 200))
    except ValueError:
        index = 0
    form = QuoteLineFormSet(prefix="lines").empty_form
    form.prefix = f"lines-{index}"
    return render(request, "sales/_quote_line.html", {"f": form})


# --- extranet ----------------------------------------------------------------------------

def _member_contract(request: HttpRequest, pk: int) -> Contract:
    contract = selectors.contracts_of_member(
        organisation=request.organisation,  # type: ignore[attr-defined]
        membership=request.membership,  # type: ignore[attr-defined]
        user=request.user,
    ).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


@tenant_required(*EXTRANET)
def my_trainings(request: HttpRequest) -> HttpResponse:
    contracts = list(selectors.contracts_of_member(
        organisation=request.organisation,  # type: ignore[attr-defined]
        membership=request.membership,  # type: ignore[attr-defined]
        user=request.user,
    )[:100])
    today = clock.today()
    rows = [{"contract": c, "estimate": selectors.cancellation_estimate(contract=c, today=today)
             if c.start_date > today else None} for c in contracts]
    return render(request, "sales/extranet_trainings.html", {"rows": rows, "today": today})


@tenant_required(*EXTRANET)
def my_contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _contract_pdf_response(request, _member_contract(request, pk))


@tenant_required(*EXTRANET)
def my_convocation(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    contract = _member_contract(request, pk)
    if fmt == "ics":
        response = HttpResponse(
            documents.convocation_ics(contract, uid_host=request.get_host().split(":")[0],
                                      stamp=clock.now()),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="formation-{contract.number}.ics"'
        return response
    learner = next((e.learner for e in contract.enrolments.select_related("learner")
                    if e.learner.user_id == request.user.pk), None)
    if learner is None:
        learner = contract.consumer
    if learner is None:
        raise Http404
    return _pdf(documents.render_convocation_pdf(contract, learner), f"convocation-{contract.number}.pdf")
