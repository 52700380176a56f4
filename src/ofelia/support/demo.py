"""Demo tickets for the organisations whose terms state SUP-1 (VIRTUALEO): one resolved
ticket whose take-charge came late (a breach on the staff report), one still open. Created
once; the steps are dated in the past through the project clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from ofelia.core import clock
from ofelia.organisations.models import Membership, Organisation, Role

from . import rules_io, services
from .models import Ticket


def _last_weekday_morning(before: datetime, days_back: int) -> datetime:
    day = (before - timedelta(days=days_back)).replace(hour=10, minute=0, second=0, microsecond=0)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def load_support(organisation: Organisation) -> int:
    """The number of tickets created (0 when the terms state no SUP-1 or tickets exist)."""
    policy = rules_io.policy_at(organisation, clock.now())
    if policy is None or policy.clause("SUP-1") is None:
        return 0
    if Ticket.objects.for_organisation(organisation).exists():
        return 0
    contact = (Membership.objects.filter(organisation=organisation, role=Role.CLIENT_CONTACT,
                                         is_active=True, company__isnull=False)
               .select_related("user").first())
    staff = (Membership.objects.filter(organisation=organisation, role=Role.STAFF)
             .select_related("user").first())
    if contact is None or staff is None:
        return 0
    now = clock.now()
    opened = _last_weekday_morning(now, 35)
    with clock.frozen(opened):
        late = services.ticket_open(actor=contact.user, organisation=organisation, membership=contact,
                                    priority="important", subject="Export des présences impossible",
                                    description="Le bouton d'export reste sans effet depuis ce matin.",
                                    notify=False)
    with clock.frozen(opened + timedelta(hours=2)):  # the 1 business hour was missed
        services.ticket_step(actor=staff.user, organisation=organisation, ticket_id=late.pk, step="take",
                             notify=False)
    with clock.frozen(opened + timedelta(hours=3)):
        services.ticket_step(actor=staff.user, organisation=organisation, ticket_id=late.pk,
                             step="resolve", note="Correctif déployé ; l'export fonctionne.", notify=False)
    with clock.frozen(_last_weekday_morning(now, 1)):
        services.ticket_open(actor=contact.user, organisation=organisation, membership=contact,
                             priority="minor", subject="Question sur la facturation du stockage",
                             description="Le stockage avant la formation est-il facturé ?", notify=False)
    return 2
