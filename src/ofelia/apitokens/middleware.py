"""`Authorization: Bearer <token>` on /api/ requests.

Placed after CurrentOrganisationMiddleware: a valid token replaces the session's user,
organisation and membership with the token's (so every router of /api/v1, whatever its
own auth, is scoped to the token's organisation). CSRF protects cookies, not bearer
tokens, so it is not enforced on token requests. A bad token answers 401 at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from .services import api_token_authenticate


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clear = _bearer(request) if request.path.startswith("/api/") else None
        if clear is not None:
            found = api_token_authenticate(clear)
            if found is None:
                response = JsonResponse(
                    {"type": "about:blank", "title": "Jeton invalide", "status": 401,
                     "detail": "Jeton d'API inconnu, révoqué ou sans rôle de gestion dans l'organisme."},
                    status=401, content_type="application/problem+json",
                    json_dumps_params={"ensure_ascii": False},
                )
                response["WWW-Authenticate"] = 'Bearer realm="ofelia"'
                return response
            token, membership = found
            request.user = token.created_by
            request.api_token = token  # type: ignore[attr-defined]
            request.organisation = token.organisation  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.memberships = [membership]  # type: ignore[attr-defined]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
