"""Asks for missing legal data on every staff page: a computation that needs it stops
rather than guess, so the people who can act must see it at once."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ofelia.core import clock
from ofelia.organisations.models import STAFF_ROLES

from .selectors import missing_items


def legal_data_missing(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    is_operator = bool(user is not None and user.is_authenticated and user.is_superuser)
    if not is_operator and (membership is None or membership.role not in STAFF_ROLES):
        return {}
    missing = missing_items(clock.today())
    return {"legal_missing": missing, "legal_operator": is_operator} if missing else {}
