"""The home pages: the staff's to-do list and figures, each extranet role's home."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.core.tenancy import tenant_required
from ofelia.organisations import selectors as org_selectors
from ofelia.organisations.models import Role

from . import todo


@tenant_required(Role.ADMINISTRATOR, Role.STAFF)
def staff_home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    counts = org_selectors.staff_dashboard_counts(organisation=organisation)
    recent = AuditEntry.objects.for_organisation(organisation).select_related("actor")[:8]
    today = clock.today()
    chart, month_total = todo.month_revenue_chart(organisation=organisation, today=today)
    return render(
        request,
        "core/staff_home.html",
        {"counts": counts, "recent_entries": recent, "today": today,
         "policy": _policy_in_force(organisation, today),
         "todos": todo.staff_todo(organisation=organisation, today=today),
         "month_chart": mark_safe(chart), "month_total": month_total},  # noqa: S308 — built by charts, escaped
    )


def _policy_in_force(organisation: Any, today: Any) -> Any:
    """The organisation's terms version in force today (document title, version), if any."""
    from ofelia.rules.errors import RulesError
    from ofelia.simulator.selectors import policy_versions_for

    if not organisation.policy_id:
        return None
    try:
        versions = policy_versions_for(organisation=organisation, policy_id=organisation.policy_id)
    except RulesError:
        return None
    in_force = [p for p in versions if p.effective_from <= today]
    return in_force[-1] if in_force else None


@tenant_required(Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER)
def extranet_home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    context: dict[str, Any] = {"membership": membership, "today": clock.today()}
    if membership.role == Role.CLIENT_CONTACT and membership.company is not None:
        context["company"] = membership.company
        context["company_learners"] = org_selectors.learner_list(organisation=organisation).filter(
            company=membership.company
        )
    elif membership.role == Role.LEARNER:
        context["learner"] = org_selectors.learner_of_user(
            organisation=organisation, user=request.user
        )
    elif membership.role == Role.CONSUMER:
        context["consumer"] = org_selectors.consumer_client_of_user(
            organisation=organisation, user=request.user
        )
    context.update(_extranet_activity(request, organisation, membership))
    return render(request, f"core/extranet_{membership.role}.html", context)


def _extranet_activity(request: HttpRequest, organisation: Any, membership: Any) -> dict[str, Any]:
    """What the extranet home lists: the member's trainings, or a trainer's coming sessions."""
    from ofelia.catalogue.models import TrainingSession
    from ofelia.sales.selectors import contracts_of_member

    if membership.role == Role.TRAINER:
        sessions = TrainingSession.objects.for_organisation(organisation).filter(
            trainers__membership=membership, end_date__gte=clock.today()
        ).select_related("training").order_by("start_date")[:20]
        return {"trainer_sessions": sessions}
    contracts = contracts_of_member(organisation=organisation, membership=membership, user=request.user)
    return {"my_contracts": contracts.order_by("-start_date")[:5]}
