"""A client's month ⇄ the `availability` case of SIMULATION.md (VCL-7), evaluated by the
core through the simulator's one door (`outcome_for`, the organisation's own policy versions
first), exactly as `ofelia simulate` evaluates the same JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ofelia.core import clock
from ofelia.rules.classrooms import month_span
from ofelia.rules.policy import Policy
from ofelia.simulator.selectors import outcome_for, policy_source_for


@dataclass(frozen=True)
class Interruption:
    """One incident as the core reads it (`to` already bounded by « now » if still open)."""

    start: datetime
    end: datetime
    cause: str
    announced_at: datetime | None = None


def _iso(instant: datetime) -> str:
    return instant.astimezone(clock.PARIS).isoformat()


def month_case(*, policy_id: str, month: date, services_amount: Decimal,
               incidents: Iterable[Interruption]) -> dict[str, Any]:
    """The case a person would type in `ofelia simulate` for this client's month."""
    items: list[dict[str, Any]] = []
    for i in sorted(incidents, key=lambda x: (x.start, x.end)):
        item = {"from": _iso(i.start), "to": _iso(i.end), "cause": i.cause}
        if i.cause == "maintenance" and i.announced_at is not None:
            item["announced_at"] = _iso(i.announced_at)
        items.append(item)
    return {"case": "availability", "policy": policy_id, "month": f"{month:%Y-%m}",
            "services_amount": f"{services_amount:.2f}", "incidents": items}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in Europe/Paris as instants (the core's own span)."""
    return month_span(month.year, month.month)


def interruption_of(*, start: datetime, end: datetime | None, cause: str, announced_at: datetime | None,
                    now: datetime) -> Interruption | None:
    """What has happened by « now »: an incident still open counts until now, a window still
    to come (a maintenance announced for later) counts nothing yet."""
    stop = min(end, now) if end is not None else now
    if stop <= start:
        return None
    return Interruption(start, stop, cause, announced_at)


def cached_source(organisation: Any) -> Callable[[str], Sequence[Policy]]:
    """The organisation's policy versions read once for a whole report (1 000 clients)."""
    source = policy_source_for(organisation=organisation)
    seen: dict[str, Sequence[Policy]] = {}

    def versions(policy_id: str) -> Sequence[Policy]:
        if policy_id not in seen:
            seen[policy_id] = source(policy_id)
        return seen[policy_id]

    return versions


def evaluate(*, organisation: Any, case: dict[str, Any], today: date,
             source: Callable[[str], Sequence[Policy]] | None = None, legal: Any = None) -> Any:
    """The core's typed outcome for the case (the same evaluation as `ofelia simulate`)."""
    return outcome_for(organisation=organisation, case=case, today=today, source=source, legal=legal)
