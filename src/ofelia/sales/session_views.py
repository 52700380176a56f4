"""Staff pages of a session: the list, the roster (who is enrolled, the waiting list, their
contracts) and the roster's actions. Thin: services write, selectors read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.catalogue.seats import waitlist_position
from ofelia.core import clock, throttle
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Learner, Role
from ofelia.rules.french import fr_date

from . import roster, selectors, services
from .models import ContractEvent
from .services import enrolments as enrolment_services

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@tenant_required(*STAFF)
def session_list(request: HttpRequest) -> HttpResponse:
    """Sessions with their seats: search (training, reference, place), the coming ones by
    default or the past ones or all, pages of 50, and the selection as CSV."""
    from urllib.parse import urlencode

    from django.db.models import Q

    from ofelia.core.exports import csv_response

    sessions = selectors.session_list(organisation=request.organisation)  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:100]
    when = request.GET.get("periode", "a-venir")
    when = when if when in ("a-venir", "passees", "toutes") else "a-venir"
    if query:
        sessions = sessions.filter(Q(training__title__icontains=query) | Q(training__reference__icontains=query)
                                   | Q(place__icontains=query))
    today = clock.today()
    if when == "a-venir":
        sessions = sessions.filter(end_date__gte=today)
    elif when == "passees":
        sessions = sessions.filter(end_date__lt=today).order_by("-start_date", "-id")
    if request.GET.get("format") == "csv":
        return csv_response("sessions", ["Formation", "Référence", "Début", "Fin", "Lieu", "Places", "Confirmés",
                                         "Libres", "Liste d'attente"],
                            ([s.training.title, s.training.reference, f"{s.start_date:%d/%m/%Y}",
                              f"{s.end_date:%d/%m/%Y}", s.place, s.capacity, s.confirmed, s.seats_free, s.waitlisted]
                             for s in sessions.iterator(chunk_size=500)))
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("q", query), ("periode", when)) if v}
    return render(request, "sales/session_list.html", {"page": page, "q": query, "when": when,
                                                       "query": urlencode(params)})


def _session(request: HttpRequest, pk: int) -> TrainingSession:
    session = selectors.session_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if session is None:
        raise Http404
    return session


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = roster.enrolment_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if enrolment is None:
        raise Http404
    return enrolment


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _search(request: HttpRequest, session: TrainingSession) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()[:100]
    found = roster.learner_search(organisation=request.organisation,  # type: ignore[attr-defined]
                                  session=session, query=query)
    return {"q": query, "results": found[:roster.SEARCH_LIMIT],
            "more": len(found) > roster.SEARCH_LIMIT,
            "too_short": 0 < len(query) < roster.SEARCH_MIN_LENGTH}


@tenant_required(*STAFF)
def session_roster(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    session = _session(request, pk)
    groups = roster.roster(organisation=org, session=session)
    return render(request, "sales/session_roster.html", {
        "session": session,
        "slots": session.slots.all(),
        "trainers": session.trainers.select_related("membership__user"),
        "confirmed": groups[Enrolment.Status.CONFIRMED],
        "waitlisted": groups[Enrolment.Status.WAITLISTED],
        "cancelled": groups[Enrolment.Status.CANCELLED],
        "targets": list(roster.transfer_targets(session=session, today=clock.today())),
        **_search(request, session),
    })


@tenant_required(*STAFF)
def learner_search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the learners matching the search box, each with its « Inscrire » button."""
    session = _session(request, pk)
    return render(request, "sales/_learner_results.html", {"session": session,
                                                            **_search(request, session)})


@tenant_required(*STAFF)
@require_POST
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    session = _session(request, pk)
    learner = Learner.objects.filter(organisation=org, pk=_int(request.POST.get("learner"))).first()
    if learner is None:
        messages.error(request, "Stagiaire introuvable dans cet organisme : recherchez-le à nouveau.")
        return redirect("sales:session-roster", pk=pk)
    try:
        enrolment = enrolment_services.session_enrolment_add(
            actor=request.user, organisation=org, session=session, learner=learner)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if enrolment.status == Enrolment.Status.CONFIRMED:
            messages.success(request, f"{learner} est inscrit(e) : place confirmée.")
        else:
            messages.success(request, f"Session complète : {learner} est en liste d'attente "
                                      f"(position {waitlist_position(enrolment)}).")
    return redirect("sales:session-roster", pk=pk)


