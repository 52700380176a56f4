"""`/api/v1/classes/{id}/usage`: the metering ledger's door for the provisioning system
(issue 13, item 3), and `/consumption`, what the class costs so far.

Access: the organisation's staff, signed in or through an API token (`Authorization: Bearer
<token>`) scoped to the organisation. Ingest is idempotent on each event's `event_id`; a
batch with one invalid event is refused whole (400, nothing stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from ofelia.apitokens.auth import SESSION_OR_TOKEN
from ofelia.core.problems import problem
from ofelia.organisations.models import STAFF_ROLES

from . import ledger, rules_io, selectors

router = Router(tags=["classes virtuelles"], auth=SESSION_OR_TOKEN)
_ERRORS = {400: dict[str, Any], 403: dict[str, Any], 404: dict[str, Any]}


class UsageEventIn(Schema):
    event_id: str = Field(..., min_length=1, max_length=64)
    machine: str = Field(..., min_length=1, max_length=20)
    kind: Literal["start", "stop", "heartbeat"]
    at: datetime


class UsageIn(Schema):
    events: list[UsageEventIn] = Field(..., max_length=ledger.MAX_BATCH)


class UsageOut(Schema):
    accepted: int
    duplicates: int


class ChargeOut(Schema):
    kind: str
    amount: str
    vat: str
    rule: str
    explanation: str


class ConsumptionOut(Schema):
    final: bool
    machine_hours: str
    total_excl_vat: str
    charges: list[ChargeOut]


def _staff_class(request: HttpRequest, class_id: int) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in STAFF_ROLES:
        return problem(403, "Accès refusé", "Réservé au personnel de l'organisme.")
    klass = selectors.class_get(organisation=request.organisation,  # type: ignore[attr-defined]
                                membership=membership, pk=class_id)
    if klass is None:
        return problem(404, "Introuvable", "Classe virtuelle introuvable.")
    return klass


@router.post("/classes/{class_id}/usage", response={200: UsageOut, **_ERRORS},
             summary="Ajouter des événements au journal de consommation (idempotent par event_id)")
def post_usage(request: HttpRequest, class_id: int, payload: UsageIn) -> Any:
    klass = _staff_class(request, class_id)
    if isinstance(klass, JsonResponse):
        return klass
    try:
        done = ledger.ingest(klass=klass, events=[e.dict() for e in payload.events])
    except ValidationError as exc:
        return problem(400, "Événements refusés", " ; ".join(exc.messages))
    return {"accepted": done.accepted, "duplicates": done.duplicates}


@router.get("/classes/{class_id}/consumption", response={200: ConsumptionOut, **_ERRORS},
            summary="Consommation de la classe selon le journal (définitive après la classe)")
def get_consumption(request: HttpRequest, class_id: int) -> Any:
    klass = _staff_class(request, class_id)
    if isinstance(klass, JsonResponse):
        return klass
    used = rules_io.consumption_of(klass)
    return {"final": used.final, "machine_hours": str(used.machine_hours),
            "total_excl_vat": f"{used.total_excl_vat:.2f}",
            "charges": [{k: c[k] for k in ("kind", "amount", "vat", "rule", "explanation")} for c in used.charges]}
