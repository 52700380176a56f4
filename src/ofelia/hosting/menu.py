"""« Classes virtuelles » in the menu of organisations whose terms offer them (VCL-2)."""

from __future__ import annotations

from typing import Any

from ofelia.core import clock
from ofelia.organisations.models import Role

from . import rules_io


def menu_entries(request: Any, membership: Any) -> list[Any]:
    organisation = getattr(request, "organisation", None)
    if organisation is None or rules_io.policy_at(organisation, clock.now()) is None:
        return []
    if membership.role in (Role.ADMINISTRATOR, Role.STAFF):
        return [("hosting:classes", "Classes virtuelles")]
    if membership.role == Role.CLIENT_CONTACT:
        return [("hosting:my-classes", "Classes virtuelles")]
    return []
