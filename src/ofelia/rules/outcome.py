"""What an evaluation gives back: deadlines, charges, refunds, penalties, each with its clause."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ofelia.rules.money import cents

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
    return f"{cents(x):.2f}"


def _when(x: date | datetime) -> str:
    return x.isoformat()


def _deadline(value: DeadlineValue) -> Any:
    if isinstance(value, date):  # a date or an instant (datetime is a date)
        return value.isoformat()
    return {k: _when(v) for k, v in value.items()}


def _charge(c: Charge) -> dict[str, Any]:
    line: dict[str, Any] = {"kind": c.kind, "payer": c.payer, "amount": _money(c.amount),
                            "vat": _money(c.vat)}
    if c.due_on:
        line["due_on"] = _when(c.due_on)
    line["rule"] = c.rule
    line["explanation"] = c.explanation
    return line


def _refund(r: Refund) -> dict[str, Any]:
    line: dict[str, Any] = {"payee": r.payee, "amount": _money(r.amount)}
    if r.due_by:
        line["due_by"] = _when(r.due_by)
    line["rule"] = r.rule
    line["explanation"] = r.explanation
    return line


def outcome_to_json(o: Outcome) -> dict[str, Any]:
    """The stable JSON shape of SIMULATION.md: amounts with two decimals, ISO dates."""
    out: dict[str, Any] = {
        "policy": o.policy,
        "policy_version": o.policy_version,
        "deadlines": {name: _deadline(v) for name, v in o.deadlines.items()},
        "deadline_reasons": {
            name: {"rule": rule, "explanation": text}
            for name, (rule, text) in o.deadline_reasons.items()
        },
        "charges": [_charge(c) for c in o.charges],
        "refunds": [_refund(r) for r in o.refunds],
        "penalties": [
            {
                "invoice": p.invoice,
                "days_late": p.days_late,
                "interest": _money(p.interest),
                "recovery_fee": _money(p.recovery_fee),
                "rule": p.rule,
                "explanation": p.explanation,
            }
            for p in o.penalties
        ],
        # SIMULATION.md: `breaches` lists the names of the missed deadlines; the details
        # (due instant, rule, explanation) follow in `breach_details`.
        "breaches": [b.deadline for b in o.breaches],
        "breach_details": [
            {"deadline": b.deadline, "due": _when(b.due), "rule": b.rule, "explanation": b.explanation}
            for b in o.breaches
        ],
        "warnings": list(o.warnings),
    }
    for key, value in o.extra.items():
        out[key] = value
    return out
