"""Shared fixtures of the training tests: own legal data (no /work/shared needed), case
builders and the shipped policies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ofelia.policies import load_shipped
from ofelia.rules.legal import LegalData, parse_legal_data
from ofelia.rules.outcome import Charge, Outcome
from ofelia.rules.policy import Policy
from ofelia.rules.training import evaluate, parse_case

LEGAL_RATES = """half_year,private_person,other,source
2025-H1,7.21,3.71,test
2025-H2,6.65,2.76,test
2026-H1,6.67,2.62,test
"""
ECB_RATES = """effective_from,rate,source
2024-12-18,3.15,test
2025-06-11,2.15,test
"""
AMOUNTS = """parameter,effective_from,value,source
recovery_fee,2013-01-01,40.00,test
cpf_participation,2024-05-02,100.00,test
cpf_participation,2025-01-01,102.23,test
cpf_participation,2026-01-01,103.20,test
"""
LEGAL: LegalData = parse_legal_data(
    legal_interest_rates=LEGAL_RATES, ecb_rates=ECB_RATES, amounts=AMOUNTS
)


def shipped(policy_id: str) -> Policy:
    return load_shipped(policy_id)[-1]


def contract(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "client": "professional", "format": "inter", "signed_on": "2026-01-12",
        "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
        "start": "2026-03-16", "end": "2026-03-18", "deposit": "0.00",
    }
    base.update(overrides)
    return base


def training(
    # Typed Any: callers spread `**dict[str, str]` contract fields, which mypy would
    # otherwise match against these keyword parameters too.
    *, funding: Any = None, events: Any = None, instalments: Any = None, **contract_fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"case": "training", "contract": contract(**contract_fields),
                            "funding": funding or [], "events": events or []}
    if instalments is not None:
        data["instalments"] = instalments
    return data


def run(data: dict[str, Any], policy: str | Policy = "dixneuf",
        as_of: date = date(2026, 6, 30)) -> Outcome:
    chosen = shipped(policy) if isinstance(policy, str) else policy
    return evaluate(parse_case(data), policy=chosen, legal=LEGAL, as_of=as_of)


def lines(outcome: Outcome, kind: str, payer: str) -> list[Charge]:
    return [c for c in outcome.charges if c.kind == kind and c.payer == payer]


def total(outcome: Outcome, kind: str, payer: str) -> Decimal:
    return outcome.charge_total(kind, payer)


def refund(outcome: Outcome, payee: str = "client") -> Decimal:
    return sum((r.amount for r in outcome.refunds if r.payee == payee), Decimal("0.00"))


def cancel(on: str, reason: str = "other", by: str = "client") -> dict[str, Any]:
    return {"type": "cancellation", "by": by, "on": on, "reason": reason}


def test_fixture_legal_data_has_the_2026_h1_rates():
    assert LEGAL.legal_rate(date(2026, 3, 1)) == Decimal("2.62")
    assert LEGAL.ecb_rate_for_half_year(date(2026, 3, 1)) == Decimal("2.15")
