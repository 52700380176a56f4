"""Support tickets (RULES.md SUP-1, SUP-2; V art. 7.3), case "ticket" of SIMULATION.md.

Deadlines run in business hours (CAL-5) from the ticket's declaration; their durations
per priority are policy data (`[rules.SUP-1.priorities.<priority>]`, whole minutes).
A deadline is breached (SUP-2) when its event came after it, or when the event has not
happened and the evaluation instant is past it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ofelia.rules.calendars import (
    PARIS,
    BusinessHours,
    Calendar,
    add_business_time,
    calendar_for_region,
)
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.french import fr_instant
from ofelia.rules.legal import LegalData
from ofelia.rules.outcome import Breach, Outcome
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.validation import array, join, obj, reject_unknown, req_enum, req_instant

PRIORITIES = ("critical", "important", "minor")
EVENT_TYPES = ("taken", "workaround", "resolved")
_COMMON = ("case", "policy", "policy_version", "as_of")


@dataclass(frozen=True)
class DeadlineKind:
    name: str  # outcome deadline name
    param: str  # SUP-1 priority parameter (minutes)
    met_by: tuple[str, ...]  # events that meet it: a later stage implies the earlier ones
    label: str  # French


DEADLINE_KINDS = (
    DeadlineKind("take_charge_by", "take_charge_minutes", ("taken", "workaround", "resolved"),
                 "prise en charge"),
    DeadlineKind("workaround_by", "workaround_minutes", ("workaround", "resolved"),
                 "solution de contournement"),
    DeadlineKind("resolution_by", "resolution_minutes", ("resolved",), "résolution finale"),
)


@dataclass(frozen=True)
class TicketEvent:
    type: str
    at: datetime


@dataclass(frozen=True)
class TicketCase:
    priority: str
    opened_at: datetime
    events: tuple[TicketEvent, ...] = ()


def parse_case(data: Mapping[str, object]) -> TicketCase:
    root = obj(data, "")
    reject_unknown(root, (*_COMMON, "ticket", "events"), "")
    ticket = obj(root.get("ticket"), "ticket")
    reject_unknown(ticket, ("priority", "opened_at"), "ticket")
    priority = req_enum(ticket, "priority", "ticket", PRIORITIES)
    opened_at = req_instant(ticket, "opened_at", "ticket")
    events: list[TicketEvent] = []
    raw_events = root.get("events")
    for i, raw in enumerate(array([] if raw_events is None else raw_events, "events")):
        path = join("events", i)
        event = obj(raw, path)
        reject_unknown(event, ("type", "at"), path)
        kind = req_enum(event, "type", path, EVENT_TYPES)
        at = req_instant(event, "at", path)
        if at < opened_at:
            raise CaseError(join(path, "at"), "l'événement précède la déclaration du ticket")
        if any(e.type == kind for e in events):
            raise CaseError(join(path, "type"), f"événement « {kind} » en double")
        events.append(TicketEvent(kind, at))
    return TicketCase(priority=priority, opened_at=opened_at, events=tuple(events))


def reference_date(case: TicketCase) -> date:
    """The declaration day (Europe/Paris) picks the policy version in force."""
    return case.opened_at.astimezone(PARIS).date()


def _hhmm(clause: Clause, name: str, default: time) -> time:
    raw: Any = clause.get(name)
    if raw is None:
        return default
    try:
        parsed = time.fromisoformat(str(raw))
    except ValueError:
        raise PolicyError(f"SUP-1.{name} : heure invalide « {raw} » (HH:MM attendu)") from None
    return parsed


def business_hours_of(clause: Clause) -> BusinessHours:
    default = BusinessHours()
    try:
        return BusinessHours(opens=_hhmm(clause, "opens", default.opens),
                             closes=_hhmm(clause, "closes", default.closes))
    except ValueError as exc:
        raise PolicyError(f"SUP-1 : {exc}") from None


@dataclass(frozen=True)
class TicketDeadline:
    kind: DeadlineKind
    minutes: int
    due: datetime


def ticket_deadlines(
    priority: str, opened_at: datetime, clause: Clause, cal: Calendar
) -> tuple[TicketDeadline, ...]:
    """SUP-1: the deadlines of a ticket of this priority (a missing duration: no deadline)."""
    priorities: Any = clause.get("priorities", {})
    durations: Any = priorities.get(priority)
    if durations is None:
        raise PolicyError(f"SUP-1 : aucune durée pour la priorité « {priority} »")
    hours = business_hours_of(clause)
    out = []
    for kind in DEADLINE_KINDS:
        minutes = durations.get(kind.param)
        if minutes is None:
            continue
        due = add_business_time(opened_at, timedelta(minutes=int(minutes)), cal, hours)
        out.append(TicketDeadline(kind, int(minutes), due))
    return tuple(out)


def _duration_fr(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min ouvrées"
    text = f"{hours} heure{'s' if hours > 1 else ''}"
    if rest:
        text += f" {rest} min"
    return text + (" ouvrées" if hours > 1 or rest else " ouvrée")


def _instant_fr(x: datetime) -> str:
    return fr_instant(x)


def _as_of_passed(due: datetime, as_of: date | datetime) -> bool:
    # A bare date says only which day it is: a deadline of that day is not yet missed.
    if isinstance(as_of, datetime):
        return as_of > due
    return due.astimezone(PARIS).date() < as_of


def _happened(event: TicketEvent, as_of: date | datetime) -> bool:
    if isinstance(as_of, datetime):
        return event.at <= as_of
    return event.at.astimezone(PARIS).date() <= as_of


def evaluate(
    case: TicketCase, *, policy: Policy, legal: LegalData, as_of: date | datetime
) -> Outcome:
    """Deadlines (SUP-1) and breaches (SUP-2) of a ticket as of `as_of`.

    Events after `as_of` are ignored: the outcome is what was known at that moment.
    """
    del legal  # no legal parameter in support deadlines
    clause = policy.require("SUP-1")
    breach_clause = policy.clause("SUP-2")
    cal = calendar_for_region(policy.calendar_region)
    deadlines = ticket_deadlines(case.priority, case.opened_at, clause, cal)
    label = clause.get("priorities", {}).get(case.priority, {}).get("label") or case.priority
    events = [e for e in case.events if _happened(e, as_of)]

    reasons: dict[str, tuple[str, str]] = {}
    breaches: list[Breach] = []
    for d in deadlines:
        reasons[d.kind.name] = ("SUP-1", (
            f"Ticket de priorité {label} déclaré le {_instant_fr(case.opened_at)} : "
            f"{d.kind.label} sous {_duration_fr(d.minutes)} (lundi–vendredi "
            f"{_hhmm(clause, 'opens', BusinessHours().opens):%H:%M}–"
            f"{_hhmm(clause, 'closes', BusinessHours().closes):%H:%M}, jours fériés exclus), "
            f"soit au plus tard le {_instant_fr(d.due)} ({clause.article})."
        ))
        met = min((e.at for e in events if e.type in d.kind.met_by), default=None)
        if met is not None and met <= d.due:
            continue
        if met is None and not _as_of_passed(d.due, as_of):
            continue
        what = (f"intervenue le {_instant_fr(met)}" if met is not None
                else "toujours pas intervenue à la date d'évaluation")
        article = breach_clause.article if breach_clause is not None else clause.article
        breaches.append(Breach(
            deadline=d.kind.name, due=d.due, rule="SUP-2",
            explanation=(f"Délai de {d.kind.label} manqué : échéance le {_instant_fr(d.due)}, "
                         f"{what} ({article})."),
        ))
    return Outcome(
        policy=policy.id,
        policy_version=policy.version,
        deadlines={d.kind.name: d.due for d in deadlines},
        breaches=tuple(breaches),
        deadline_reasons=reasons,
    )
