"""Self-check: every `training` example case of ../shared/cases gives its expected lines.

The generic cases runner (test_simulate_cases) is R4's; this one only exercises the
training engine directly and skips when the shared folder is not beside the project.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ofelia.policies import policy_in_force
from ofelia.policies.legal import read_legal_data
from ofelia.rules.outcome import outcome_to_json
from ofelia.rules.simulate import parse_as_of
from ofelia.rules.training import evaluate, parse_case, reference_date

CASES = Path(__file__).resolve().parents[4].parent / "shared" / "cases"


def _training_cases() -> list[Path]:
    if not CASES.is_dir():
        return []
    return sorted(p for p in CASES.glob("*.json")
                  if json.loads(p.read_text("utf-8"))["input"].get("case") == "training")


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases absent")
@pytest.mark.parametrize("path", _training_cases(), ids=lambda p: p.stem)
def test_training_example_case(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    data: dict[str, Any] = dict(document["input"])
    as_of = parse_as_of(data.pop("as_of", None), reference_date(parse_case(data)))
    facts = parse_case({k: v for k, v in data.items() if k not in ("policy", "policy_version")})
    policy = policy_in_force(data["policy"], reference_date(facts))
    out = outcome_to_json(evaluate(facts, policy=policy, legal=read_legal_data(None), as_of=as_of))
    expect = document["expect"]
    for name, value in expect.get("deadlines", {}).items():
        assert out["deadlines"][name] == value, name
    for key, who in (("charges", "payer"), ("refunds", "payee")):
        for line in expect.get(key, []):
            found = [x for x in out[key] if x[who] == line[who] and x.get("kind") == line.get("kind")]
            assert found, line
            assert sum(Decimal(x["amount"]) for x in found) == Decimal(line["amount"]), line
    for line in expect.get("penalties", []):
        got = next(p for p in out["penalties"] if p["invoice"] == line["invoice"])
        assert {k: got[k] for k in line} == line
    if "instalments" in expect:
        assert out["instalments"] == expect["instalments"]
