"""A virtual class ⇄ the `virtual_class` case of SIMULATION.md, evaluated by the one door
`simulate_for` (the organisation's own policy versions first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ofelia.core import clock
from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import Policy
from ofelia.simulator.selectors import simulate_for
from ofelia.simulator.terms import policy_terms


@dataclass(frozen=True)
class Estimate:
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    change_until: datetime | None
    change_reason: str
    ready_by: datetime | None
    ready_reason: str
    warnings: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return self.amount + self.vat


def policy_at(organisation: Any, on: datetime) -> Policy | None:
    """The organisation's terms in force on `on` when they offer virtual classes (VCL-2)."""
    if not organisation.policy_id:
        return None
    try:
        policy = policy_terms(organisation=organisation, policy_id=organisation.policy_id,
                              on=on.astimezone(clock.PARIS).date())
    except PolicyError:
        return None
    return policy if policy.clause("VCL-2") is not None else None


def class_case(*, policy_id: str, policy_version: str, created_at: datetime, mode: str, start: datetime,
               days: int, daily_hours: Decimal, learners: int, validated_at: datetime | None = None,
               events: list[dict[str, Any]] | None = None, as_of: datetime | None = None) -> dict[str, Any]:
    """The case a person would type in `ofelia simulate` for this class."""
    klass: dict[str, Any] = {
        "created_at": created_at.astimezone(clock.PARIS).isoformat(), "mode": mode,
        "start": start.astimezone(clock.PARIS).isoformat(), "days": days,
        "daily_hours": f"{daily_hours.normalize():f}", "learners": learners,
    }
    if validated_at is not None:
        klass["validated_at"] = validated_at.astimezone(clock.PARIS).isoformat()
    return {"case": "virtual_class", "policy": policy_id, "policy_version": policy_version,
            "as_of": (as_of or created_at).astimezone(clock.PARIS).isoformat(),
            "class": klass, "events": events or []}


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def evaluate(*, organisation: Any, case: dict[str, Any]) -> Estimate:
    """The core's estimate (VCL-2) and deadlines (CAN-V1, VCL-3) for the case; the core's
    refusals (more than 30 learners: VCL-1) propagate as its errors."""
    as_of = datetime.fromisoformat(case["as_of"])
    outcome = simulate_for(organisation=organisation, case=case, today=as_of.date())
    estimate = next((c for c in outcome["charges"] if c["kind"] == "estimate"), None)
    reasons = outcome.get("deadline_reasons", {})
    deadlines = outcome.get("deadlines", {})
    return Estimate(
        amount=Decimal(estimate["amount"]) if estimate else Decimal("0.00"),
        vat=Decimal(estimate["vat"]) if estimate else Decimal("0.00"),
        rule=estimate["rule"] if estimate else "", explanation=estimate["explanation"] if estimate else "",
        change_until=_instant(deadlines.get("change_until")),
        change_reason=reasons.get("change_until", {}).get("explanation", ""),
        ready_by=_instant(deadlines.get("ready_by")),
        ready_reason=reasons.get("ready_by", {}).get("explanation", ""),
        warnings=tuple(outcome.get("warnings", ())),
    )


def estimate_of(klass: Any, *, as_of: datetime | None = None) -> Estimate:
    """The estimate and deadlines of a stored class, as the core computes them today."""
    return evaluate(organisation=klass.organisation, case=class_case(
        policy_id=klass.policy_id, policy_version=klass.policy_version, created_at=klass.ordered_at,
        mode=klass.mode, start=klass.start, days=klass.days, daily_hours=klass.daily_hours,
        learners=klass.learners, validated_at=klass.validated_at, as_of=as_of or klass.ordered_at))


@dataclass(frozen=True)
class Consumption:
    """What the core bills for the class from its ledger (VCL-5, VCL-6): final once the class
    is over, provisional while it runs (as if it stopped now)."""

    final: bool
    charges: tuple[dict[str, Any], ...]
    machine_hours: Decimal

    @property
    def total_excl_vat(self) -> Decimal:
        return sum((Decimal(c["amount"]) for c in self.charges), Decimal("0.00"))

    @property
    def total_vat(self) -> Decimal:
        return sum((Decimal(c["vat"]) for c in self.charges), Decimal("0.00"))


CONSUMPTION_KINDS = ("usage", "extension", "outside_hours", "storage", "tool")


def consumption_case(klass: Any, *, now: datetime) -> dict[str, Any]:
    """The class's case with its ledger's intervals and its extensions, evaluated after its end."""
    from .ledger import intervals

    events: list[dict[str, Any]] = [
        {"type": "usage", "machine": i.machine, "from": i.start.astimezone(clock.PARIS).isoformat(),
         "to": i.end.astimezone(clock.PARIS).isoformat()} for i in intervals(klass, now=now)]
    events += [{"type": "extension", "day": e.day, "hours": f"{e.hours.normalize():f}",
                "approved": e.status == "approved"} for e in klass.extensions.exclude(status="refused")]
    end = klass.ends_at() + sum((timedelta(hours=float(e.hours)) for e in klass.extensions.filter(status="approved")),
                                timedelta())
    return class_case(policy_id=klass.policy_id, policy_version=klass.policy_version, created_at=klass.ordered_at,
                      mode=klass.mode, start=klass.start, days=klass.days, daily_hours=klass.daily_hours,
                      learners=klass.learners, validated_at=klass.validated_at, events=events,
                      as_of=max(now, end + timedelta(minutes=1)))


def consumption_of(klass: Any, *, now: datetime | None = None) -> Consumption:
    now = now or clock.now()
    case = consumption_case(klass, now=now)
    outcome = simulate_for(organisation=klass.organisation, case=case,
                           today=datetime.fromisoformat(case["as_of"]).date())
    charges = tuple(c for c in outcome["charges"] if c["kind"] in CONSUMPTION_KINDS)
    hours = sum((datetime.fromisoformat(e["to"]) - datetime.fromisoformat(e["from"])).total_seconds() / 3600
                for e in case["events"] if e["type"] == "usage")
    return Consumption(final=now >= datetime.fromisoformat(case["as_of"]) - timedelta(minutes=1),
                       charges=charges, machine_hours=Decimal(str(round(hours, 2))))
