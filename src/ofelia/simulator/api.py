"""`POST /api/v1/simulate`: a case in, the outcome out, or a problem document naming the field.

Access: a signed-in user (session cookie, CSRF token on POST) who is administrator or
administrative staff of the current organisation. The organisation's own policy versions
apply, then the shipped example policies.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router
from ninja.security import SessionAuth

from ofelia.core import clock
from ofelia.core.problems import BodyRejected, parse_json_body
from ofelia.organisations.models import STAFF_ROLES
from ofelia.rules.errors import RulesError

from . import selectors

router = Router(tags=["simulation"])

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, field: str | None = None, **more: Any) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "field": field, **more}
    return JsonResponse(body, status=status, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})


CASE_SCHEMA = {
    "type": "object",
    "required": ["case", "policy"],
    "properties": {
        "case": {"type": "string", "enum": ["training", "learning", "virtual_class", "ticket",
                                            "availability", "account", "terms_change"]},
        "policy": {"type": "string", "example": "dixneuf"},
        "policy_version": {"type": "string"},
        "as_of": {"type": "string", "description": "AAAA-MM-JJ ou instant ISO 8601 avec décalage"},
    },
    "additionalProperties": True,
}


@router.post(
    "/simulate",
    auth=SessionAuth(),
    summary="Évaluer un cas selon une politique",
    description="Le cas JSON de SIMULATION.md ; réponse : échéances, frais, remboursements, "
                "pénalités, chacun avec sa règle et son explication.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": CASE_SCHEMA}}},
        "responses": {
            "200": {"description": "Résultat de la simulation"},
            "400": {"description": "Cas invalide (document problème, `field` nomme le champ)"},
            "403": {"description": "Réservé à l'administration de l'organisme"},
            "422": {"description": "Donnée légale manquante ou politique inutilisable"},
        },
    },
)
def simulate(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in STAFF_ROLES:
        return problem(403, "Accès refusé",
                       "La simulation est réservée à l'administration de l'organisme.")
    try:
        case = parse_json_body(request.body or b"null")
    except BodyRejected as exc:
        return problem(400, "Cas invalide", exc.detail, exc.field)
    try:
        return JsonResponse(
            selectors.simulate_for(organisation=request.organisation,  # type: ignore[attr-defined]
                                   case=case, today=clock.today()),
            json_dumps_params={"ensure_ascii": False},
        )
    except RulesError as exc:
        doc = selectors.problem_for(exc)
        return JsonResponse(doc, status=doc["status"], content_type=PROBLEM,
                            json_dumps_params={"ensure_ascii": False})
