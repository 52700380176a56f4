"""Access checks for tenant pages: a membership in the current organisation, with a role."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def no_membership_response(request: HttpRequest) -> HttpResponse:
    """A signed-in user who belongs to no organisation gets an explanation, not a crash."""
    return render(request, "core/no_membership.html", status=403)


def check_access(request: HttpRequest, roles: Iterable[str] | None) -> HttpResponse | None:
    """None when allowed; otherwise the response to send instead."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = getattr(request, "membership", None)
    if membership is None:
        return no_membership_response(request)
    if roles is not None and membership.role not in set(roles):
        raise PermissionDenied
    return None


def tenant_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """`@tenant_required()` for any member, `@tenant_required("administrator", "staff")` for roles."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = check_access(request, roles or None)
            if refused is not None:
                return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class TenantRequiredMixin:
    """Class-based views: set `allowed_roles` (empty means any member)."""

    allowed_roles: Iterable[str] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = check_access(request, tuple(self.allowed_roles) or None)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
