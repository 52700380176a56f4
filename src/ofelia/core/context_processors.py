"""Template context for the layout: navigation for the current role and the organisation switcher.

Staff see one line of sections, the larger ones opening a short list (<details>); extranet
members see the few pages of their role. The section holding the current page is marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ofelia.organisations.models import STAFF_ROLES, Role

# (url name, label) for a link; (label, [links]) for a section with a sub-menu.
Entry = tuple[str, str] | tuple[str, list[tuple[str, str]]]


# Apps above core add their own menu entries for a request (an app whose pages depend on the
# organisation's terms, for instance) by registering here from their AppConfig.ready():
# core never imports them. Each provider returns entries for the member, or [].
ACCOUNT = "Mon compte"
MenuProvider = Callable[[HttpRequest, Any], list[Entry]]
_providers: list[MenuProvider] = []


def register_menu(provider: MenuProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def _grouped(entries: list[Entry]) -> list[Entry]:
    """Entries of several apps under one label become one short list, so that the menu stays
    on one line: « Classes virtuelles » (hosting) and its « Disponibilité » (availability)."""
    merged: list[Entry] = []
    at: dict[str, int] = {}
    for first, second in entries:
        label, items = (first, list(second)) if isinstance(second, list) else (second, [(first, second)])
        if label in at:
            kept_first, kept_second = merged[at[label]]
            kept = list(kept_second) if isinstance(kept_second, list) else [(kept_first, kept_second)]
            merged[at[label]] = (label, kept + items)
        else:
            at[label] = len(merged)
            merged.append((first, second))
    return merged


def _with_extensions(entries: list[Entry], request: HttpRequest, membership: Any) -> list[Entry]:
    """The registered entries go before « Paramètres » (staff) or « Mon compte » (extranet)."""
    extra = _grouped([entry for provider in _providers for entry in provider(request, membership)])
    if not extra:
        return entries
    # (the menu keeps one line at 1280 px: Simulation and Support live in the short lists)
    anchors = [i for i, (first, _second) in enumerate(entries) if str(first) in (str(_("Settings")), ACCOUNT)]
    at = anchors[0] if anchors else len(entries)
    return entries[:at] + extra + entries[at:]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _staff_menu(role: str) -> list[Entry]:
    settings = [
        ("member-list", _("Users")),
        ("invitation-list", "Invitations"),
        ("apitokens:list", _("API tokens")),
        ("sales:access-links", _("Access links")),
        ("simulator:index", _("Simulation")),
        ("simulator:policies", _("Terms policies")),
    ]
    if role == Role.ADMINISTRATOR:
        settings.insert(0, ("organisation-settings", "Organisme (coordonnées, banque)"))
        settings.append(("audit-log", _("Audit log")))
        settings.append(("notifications:templates", "Courriels"))
    settings.append(("notifications:mine-staff", "Mes notifications"))
    return [
        ("staff-home", _("Dashboard")),
        (_("Catalogue"), [
            ("catalogue:training-list", _("Trainings")),
            ("sales:session-list", _("Sessions")),
            ("catalogue:trainer-list", _("Trainers")),
            ("elearning:course-list", "Parcours en ligne"),
            ("catalogue:review-list", "Avis"),
            ("attendance:staff-sessions", "Émargement"),
            ("surveys:questionnaires", "Questionnaires"),
        ]),
        (_("Sales"), [
            ("sales:pipeline", _("Quotes and contracts")),
            ("sales:quote-list", "Liste des devis"),
            ("sales:contract-list", "Liste des conventions et contrats"),
            ("sales:quote-create", _("New quote")),
            ("sales:order-list", "Commandes en ligne"),
        ]),
        (_("Billing"), [
            ("billing:invoice-list", _("Invoices")),
            ("billing:receivables", _("Receivables")),
            ("billing:revenue", _("Revenue")),
        ]),
        (_("Clients"), [
            ("client-company-list", _("Client companies")),
            ("consumer-client-list", _("Consumer clients")),
            ("learner-list", _("Learners")),
            ("people-import", "Importer (CSV)"),
            ("person-duplicates", "Doublons"),
            ("privacy:request-list", "Données personnelles"),
            ("support:queue", "Support (tickets)"),
        ]),
        ("Qualité", [("quality:bpf", "Bilan pédagogique et financier")] + ([("quality:qualiopi", "Dossier Qualiopi"), ("quality:complaints", "Réclamations"), ("quality:actions", "Actions d'amélioration")] if role == Role.ADMINISTRATOR else [])),
        (_("Settings"), settings),
    ]


def _extranet_menu(role: str) -> list[Entry]:
    """The role's pages on one line at 1280 px: its documents (when more than one kind) and
    its account settings open as short lists, like the staff sections."""
    items: list[Entry] = [("extranet-home", _("My space"))]
    if role == Role.TRAINER:
        items.append(("attendance:trainer-sheets", "Émargement"))
        items.append(("elearning:trainer-evaluations", "Évaluations"))
        items.append(("documents:mine", "Mes documents"))
    if role != Role.TRAINER:
        items.append(("sales:my-trainings", _("My trainings")))
    documents: list[tuple[str, str]] = []
    if role in (Role.LEARNER, Role.CONSUMER):
        items.append(("elearning:my-courses", "Mes parcours en ligne"))
        documents.append(("attendance:my-attendance", "Mes attestations"))
    if role in (Role.CLIENT_CONTACT, Role.CONSUMER):
        documents.append(("sales:my-quotes", "Mes devis"))
        documents.append(("billing:my-invoices", _("My invoices")))
    if len(documents) > 1:
        items.append(("Mes documents", documents))
    else:
        items.extend(documents)
    if role == Role.CLIENT_CONTACT:
        items.append(("support:my-tickets", "Support"))
    # What the person tells the organisation: reviews, questionnaires, complaints.
    feedback: list[tuple[str, str]] = []
    if role in (Role.LEARNER, Role.CONSUMER):
        feedback.append(("catalogue:my-reviews", "Mes avis"))
    feedback.append(("surveys:mine", "Mes questionnaires"))
    if role in (Role.CLIENT_CONTACT, Role.CONSUMER):
        feedback.append(("quality:my-complaints", "Réclamations"))
    if len(feedback) > 1:
        items.append(("Donner mon avis", feedback))
    else:
        items.extend(feedback)
    items.append((ACCOUNT, [("notifications:mine", "Mes notifications"), ("privacy:my-data", "Mes données")]))
    return items


# Homes own only their exact address: /gestion/sessions/… is not the dashboard.
EXACT_ONLY = frozenset({"staff-home", "extranet-home"})


def _link(name: str, label: str, path: str) -> dict[str, Any] | None:
    url = _url(name)
    if url is None:
        return None
    current = path == url or (name not in EXACT_ONLY and url != "/" and path.startswith(url))
    return {"url": url, "label": label, "current": current, "children": []}


def build_menu(entries: list[Entry], path: str) -> list[dict[str, Any]]:
    """Entries resolved to links; a section is current when one of its links is. Among
    links sharing a prefix (/gestion/ and /gestion/catalogue/), only the longest is current."""
    menu: list[dict[str, Any]] = []
    for first, second in entries:
        if isinstance(second, list):
            children = [x for x in (_link(n, lbl, path) for n, lbl in second) if x is not None]
            if children:
                menu.append({"url": None, "label": first, "children": children, "current": False})
        else:
            item = _link(first, second, path)
            if item is not None:
                menu.append(item)
    links = [x for item in menu for x in (item["children"] or [item])]
    best = max((x for x in links if x["current"]), key=lambda x: len(x["url"]), default=None)
    for x in links:
        x["current"] = x is best
    for item in menu:
        if item["children"]:
            item["current"] = any(x["current"] for x in item["children"])
    return menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    entries: list[Entry] = []
    if membership is not None:
        entries = _staff_menu(membership.role) if membership.role in STAFF_ROLES else _extranet_menu(membership.role)
        entries = _with_extensions(entries, request, membership)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        entries.append(("legal:data", "Données légales"))
        entries.append(("admin:index", _("Platform administration")))
    return {
        "nav_items": build_menu(entries, request.path),
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
    }