def _move(request: HttpRequest, move: Callable[[], enrolment_services.Moved],
          done: str) -> enrolment_services.Moved | None:
    """Run a removal or a transfer; say what happened, or why it was refused (the rule)."""
    try:
        moved = move()
    except services.RuleRefusal as exc:
        messages.error(request, f"Refusé ({exc.rule}) : {exc.explanation}")
        return None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return None
    if moved.event is not None and moved.event.type == ContractEvent.Type.CANCELLATION:
        done += f" Annulation enregistrée sur {moved.event.contract}."
    if moved.event is not None and moved.event.type == ContractEvent.Type.SCHEDULE_CHOICE:
        done += f" Report (PRV-D4) enregistré sur {moved.event.contract}."
    if moved.promoted is not None:
        done += f" {moved.promoted.learner} passe de la liste d'attente aux confirmés."
    messages.success(request, done)
    return moved


@tenant_required(*STAFF)
def enrolment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the removal means (for a signed contract, the cancellation's outcome by the
    rules core for the reason chosen); POST: do it."""
    org = request.organisation  # type: ignore[attr-defined]
    enrolment = _enrolment(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    reason = data.get("reason", "")
    if request.method == "POST":
        moved = _move(request, lambda: enrolment_services.session_enrolment_remove(
            actor=request.user, organisation=org, enrolment=enrolment, reason=reason),
            f"{enrolment.learner} est retiré(e) de la session.")
        if moved is not None:
            return redirect("sales:session-roster", pk=enrolment.session_id)
    if reason not in ContractEvent.Reason.values:
        reason = ContractEvent.Reason.OTHER
    if enrolment.status == Enrolment.Status.CANCELLED:
        messages.error(request, "Cette inscription est déjà annulée.")
        return redirect("sales:session-roster", pk=enrolment.session_id)
    return render(request, "sales/enrolment_remove.html", {
        "enrolment": enrolment, "reason": reason, "reasons": ContractEvent.Reason.choices,
        "removal": roster.removal_preview(enrolment=enrolment, reason=reason, today=clock.today()),
    })


@tenant_required(*STAFF)
@require_POST
def enrolment_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    enrolment = _enrolment(request, pk)
    target = (TrainingSession.objects.for_organisation(org)
              .filter(pk=_int(request.POST.get("target"))).first())
    if target is None:
        messages.error(request, "Choisissez la session vers laquelle transférer le stagiaire.")
        return redirect("sales:session-roster", pk=enrolment.session_id)
    _move(request, lambda: enrolment_services.session_enrolment_transfer(
        actor=request.user, organisation=org, enrolment=enrolment, target=target),
        f"{enrolment.learner} est transféré(e) à la session du {fr_date(target.start_date)} "
        "(place confirmée).")
    return redirect("sales:session-roster", pk=enrolment.session_id)


@tenant_required(*STAFF)
@require_POST
def enrolment_contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: a draft convention / contrat straight from a roster enrolment."""
    enrolment = _enrolment(request, pk)
    try:
        contract = services.contract_from_enrolment(actor=request.user, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("sales:session-roster", pk=enrolment.session_id)
    messages.success(request, f"{contract} créé(e) en brouillon : complétez-le puis faites-le signer.")
    return redirect("sales:contract-detail", pk=contract.pk)


@tenant_required(*STAFF)
@require_POST
@throttle.per_user("convocations", limit=30, window=600)  # e-mails: 30 sends in 10 minutes
def session_convocations(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        sent = services.session_convocations_send(actor=request.user, session=session,
                                                  uid_host=request.get_host().split(":")[0])
        messages.success(request, f"{sent} convocation(s) envoyée(s) (PDF et invitation .ics).")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("sales:session-roster", pk=pk)
