"""Staff pages (pipeline, quote, contract timeline, sessions and roster) and the extranet
pages of clients and learners. Thin: services write, selectors read."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ofelia.core import clock, throttle
from ofelia.core.tenancy import tenant_required
from ofelia.notifications.selectors import contract_mails
from ofelia.organisations.models import Role

from . import documents, rules_io, selectors, services
from .forms import (
    ContractEventForm,
    ContractForm,
    QuoteAcceptForm,
    QuoteForm,
    QuoteLineFormSet,
    SignatureForm,
)
from .mentions import MissingMention, missing_mentions
from .models import Contract, Quote
from .quote_views import accept_url, member_scope

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
        ("Devis refusés", [q for q in quotes if q.status == Quote.Status.REJECTED]),
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
            services.quote_send(actor=request.user, quote=quote,
                                extranet_url=accept_url(request, quote))
            messages.success(request, f"Devis {quote.number} envoyé par e-mail à "
                                      f"{quote.client_name}.")
        elif action == "reject":
            services.quote_reject(actor=request.user, quote=quote)
        elif action == "accept":
            form = QuoteAcceptForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Indiquez qui accepte et sous quelle forme.")
            services.quote_accept(actor=request.user, quote=quote, user=None, **form.cleaned_data)
        elif action == "convert":
            contract = services.quote_convert(actor=request.user, quote=quote)
            messages.success(request, f"{contract} {created_word(contract)} à partir du devis.")
            return redirect("sales:contract-detail", pk=contract.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("sales:quote-detail", pk=pk)


@tenant_required(*STAFF)
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if quote is None:
        raise Http404
    return _pdf(documents.render_quote_pdf(quote, accept_url=accept_url(request, quote)),
                f"devis-{quote.number}.pdf")


def created_word(contract: Contract) -> str:
    """« créée » for a convention, « créé » for a contrat (agreement with the document)."""
    return "créée" if contract.kind == Contract.Kind.CONVENTION else "créé"


def signed_word(contract: Contract) -> str:
    return "signée" if contract.kind == Contract.Kind.CONVENTION else "signé"


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    return contract


def _event_form(contract: Contract, *args: Any, **kwargs: Any) -> ContractEventForm:
    policy = rules_io.contract_policy(contract) if contract.signed_on else None
    return ContractEventForm(*args, contract=contract, policy=policy, **kwargs)


@tenant_required(*STAFF)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract's hub: learners, events and their outcome, documents, billing panel."""
    today = clock.today()
    hub = selectors.contract_hub(organisation=request.organisation, pk=pk, today=today)  # type: ignore[attr-defined]
    if hub is None:
        raise Http404
    context: dict[str, Any] = hub
    contract = hub["contract"]
    context.update({
        "sign_form": SignatureForm(initial={"accepted_by_name": str(contract.client or "")}),
        "is_admin": request.membership.role == Role.ADMINISTRATOR,  # type: ignore[attr-defined]
        "today": today,
        "sent_mails": contract_mails(organisation=request.organisation,  # type: ignore[attr-defined]
                                     contract_id=contract.pk),
    })
    if contract.signed_on is not None:
        case = rules_io.contract_case(contract, as_of=today, events=context["events"],
                                      funding=context["funding"])
        context["case_json"] = json.dumps(case, ensure_ascii=False, indent=2)
        if contract.status == Contract.Status.SIGNED:
            context["estimate"] = selectors.cancellation_estimate(
                contract=contract, today=today, events=context["events"])
            context["event_form"] = _event_form(contract, initial={"on": today})
    return render(request, "sales/contract_detail.html", context)


@tenant_required(*STAFF)
def contract_event_outcome(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """htmx: the outcome kept with one event (earlier events load it when opened)."""
    contract = _contract_or_404(request, pk)
    event = contract.events.filter(pk=event_pk).first()
    if event is None:
        raise Http404
    return render(request, "sales/_outcome.html", {"outcome": event.outcome})


@tenant_required(*STAFF)
def contract_event_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the fields the chosen event asks for (swapped when the type changes)."""
    contract = _contract_or_404(request, pk)
    event_type = request.GET.get("type", "")
    initial: dict[str, Any] = {"on": request.GET.get("on") or clock.today()}
    if event_type in {"abandonment", "provider_stop"}:
        on = _parse_day(request.GET.get("on")) or clock.today()
        initial["hours_attended"] = selectors.delivery_as_of(contract=contract, day=on).hours
    form = _event_form(contract, initial=initial, event_type=event_type)
    return render(request, "sales/_event_fields.html", {"event_form": form})


def _parse_day(value: str | None) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@tenant_required(*STAFF)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's document: every mandatory mention the contract carries is a field here."""
    contract = _contract_or_404(request, pk)
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, "Un contrat signé ne se modifie plus ; enregistrez un événement.")
        return redirect("sales:contract-detail", pk=pk)
    form = ContractForm(request.POST or None, instance=contract,
                        initial=documents.suggested_terms(contract))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=request.user, contract=contract, **{
                name: form.cleaned_data[name] for name in form.changed_data})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Contrat mis à jour.")
            return redirect("sales:contract-detail", pk=pk)
    missing = missing_mentions(contract.kind, documents.document_values(contract))
    return render(request, "sales/contract_form.html",
                  {"contract": contract, "form": form, "missing": missing,
                   "suggested": bool(form.initial) and not form.is_bound})


