"""Demo virtual classes for the organisations whose terms offer them (VIRTUALEO): one class in
two weeks, ordered by the client's administrator, still free to change. Created once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ofelia.core import clock
from ofelia.organisations.models import Membership, Organisation, Role

from . import rules_io, services
from .models import VirtualClass


def load_hosting(organisation: Organisation) -> int:
    """The number of classes created (0 when the terms offer none or classes exist)."""
    if rules_io.policy_at(organisation, clock.now()) is None:
        return 0
    if VirtualClass.objects.for_organisation(organisation).exists():
        return 0
    contact = (Membership.objects.filter(organisation=organisation, role=Role.CLIENT_CONTACT, is_active=True,
                                         company__isnull=False).select_related("user", "company").first())
    if contact is None:
        return 0
    day = (clock.now() + timedelta(days=14)).astimezone(clock.PARIS).date()
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=clock.PARIS)
    services.class_order(actor=contact.user, organisation=organisation, membership=contact, company=contact.company,
                         data={"title": "Docker et Kubernetes — atelier", "mode": "scheduled", "start": start,
                               "days": 3, "daily_hours": Decimal("9"), "learners": 12, "software": "development",
                               "custom_configuration": ""})
    return 1
