"""« Disponibilité » in the menu of organisations whose terms offer hosted virtual classes."""

from __future__ import annotations

from typing import Any

from ofelia.core import clock
from ofelia.hosting.rules_io import policy_at
from ofelia.organisations.models import Role


def menu_entries(request: Any, membership: Any) -> list[Any]:
    organisation = getattr(request, "organisation", None)
    if organisation is None or policy_at(organisation, clock.now()) is None:
        return []
    if membership.role in (Role.ADMINISTRATOR, Role.STAFF):
        return [("Classes virtuelles", [("availability:report", "Disponibilité")])]
    if membership.role == Role.CLIENT_CONTACT and membership.company_id is not None:
        return [("Classes virtuelles", [("availability:my-report", "Disponibilité")])]
    return []
