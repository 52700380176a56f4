"""django-ninja auth classes: session cookie OR bearer token (resolved by the middleware).

Routers use `auth=SESSION_OR_TOKEN`; the OpenAPI document then lists both schemes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # ApiTokenMiddleware already checked the token and answered 401 when it is bad.
        return getattr(request, "api_token", None)


SESSION_OR_TOKEN = [ApiTokenAuth(), SessionAuth()]
