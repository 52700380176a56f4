"""The REST API (`/api/v1`). Each app adds its router here.

Every refusal is a French problem document (`application/problem+json`) naming the field:
422 for a value the schema refuses, 400 for a body that is not JSON, 401 without a session
or token, 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE; a value the database cannot hold
is a 400, never a 500.
"""

from __future__ import annotations

import logging
from decimal import DecimalException
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ofelia.core.problems import PROBLEM, BodyRejected, JsonParser, problem

logger = logging.getLogger(__name__)

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string", "description": "Le refus en quelques mots (français)"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Ce qui est refusé et pourquoi"},
        "field": {"type": ["string", "null"], "description": "Le champ en cause (chemin pointé)"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "rule": {"type": "string", "description": "La règle des conditions générales"},
    },
    "additionalProperties": True,
}
# Answers every operation may give, besides its own (all as problem documents).
COMMON_ANSWERS = {
    "400": "Corps illisible (pas du JSON, trop imbriqué, caractère nul) ou valeur hors limites",
    "401": "Ni session ni jeton d'API valide",
    "405": "Méthode non prise en charge par cette adresse",
    "413": "Corps de requête trop volumineux (1 Mo au plus)",
    "422": "Valeur refusée par le schéma ; `field` nomme le champ",
}


class OfeliaAPI(NinjaAPI):
    """The schema tells the truth: every refusal is `application/problem+json`."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem_content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                # ninja keys its own answers by int: one spelling, so that none is doubled.
                answers = operation["responses"] = {str(k): v for k, v in
                                                    operation["responses"].items()}
                for code, text in COMMON_ANSWERS.items():
                    answers.setdefault(code, {"description": text})
                for code, answer in answers.items():
                    if code.startswith(("4", "5")):
                        answer["content"] = problem_content
        return schema


api = OfeliaAPI(
    title="Ofelia API",
    version="1",
    description="API d'Ofelia : simulation, ventes, facturation. Chaque montant cite sa clause. "
                "Toute erreur est un document problème (application/problem+json) en français "
                "dont `field` nomme le champ.",
    urls_namespace="api",
    parser=JsonParser(),
)

# pydantic's error types, said in French; the context fills the bounds.
MESSAGES = {
    "missing": "champ obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "decimal_parsing": "nombre décimal attendu",
    "decimal_type": "nombre décimal attendu",
    "float_parsing": "nombre attendu",
    "finite_number": "nombre fini attendu",
    "decimal_max_digits": "nombre trop grand ({max_digits} chiffres au plus)",
    "decimal_whole_digits": "nombre trop grand ({whole_digits} chiffres avant la virgule au plus)",
    "decimal_max_places": "{decimal_places} décimales au plus",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "date attendue au format AAAA-MM-JJ",
    "date_type": "date attendue au format AAAA-MM-JJ",
    "string_type": "texte attendu",
    "string_too_long": "texte trop long ({max_length} caractères au plus)",
    "string_too_short": "texte trop court ({min_length} caractères au moins)",
    "too_long": "trop d'éléments ({max_length} au plus)",
    "too_short": "pas assez d'éléments ({min_length} au moins)",
    "bool_parsing": "booléen attendu (true ou false)",
    "bool_type": "booléen attendu (true ou false)",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "model_type": "objet attendu",
    "literal_error": "valeur non prévue ({expected})",
    "enum": "valeur non prévue ({expected})",
    "extra_forbidden": "champ inconnu",
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
        # A body parameter is named by the view (`payload`, `body`): not the client's field.
        if loc[0] == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(str(p) for p in parts)


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = MESSAGES.get(kind)
    if template is None:
        return "valeur invalide"
    try:
        return template.format(**{k: str(v) for k, v in (error.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template.split(" (")[0]


@api.exception_handler(ValidationError)
def invalid_values(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(e.get("loc", ())), "detail": _message(e)} for e in exc.errors]
    first = errors[0] if errors else {"field": "", "detail": "valeur invalide"}
    detail = "; ".join(f"« {e['field']} » : {e['detail']}" if e["field"] else e["detail"]
                       for e in errors)
    return problem(422, "Données invalides", detail, first["field"],
                   errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(401, "Authentification requise",
                       "Connectez-vous (cookie de session) ou présentez un jeton d'API "
                       "(Authorization: Bearer …).")
    response["WWW-Authenticate"] = 'Bearer realm="ofelia"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyRejected):
        return problem(400, "Corps de requête refusé", cause.detail, cause.field)
    if exc.status_code == 400:
        return problem(400, "Corps de requête illisible", "Le corps doit être un document JSON.", "")
    return problem(exc.status_code, "Requête refusée", str(exc))


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(413, "Requête trop volumineuse",
                   "Le corps de la requête dépasse la taille admise (1 Mo).", "")


@api.exception_handler(ValueError)
@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
@api.exception_handler(DecimalException)
@api.exception_handler(RecursionError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bound missing from a schema: refused, logged so that the schema gets its bound.
    logger.warning("API value out of range on %s: %r", request.path, exc)
    return problem(400, "Valeur hors limites",
                   "Une valeur de la requête dépasse ce que l'application peut enregistrer.")


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path)
    return problem(500, "Erreur du serveur",
                   "Une erreur inattendue s'est produite ; elle a été enregistrée et rien n'a "
                   "été modifié à moitié.")


from ofelia.simulator.api import router as simulator_router  # noqa: E402

api.add_router("/", simulator_router)

from ofelia.sales.api import router as sales_router  # noqa: E402

api.add_router("/", sales_router)

from ofelia.billing.api import router as billing_router  # noqa: E402

api.add_router("/", billing_router)

from ofelia.support.api import router as support_router  # noqa: E402

api.add_router("/", support_router)

from ofelia.hosting.api import router as hosting_router  # noqa: E402

api.add_router("/", hosting_router)
