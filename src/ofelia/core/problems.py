"""Problem documents (RFC 9457, `application/problem+json`) in French, and the JSON body
reader of the API: every refusal names the field, a bad body is a 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja.parser import Parser

PROBLEM = "application/problem+json"
# Deeper than this, a JSON body is not a business document (the simulate case is 3 deep).
MAX_JSON_DEPTH = 32


def problem(status: int, title: str, detail: str, field: str | None = None,
            **more: Any) -> JsonResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if field is not None:
        body["field"] = field
    body.update(more)
    return JsonResponse(body, status=status, content_type=PROBLEM,
                        json_dumps_params={"ensure_ascii": False})


class BodyRejected(ValueError):
    """A JSON body refused before any schema sees it; `field` is the dotted path."""

    def __init__(self, detail: str, field: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


def _path(parts: list[Any]) -> str:
    return ".".join(str(p) for p in parts)


def check_json(data: Any) -> Any:
    """Refuses NUL characters (PostgreSQL cannot store them) and absurd nesting, iteratively."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise BodyRejected(f"JSON trop imbriqué : {MAX_JSON_DEPTH} niveaux au plus.",
                               _path(path[:MAX_JSON_DEPTH]))
        if isinstance(value, str):
            if "\x00" in value:
                raise BodyRejected("Le texte contient un caractère nul (\\0), refusé.", _path(path))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise BodyRejected("Un nom de champ contient un caractère nul (\\0).", _path(path))
                stack.append((item, [*path, key]))
        elif isinstance(value, list):
            stack.extend((item, [*path, i]) for i, item in enumerate(value))
    return data


def parse_json_body(raw: bytes) -> Any:
    """JSON without NUL characters nor absurd nesting (the simulate case, read as a whole)."""
    return check_json(parse_json(raw))


def parse_json(raw: bytes) -> Any:
    """JSON, or BodyRejected (not JSON, or too deep for the parser)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BodyRejected(f"JSON trop imbriqué : {MAX_JSON_DEPTH} niveaux au plus.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BodyRejected(f"JSON mal formé : {exc}.") from None


class JsonParser(Parser):
    """django-ninja's body parser: a body too deep is refused. NUL characters are refused by
    the schemas' text types (ofelia.core.validators), field by field; unknown fields are
    ignored, whatever they hold."""

    def parse_body(self, request: HttpRequest) -> Any:
        return parse_json(request.body)
