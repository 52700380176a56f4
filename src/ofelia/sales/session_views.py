"""Staff pages of a session: the list, the roster (who is enrolled, the waiting list, their
contracts) and the roster's actions. Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import Enrolment
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import selectors, services

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


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