@tenant_required(*STAFF)
def amendment_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    amendment = contract.amendments.filter(number=number).first()
    if amendment is None:
        raise Http404
    return _pdf(documents.render_amendment_pdf(amendment),
                f"{contract.number}-avenant-{amendment.number}.pdf")


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
            messages.success(request, f"{contract} {signed_word(contract)} ; la version des "
                                      "conditions générales est figée.")
        except (ValidationError, MissingMention) as exc:
            messages.error(request, str(exc) if isinstance(exc, MissingMention) else _error_text(exc))
    return redirect("sales:contract-detail", pk=pk)


@tenant_required(*STAFF)
@require_POST
def contract_event(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if contract is None:
        raise Http404
    form = _event_form(contract, request.POST)
    if not form.is_valid():
        messages.error(request, "Formulaire incomplet : " + "; ".join(
            f"{form.fields[k].label if k in form.fields else 'Formulaire'} : {', '.join(v)}"
            for k, v in form.errors.items()))
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
                learners=list(data["learners"]), workforce=data["workforce"],
                lines=[f.cleaned_data for f in lines.forms if f.cleaned_data],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Devis {quote.number} créé.")
            return redirect("sales:quote-detail", pk=quote.pk)
    return render(request, "sales/quote_form.html", {"form": form, "lines": lines})


@tenant_required(*STAFF)
def quote_learners(request: HttpRequest) -> HttpResponse:
    """htmx: the learners of the client chosen on the quote form."""
    form = QuoteForm(initial=request.GET.dict(), organisation=request.organisation,  # type: ignore[attr-defined]
                     today=clock.today())
    return render(request, "sales/_quote_learners.html", {"field": form["learners"]})


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
    contract = selectors.contracts_of_member(**member_scope(request)).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


@tenant_required(*EXTRANET)
def my_trainings(request: HttpRequest) -> HttpResponse:
    contracts = list(selectors.contracts_of_member(**member_scope(request))[:100])
    today = clock.today()
    role = request.membership.role  # type: ignore[attr-defined]
    rows = [{"contract": c, "estimate": selectors.cancellation_estimate(contract=c, today=today)
             if c.start_date > today else None,
             "learners": _convocation_learners(c, role=role, user=request.user),
             "per_learner": role == Role.CLIENT_CONTACT,
             "price": _client_price(c, role=role)} for c in contracts]
    return render(request, "sales/extranet_trainings.html",
                  {"rows": rows, "today": today,
                   "quotes_link": role in (Role.CLIENT_CONTACT, Role.CONSUMER)})


def _convocation_learners(contract: Contract, *, role: str, user: Any) -> list[Any]:
    """The learners whose convocation this member may download: a learner their own, a
    client contact every learner of the contract, a consumer their own (or their record)."""
    learners = [e.learner for e in contract.enrolments.all() if e.status != "cancelled"]
    if role == Role.LEARNER:
        return [lr for lr in learners if lr.user_id == user.pk]
    if role == Role.CLIENT_CONTACT:
        return learners
    return learners[:1] or ([contract.consumer] if contract.consumer else [])


def _client_price(contract: Contract, *, role: str) -> str:
    """The price as the client reads it: VAT included for a consumer (Code de la
    consommation L112-1), excluding VAT with the VAT for a company; none for a learner."""
    from ofelia.rules.money import fmt_eur

    if role == Role.LEARNER:
        return ""
    if role == Role.CONSUMER:
        return f"{fmt_eur(contract.price + contract.vat_amount)} TTC"
    vat = (f", TVA {fmt_eur(contract.vat_amount)}" if contract.vat_rate
           else " (exonéré de TVA, article 261-4-4° a du CGI)")
    return f"{fmt_eur(contract.price)} HT{vat}"


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
    learner = _convocation_learner(request, contract)
    if learner is None:
        raise Http404
    return _pdf(documents.render_convocation_pdf(contract, learner),
                f"convocation-{contract.number}-{learner.last_name}.pdf".replace(" ", "-"))


def _convocation_learner(request: HttpRequest, contract: Contract) -> Any:
    """Whose convocation: a learner their own; a client contact any learner of the
    contract (`?stagiaire=<id>`, else the first); a consumer their own learner record."""
    learners = [e.learner for e in contract.enrolments.select_related("learner")
                if e.status != "cancelled"]
    role = request.membership.role  # type: ignore[attr-defined]
    if role == Role.LEARNER:
        return next((lr for lr in learners if lr.user_id == request.user.pk), None)
    if role == Role.CLIENT_CONTACT:
        wanted = request.GET.get("stagiaire", "")
        if wanted:
            return next((lr for lr in learners if str(lr.pk) == wanted), None)
        return learners[0] if learners else None
    mine = next((lr for lr in learners if lr.consumer_id == contract.consumer_id), None)
    return mine or (learners[0] if learners else contract.consumer)
