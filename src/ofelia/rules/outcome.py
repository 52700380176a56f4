"""What an evaluation gives back: deadlines, charges, refunds, penalties, each with its clause."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ofelia.rules.money import CENT, cents

DeadlineValue = date | datetime | Mapping[str, date]


@dataclass(frozen=True)
class Charge:
    kind: str
    payer: str
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    due_on: date | None = None


@dataclass(frozen=True)
class Refund:
    payee: str
    amount: Decimal
    rule: str
    explanation: str
    due_by: date | None = None


@dataclass(frozen=True)
class Penalty:
    invoice: str
    days_late: int
    interest: Decimal
    recovery_fee: Decimal
    rule: str
    explanation: str


@dataclass(frozen=True)
class Breach:
    deadline: str
    due: date | datetime
    rule: str
    explanation: str


@dataclass(frozen=True)
class Outcome:
    policy: str
    policy_version: str
    deadlines: Mapping[str, DeadlineValue] = field(default_factory=dict)
    charges: tuple[Charge, ...] = ()
    refunds: tuple[Refund, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    breaches: tuple[Breach, ...] = ()
    warnings: tuple[str, ...] = ()
    # Case-specific parts (learning: access, retraction_open, certification; ...).
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Why each deadline is what it is: deadline name -> (rule id, French explanation).
    deadline_reasons: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def charge_total(self, kind: str, payer: str) -> Decimal:
        """Lines sharing kind and payer add up; a missing kind counts as 0.00."""
        return cents(
            sum((c.amount for c in self.charges if c.kind == kind and c.payer == payer), Decimal(0))
        )


def _money(x: Decimal) -> str:
    if type(x) is Decimal and x.is_finite():  # the amounts of a line: round at once
        return f"{x.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"
    return f"{cents(x):.2f}"


def _deadline(value: DeadlineValue) -> Any:
    if isinstance(value, date):  # a date or an instant (datetime is a date)
        return value.isoformat()
    return {k: v.isoformat() for k, v in value.items()}


def _charge(c: Charge) -> dict[str, Any]:
    line: dict[str, Any] = {"kind": c.kind, "payer": c.payer, "amount": _money(c.amount),
                            "vat": _money(c.vat)}
    if c.due_on:
        line["due_on"] = c.due_on.isoformat()
    line["rule"] = c.rule
    line["explanation"] = c.explanation
    return line


def _refund(r: Refund) -> dict[str, Any]:
    line: dict[str, Any] = {"payee": r.payee, "amount": _money(r.amount)}
    if r.due_by:
        line["due_by"] = r.due_by.isoformat()
    line["rule"] = r.rule
    line["explanation"] = r.explanation
    return line


def _penalty(p: Penalty) -> dict[str, Any]:
    return {"invoice": p.invoice, "days_late": p.days_late, "interest": _money(p.interest),
            "recovery_fee": _money(p.recovery_fee), "rule": p.rule, "explanation": p.explanation}


def outcome_to_json(o: Outcome) -> dict[str, Any]:
    """The stable JSON shape of SIMULATION.md: amounts with two decimals, ISO dates."""
    # Written for speed (every simulated case ends here): plain loops, and empty parts
    # built without a comprehension.
    deadlines = {}
    for name, value in o.deadlines.items():
        deadlines[name] = value.isoformat() if isinstance(value, date) else _deadline(value)
    reasons = {}
    for name, (rule, text) in o.deadline_reasons.items():
        reasons[name] = {"rule": rule, "explanation": text}
    out: dict[str, Any] = {
        "policy": o.policy,
        "policy_version": o.policy_version,
        "deadlines": deadlines,
        "deadline_reasons": reasons,
        "charges": [_charge(c) for c in o.charges] if o.charges else [],
        "refunds": [_refund(r) for r in o.refunds] if o.refunds else [],
        "penalties": [_penalty(p) for p in o.penalties] if o.penalties else [],
        # SIMULATION.md: `breaches` lists the names of the missed deadlines; the details
        # (due instant, rule, explanation) follow in `breach_details`.
        "breaches": [b.deadline for b in o.breaches] if o.breaches else [],
        "breach_details": [
            {"deadline": b.deadline, "due": b.due.isoformat(), "rule": b.rule,
             "explanation": b.explanation}
            for b in o.breaches
        ] if o.breaches else [],
        "warnings": list(o.warnings),
    }
    if o.extra:
        out.update(o.extra)
    return out
