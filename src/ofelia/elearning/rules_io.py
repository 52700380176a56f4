"""ORM rows ⇄ the rules core: a learner's course becomes the `learning` case of SIMULATION.md.

Like `sales.rules_io` for contracts: the case is the JSON a person would type into
`ofelia simulate`, evaluated by the same engine with the organisation's policies, so what
the learner and staff see is what the simulation of the same facts says.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ofelia.rules.calendars import PARIS
from ofelia.sales import rules_io as sales_rules_io
from ofelia.sales.models import Contract, FundingEntry

from .models import LearnerCourse, Module

# Payers that make a learner "funded" in the learning case; anything else (no entry, the
# employer) is the client paying: "self" (docs/elearning.md).
FUNDED_PAYERS = {
    FundingEntry.Payer.CPF: "cpf",
    FundingEntry.Payer.OPCO: "opco",
    FundingEntry.Payer.FRANCE_TRAVAIL: "france_travail",
    FundingEntry.Payer.FAF: "faf",
}


def funding_of(contract: Contract) -> str:
    for entry in contract.funding.all():
        if entry.payer in FUNDED_PAYERS:
            return FUNDED_PAYERS[entry.payer]
    return "self"


def module_ids(modules: Iterable[Module]) -> dict[int, str]:
    """Module pk -> "core-N" / "extra-N", numbered in course order."""
    ids: dict[int, str] = {}
    counts = {"core": 0, "extra": 0}
    for module in sorted(modules, key=lambda m: m.position):
        kind = "core" if module.is_core else "extra"
        counts[kind] += 1
        ids[module.pk] = f"{kind}-{counts[kind]}"
    return ids


def _day(at: datetime) -> date:
    return at.astimezone(PARIS).date()


def ordered_on(contract: Contract) -> date:
    order = getattr(contract, "order", None)
    if order is not None:
        return _day(order.ordered_at)
    return contract.signed_on or contract.start_date


def consent_at(contract: Contract) -> datetime | None:
    """RET-5's record is the online order's (`sales.Order.digital_consent_at`)."""
    order = getattr(contract, "order", None)
    return order.digital_consent_at if order is not None else None


def learning_case(
    learner_course: LearnerCourse, *, contract: Contract, modules: list[Module],
    completions: dict[int, datetime], as_of: datetime, evaluation_at: datetime | None = None,
) -> dict[str, Any]:
    """The case of SIMULATION.md; one evaluation module (the video of LRN-3), sent at
    `evaluation_at` (its Paris day is the `evaluation_submitted` event)."""
    ids = module_ids(modules)
    start = ordered_on(contract)
    events: list[dict[str, Any]] = []
    consent = consent_at(contract)
    if consent is not None:
        events.append({"type": "access_consent", "at": consent.isoformat()})
    if learner_course.first_access_at is not None:
        events.append({"type": "first_access", "at": learner_course.first_access_at.isoformat()})
    for module_pk, at in sorted(completions.items(), key=lambda kv: kv[1]):
        if module_pk in ids:
            events.append({"type": "module_completed", "module": ids[module_pk],
                           "on": max(_day(at), start).isoformat()})
    if evaluation_at is not None:
        events.append({"type": "evaluation_submitted", "module": "evaluation-1",
                       "on": max(_day(evaluation_at), start).isoformat()})
    case: dict[str, Any] = {
        "case": "learning",
        "policy": contract.policy_id,
        "as_of": as_of.isoformat(),
        "order": {"ordered_on": start.isoformat(), "funding": funding_of(contract),
                  "price": sales_rules_io.money(contract.price)},
        "course": {"core_modules": sum(1 for i in ids.values() if i.startswith("core")),
                   "extra_modules": sum(1 for i in ids.values() if i.startswith("extra")),
                   "evaluation_modules": 1},
        "events": events,
    }
    if contract.policy_version:
        case["policy_version"] = contract.policy_version
    return case


def evaluate(case: dict[str, Any], *, organisation: Any, today: date) -> dict[str, Any]:
    return sales_rules_io.evaluate_case(case, organisation=organisation, today=today)
