"""Every example case (tests/cases, and ../shared/cases when present) gives its expected outcome.

Lines are looked up by their keys, as SIMULATION.md says: deadlines by name, charges by
kind + payer (summed; a missing kind counts as 0.00), refunds by payee (summed),
penalties by invoice; any other expected key (instalments, access, breaches...) must
match.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ofelia.policies import load_shipped
from ofelia.policies.legal import load_legal_data
from ofelia.rules.simulate import simulate

ROOT = Path(__file__).resolve().parents[4]
FOLDERS = [ROOT / "tests" / "cases", ROOT.parent / "shared" / "cases"]
# The cases carry their own as_of when it matters; the others only need a fixed day.
TODAY = date(2026, 3, 1)


def _case_files() -> list[Any]:
    params = []
    for folder in FOLDERS:
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                params.append(pytest.param(path, id=f"{folder.parent.name}/{path.stem}"))
    return params


def _same_when(expected: Any, actual: Any) -> bool:
    """Dates compare as text; instants as instants (the offset may be written differently)."""
    if isinstance(expected, str) and isinstance(actual, str) and "T" in expected and "T" in actual:
        return datetime.fromisoformat(expected) == datetime.fromisoformat(actual)
    return bool(expected == actual)


def _matches(expected: Any, actual: Any) -> bool:
    """An outcome may carry more keys than expected (SIMULATION.md): objects compare on the
    expected keys, lists item by item, the rest by equality."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(_matches(e, a) for e, a in zip(expected, actual, strict=True)))
    return bool(expected == actual)


def _total(lines: list[dict[str, Any]], **keys: str) -> Decimal:
    return sum((Decimal(line["amount"]) for line in lines
                if all(line.get(k) == v for k, v in keys.items())), Decimal("0.00"))


def _instalments(outcome: dict[str, Any]) -> list[dict[str, Any]]:
    if "instalments" in outcome:
        return list(outcome["instalments"])
    return [c for c in outcome["charges"] if c["kind"] == "instalment"]


def differences(expect: dict[str, Any], outcome: dict[str, Any]) -> list[str]:
    """What differs between an `expect` block and an outcome (empty: the case passes)."""
    found: list[str] = []
    for name, value in expect.get("deadlines", {}).items():
        actual = outcome.get("deadlines", {}).get(name)
        if isinstance(value, dict):
            actual = actual if isinstance(actual, dict) else {}
            found += [f"deadlines.{name}.{k}: attendu {v}, obtenu {actual.get(k)}"
                      for k, v in value.items() if not _same_when(v, actual.get(k))]
        elif not _same_when(value, actual):
            found.append(f"deadlines.{name}: attendu {value}, obtenu {actual}")
    for section, keys in (("charges", ("kind", "payer")), ("refunds", ("payee",))):
        groups: dict[tuple[str, ...], Decimal] = {}
        for line in expect.get(section, []):
            group = tuple(line[k] for k in keys)
            groups[group] = groups.get(group, Decimal(0)) + Decimal(line["amount"])
        for group, amount in groups.items():
            got = _total(outcome.get(section, []), **dict(zip(keys, group, strict=True)))
            if got != amount:
                found.append(f"{section} {'/'.join(group)}: attendu {amount:.2f}, obtenu {got:.2f}")
    for line in expect.get("penalties", []):
        match = [p for p in outcome.get("penalties", []) if p["invoice"] == line["invoice"]]
        for field, value in line.items():
            if field == "invoice":
                continue
            if field in ("interest", "recovery_fee"):
                got = sum((Decimal(p[field]) for p in match), Decimal("0.00"))
                if got != Decimal(value):
                    found.append(f"penalties {line['invoice']}.{field}: attendu {value}, obtenu {got:.2f}")
            elif [p.get(field) for p in match] != [value]:
                found.append(f"penalties {line['invoice']}.{field}: attendu {value}, "
                             f"obtenu {[p.get(field) for p in match]}")
    for key, value in expect.items():
        if key in ("deadlines", "charges", "refunds", "penalties"):
            continue
        if key == "instalments":
            if not _matches(value, _instalments(outcome)):
                found.append(f"instalments: attendu {value}, obtenu {_instalments(outcome)}")
        elif key == "breaches":
            if sorted(outcome.get(key, [])) != sorted(value):
                found.append(f"breaches: attendu {value}, obtenu {outcome.get(key)}")
        elif not _matches(value, outcome.get(key)):
            found.append(f"{key}: attendu {value}, obtenu {outcome.get(key)}")
    return found


@pytest.mark.parametrize("path", _case_files())
def test_example_case_gives_its_expected_outcome(path: Path):
    document = json.loads(path.read_text(encoding="utf-8"))
    outcome = simulate(document["input"], today=TODAY, policies=load_shipped, legal=load_legal_data())
    assert json.loads(json.dumps(outcome)) == outcome  # plain JSON, nothing else
    for line in outcome["charges"] + outcome["refunds"] + outcome["penalties"]:
        assert line["rule"] and line["explanation"], line
    assert differences(document["expect"], outcome) == []


def test_differences_reads_lines_by_their_keys():
    outcome: dict[str, Any] = {
        "deadlines": {"retraction_ends": "2026-03-12", "payment_due": {"F-1": "2026-02-14"},
                      "take_charge_by": "2026-03-06T16:45:00+00:00"},
        "charges": [{"kind": "prorata", "payer": "client", "amount": "600.00"},
                    {"kind": "prorata", "payer": "client", "amount": "400.00"}],
        "refunds": [],
        "penalties": [{"invoice": "F-1", "days_late": 60, "interest": "31.01", "recovery_fee": "40.00"}],
        "access": {"unlocked": ["core-1"], "locked": [], "rule": "LRN-2"},
    }
    expect: dict[str, Any] = {
        "deadlines": {"retraction_ends": "2026-03-12", "payment_due": {"F-1": "2026-02-14"},
                      "take_charge_by": "2026-03-06T17:45:00+01:00"},
        "charges": [{"kind": "prorata", "payer": "client", "amount": "1000.00"},
                    {"kind": "price", "payer": "opco", "amount": "0.00"}],
        "refunds": [{"payee": "client", "amount": "0.00"}],
        "penalties": [{"invoice": "F-1", "interest": "31.01", "recovery_fee": "40.00"}],
        "access": {"unlocked": ["core-1"], "locked": []},
    }
    assert differences(expect, outcome) == []
    expect["charges"][1]["amount"] = "1.00"
    expect["access"] = {"unlocked": [], "locked": ["core-1"]}
    expect["penalties"][0]["days_late"] = 59
    assert len(differences(expect, outcome)) == 3
