"""ORM rows ⇄ the rules core: a ticket becomes the `ticket` case of SIMULATION.md.

The desk and `ofelia simulate` go through the same door (`simulate_for`, the organisation's
own policy versions first): the deadlines stored on a ticket are the `deadlines` of the
simulation of the same case, and its breaches are the simulation's `breaches`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import Policy, version_in_force
from ofelia.rules.tickets import PARIS
from ofelia.simulator.selectors import policy_versions_for, simulate_for

from .models import Ticket

DEADLINE_FIELDS = ("take_charge_by", "workaround_by", "resolution_by")


def policy_at(organisation: Any, on: datetime) -> Policy | None:
    """The organisation's policy version in force on the declaration day (None: no policy)."""
    if not organisation.policy_id:
        return None
    try:
        versions = policy_versions_for(organisation=organisation, policy_id=organisation.policy_id)
        return version_in_force(versions, on.astimezone(PARIS).date())
    except PolicyError:
        return None


def ticket_case(*, policy_id: str, policy_version: str, priority: str, opened_at: datetime,
                events: Sequence[tuple[str, datetime]] = (), as_of: datetime | None = None,
                ) -> dict[str, Any]:
    """The `ticket` case a person would type in `ofelia simulate`."""
    case: dict[str, Any] = {
        "case": "ticket", "policy": policy_id, "policy_version": policy_version,
        "ticket": {"priority": priority, "opened_at": opened_at.astimezone(PARIS).isoformat()},
        "events": [{"type": kind, "at": at.astimezone(PARIS).isoformat()} for kind, at in events],
    }
    if as_of is not None:
        case["as_of"] = as_of.astimezone(PARIS).isoformat()
    return case


def ticket_events(ticket: Ticket) -> list[tuple[str, datetime]]:
    steps = (("taken", ticket.taken_at), ("workaround", ticket.workaround_at),
             ("resolved", ticket.resolved_at))
    return [(kind, at) for kind, at in steps if at is not None]


def case_of(ticket: Ticket, *, as_of: datetime) -> dict[str, Any]:
    return ticket_case(policy_id=ticket.policy_id, policy_version=ticket.policy_version,
                       priority=ticket.priority, opened_at=ticket.opened_at,
                       events=ticket_events(ticket), as_of=as_of)


def outcome_of(ticket: Ticket, *, as_of: datetime) -> dict[str, Any] | None:
    """The simulation's outcome for this ticket as of `as_of` (None: no SUP-1 terms)."""
    if not ticket.policy_id:
        return None
    return simulate_for(organisation=ticket.organisation, case=case_of(ticket, as_of=as_of),
                        today=as_of.date())


def deadlines_for(*, organisation: Any, policy: Policy, priority: str,
                  opened_at: datetime) -> dict[str, datetime | None]:
    """SUP-1's deadlines of a new ticket, read from the simulation of its case."""
    outcome = simulate_for(organisation=organisation, today=opened_at.date(), case=ticket_case(
        policy_id=policy.id, policy_version=policy.version, priority=priority,
        opened_at=opened_at, as_of=opened_at))
    deadlines = outcome.get("deadlines", {})
    return {name: datetime.fromisoformat(deadlines[name]) if name in deadlines else None
            for name in DEADLINE_FIELDS}


def breaches_of(ticket: Ticket, *, as_of: datetime) -> list[dict[str, Any]]:
    """SUP-2: the deadlines missed, as the core says (by the steps, or by `as_of`)."""
    outcome = outcome_of(ticket, as_of=as_of)
    return list(outcome.get("breach_details", [])) if outcome else []
