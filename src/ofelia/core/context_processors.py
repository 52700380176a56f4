"""Template context for the layout: navigation for the current role and the organisation switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ofelia.organisations.models import STAFF_ROLES, Role


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    items: list[tuple[str | None, str]] = []
    if membership is not None:
        if membership.role in STAFF_ROLES:
            items = [
                (_url("staff-home"), _("Dashboard")),
                (_url("client-company-list"), _("Client companies")),
                (_url("consumer-client-list"), _("Consumer clients")),
                (_url("learner-list"), _("Learners")),
                (_url("member-list"), _("Users")),
                (_url("simulator:index"), _("Simulation")),
                (_url("sales:pipeline"), "Ventes"),
                (_url("sales:session-list"), "Sessions"),
                (_url("billing:invoice-list"), "Factures"),
                (_url("billing:receivables"), "Créances"),
                (_url("billing:revenue"), "Chiffre d'affaires"),
            ]
            if membership.role == Role.ADMINISTRATOR:
                items.append((_url("audit-log"), _("Audit log")))
        else:
            items = [(_url("extranet-home"), _("My space"))]
            if membership.role != Role.TRAINER:
                items.append((_url("sales:my-trainings"), "Mes formations"))
            if membership.role in (Role.CLIENT_CONTACT, Role.CONSUMER):
                items.append((_url("billing:my-invoices"), "Mes factures"))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        items.append((_url("admin:index"), _("Platform administration")))
    path = request.path
    nav = [
        {"url": url, "label": label, "current": url is not None and (path == url or (url != "/" and path.startswith(url)))}
        for url, label in items
        if url is not None
    ]
    return {
        "nav_items": nav,
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
    }
