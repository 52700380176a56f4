"""What an evaluation gives back: deadlines, charges, refunds, penalties, each with its clause."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from ofelia.rules.money import cents, cents_text

DeadlineValue = date | datetime | Mapping[str, date]


# The lines and the outcome are immutable typed records. NamedTuple rather than a frozen
# dataclass: one is built in a single step (a frozen dataclass sets each field through
# object.__setattr__), and every evaluation builds several.
class Charge(NamedTuple):
    kind: str
    payer: str
    amount: Decimal
    vat: Decimal
    rule: str
    explanation: str
    due_on: date | None = None


class Refund(NamedTuple):
    payee: str
    amount: Decimal
    rule: str
    explanation: str
    due_by: date | None = None


class Penalty(NamedTuple):
    invoice: str
    days_late: int
    interest: Decimal
    recovery_fee: Decimal
    rule: str
    explanation: str


class Breach(NamedTuple):
    deadline: str
    due: date | datetime
    rule: str
    explanation: str


_NOTHING: Mapping[str, Any] = MappingProxyType({})  # a shared default nobody can change


class Outcome(NamedTuple):
    policy: str
    policy_version: str
    deadlines: Mapping[str, DeadlineValue] = _NOTHING
    charges: tuple[Charge, ...] = ()
    refunds: tuple[Refund, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    breaches: tuple[Breach, ...] = ()
    warnings: tuple[str, ...] = ()
    # Case-specific parts (learning: access, retraction_open, certification; ...).
    extra: Mapping[str, Any] = _NOTHING
    # Why each deadline is what it is: deadline name -> (rule id, French explanation).
    deadline_reasons: Mapping[str, tuple[str, str]] = _NOTHING

    def charge_total(self, kind: str, payer: str) -> Decimal:
        """Lines sharing kind and payer add up; a missing kind counts as 0.00."""
        return cents(
            sum((c.amount for c in self.charges if c.kind == kind and c.payer == payer), Decimal(0))
        )


_money = cents_text


_ISO_DAYS: dict[date, str] = {}


def iso(value: date | datetime) -> str:
    """`value.isoformat()`; a day's text is remembered (formatting one is dear, and the
    outcomes of a process name the same few thousand days again and again)."""
    try:
        return _ISO_DAYS[value]  # only days are kept: an instant never equals a day
    except KeyError:
        text = value.isoformat()
    if type(value) is date:
        if len(_ISO_DAYS) >= 20_000:  # bounded: a long-running server forgets, then refills
            _ISO_DAYS.clear()
        _ISO_DAYS[value] = text
    return text


def _deadline(value: DeadlineValue) -> Any:
    if isinstance(value, date):  # a date or an instant (datetime is a date)
        return iso(value)
    return {k: iso(v) for k, v in value.items()}


def _charge(c: Charge) -> dict[str, Any]:
    # Two literals rather than one dict grown key by key: `due_on`, when there is one,
    # sits between `vat` and `rule`.
    if c.due_on:
        return {"kind": c.kind, "payer": c.payer, "amount": _money(c.amount), "vat": _money(c.vat),
                "due_on": iso(c.due_on), "rule": c.rule, "explanation": c.explanation}
    return {"kind": c.kind, "payer": c.payer, "amount": _money(c.amount), "vat": _money(c.vat),
            "rule": c.rule, "explanation": c.explanation}


def _refund(r: Refund) -> dict[str, Any]:
    line: dict[str, Any] = {"payee": r.payee, "amount": _money(r.amount)}
    if r.due_by:
        line["due_by"] = iso(r.due_by)
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
        deadlines[name] = iso(value) if isinstance(value, date) else _deadline(value)
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
            {"deadline": b.deadline, "due": iso(b.due), "rule": b.rule,
             "explanation": b.explanation}
            for b in o.breaches
        ] if o.breaches else [],
        "warnings": list(o.warnings),
    }
    if o.extra:
        out.update(o.extra)
    return out
