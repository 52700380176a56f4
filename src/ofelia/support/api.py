"""`/api/v1/tickets`: the support desk (SUP-1, SUP-2) for scripts and the client's tools.

Access: a member of the organisation, signed in (session cookie, CSRF token on writes) or
through an API token (`Authorization: Bearer <token>`), which scopes every call to the
token's organisation. A client contact (the client's administrator, SUP-2) sees and opens
the tickets of their company; staff see every ticket of the organisation and record the
steps. The deadlines are those of `ofelia simulate` for the same `ticket` case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema, Status

from ofelia.apitokens.auth import SESSION_OR_TOKEN
from ofelia.core import clock
from ofelia.organisations.models import STAFF_ROLES

from . import rules_io, selectors, services
from .models import Ticket

router = Router(tags=["support"], auth=SESSION_OR_TOKEN)
PROBLEM = "application/problem+json"
_ERRORS = {400: dict[str, Any], 403: dict[str, Any], 404: dict[str, Any]}


def _problem(status: int, title: str, detail: str, **more: Any) -> JsonResponse:
    return JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail,
                         **more}, status=status, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})


def _refused(exc: ValidationError, title: str) -> JsonResponse:
    fields = getattr(exc, "error_dict", None)
    if fields:
        name, errors = next(iter(fields.items()))
        return _problem(400, title, " ".join(e.messages[0] for e in errors), field=name)
    return _problem(400, title, " ".join(exc.messages))


class TicketIn(Schema):
    priority: str
    subject: str
    description: str


class StepIn(Schema):
    step: str
    note: str = ""


class TicketOut(Schema):
    id: int
    company: str
    priority: str
    subject: str
    description: str
    status: str
    opened_at: datetime
    policy: str
    policy_version: str
    take_charge_by: datetime | None
    workaround_by: datetime | None
    resolution_by: datetime | None
    taken_at: datetime | None
    workaround_at: datetime | None
    workaround: str
    resolved_at: datetime | None
    resolution: str
    breaches: list[str]


def _out(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk, "company": str(ticket.company), "priority": ticket.priority,
        "subject": ticket.subject, "description": ticket.description, "status": ticket.status_label,
        "opened_at": ticket.opened_at, "policy": ticket.policy_id,
        "policy_version": ticket.policy_version,
        **{f: getattr(ticket, f) for f in ("take_charge_by", "workaround_by", "resolution_by",
                                           "taken_at", "workaround_at", "workaround",
                                           "resolved_at", "resolution")},
        "breaches": [b["deadline"] for b in rules_io.breaches_of(ticket, as_of=clock.now())],
    }


def _membership(request: HttpRequest) -> Any:
    return getattr(request, "membership", None)


@router.get("/tickets", response={200: list[TicketOut], **_ERRORS},
            summary="Tickets visibles : ceux de votre entreprise (client) ou de l'organisme (personnel)")
def list_tickets(request: HttpRequest, open_only: bool = False, limit: int = 100,
                 offset: int = 0) -> Any:
    membership = _membership(request)
    if membership is None:
        return _problem(403, "Accès refusé", "Réservé aux membres de l'organisme.")
    qs = selectors.visible_tickets(organisation=request.organisation,  # type: ignore[attr-defined]
                                   membership=membership)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    limit = max(1, min(limit, 500))
    return [_out(t) for t in qs[max(0, offset):max(0, offset) + limit]]


@router.post("/tickets", response={201: TicketOut, **_ERRORS},
             summary="Déclarer un ticket (administrateur du client, SUP-2) ; délais SUP-1 en heures ouvrées")
def create_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    membership = _membership(request)
    if not services.may_open_tickets(membership):
        return _problem(403, "Accès refusé", "Seuls les administrateurs du client (contacts de "
                        "l'entreprise cliente) déclarent des tickets (SUP-2).")
    try:
        ticket = services.ticket_open(actor=request.user, organisation=request.organisation,  # type: ignore[attr-defined]
                                      membership=membership, priority=payload.priority,
                                      subject=payload.subject, description=payload.description)
    except ValidationError as exc:
        return _refused(exc, "Ticket refusé")
    return Status(201, _out(ticket))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **_ERRORS},
            summary="Un ticket, ses délais, ses étapes et ses manquements")
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    ticket = selectors.ticket_get(organisation=request.organisation,  # type: ignore[attr-defined]
                                  membership=_membership(request), pk=ticket_id)
    if ticket is None:
        return _problem(404, "Introuvable", "Ticket introuvable.")
    return _out(ticket)


@router.post("/tickets/{ticket_id}/steps", response={200: TicketOut, **_ERRORS},
             summary="Personnel : prendre en charge (take), contourner (workaround), résoudre (resolve)")
def record_step(request: HttpRequest, ticket_id: int, payload: StepIn) -> Any:
    membership = _membership(request)
    if membership is None or membership.role not in STAFF_ROLES:
        return _problem(403, "Accès refusé", "Réservé à l'administration de l'organisme.")
    if selectors.ticket_get(organisation=request.organisation, membership=membership,  # type: ignore[attr-defined]
                            pk=ticket_id) is None:
        return _problem(404, "Introuvable", "Ticket introuvable dans cet organisme.")
    try:
        ticket = services.ticket_step(actor=request.user, organisation=request.organisation,  # type: ignore[attr-defined]
                                      ticket_id=ticket_id, step=payload.step, note=payload.note)
    except ValidationError as exc:
        return _refused(exc, "Étape refusée")
    return _out(ticket)
