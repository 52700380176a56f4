"""simulate(): common fields, policy version resolution, dispatch; `ofelia simulate` errors."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from ofelia.rules import simulate as sim
from ofelia.rules.errors import CaseError, MissingLegalData
from ofelia.rules.legal import parse_legal_data
from ofelia.rules.outcome import Outcome
from ofelia.rules.policy import parse_policy

POLICY = """
[policy]
id = "demo"
version = "{version}"
effective_from = {start}
organisation = "Démo"
document = "CGV"
"""
V1 = parse_policy(POLICY.format(version="2025.01.01", start="2025-01-01"))
V2 = parse_policy(POLICY.format(version="2026.03.01", start="2026-03-01"))
LEGAL = parse_legal_data()
TODAY = date(2026, 6, 1)


def policies(policy_id: str):
    return (V1, V2) if policy_id == "demo" else ()


@pytest.fixture
def fake_family(monkeypatch):
    """A family module that records what simulate() hands it."""
    seen: dict[str, Any] = {}
    module = types.ModuleType("ofelia_fake_family")

    def parse_case(data):
        seen["data"] = dict(data)
        if "signed_on" not in data:
            raise CaseError("signed_on", "champ obligatoire manquant")
        return date.fromisoformat(data["signed_on"])

    def reference_date(case):
        return case

    def evaluate(case, *, policy, legal, as_of):
        seen["as_of"] = as_of
        if data_missing := seen["data"].get("missing"):
            raise MissingLegalData(data_missing)
        return Outcome(policy=policy.id, policy_version=policy.version,
                       deadlines={"signed": case}, extra={"seen": True})

    module.__dict__.update(parse_case=parse_case, reference_date=reference_date, evaluate=evaluate)
    monkeypatch.setitem(sys.modules, "ofelia_fake_family", module)
    monkeypatch.setitem(sim.FAMILIES, "training", "ofelia_fake_family")
    return seen


def run(case: dict[str, Any]) -> dict[str, Any]:
    return sim.simulate(case, today=TODAY, policies=policies, legal=LEGAL)


def test_version_in_force_on_the_reference_date_governs(fake_family):
    assert run({"case": "training", "policy": "demo", "signed_on": "2026-02-28"})["policy_version"] == "2025.01.01"
    out = run({"case": "training", "policy": "demo", "signed_on": "2026-03-01"})
    assert out["policy_version"] == "2026.03.01"
    assert out["deadlines"] == {"signed": "2026-03-01"} and out["seen"] is True


def test_policy_version_asked_wins(fake_family):
    out = run({"case": "training", "policy": "demo", "policy_version": "2025.01.01", "signed_on": "2026-05-01"})
    assert out["policy_version"] == "2025.01.01"


def test_family_sees_case_and_its_fields_not_the_common_ones(fake_family):
    run({"case": "training", "policy": "demo", "as_of": "2026-04-01", "signed_on": "2026-03-02"})
    assert fake_family["data"] == {"case": "training", "signed_on": "2026-03-02"}
    assert fake_family["as_of"] == date(2026, 4, 1)


def test_as_of_defaults_to_today_given_by_the_caller_or_is_an_instant(fake_family):
    out = run({"case": "training", "policy": "demo", "signed_on": "2026-03-02"})
    assert fake_family["as_of"] == TODAY and out["as_of"] == "2026-06-01"
    run({"case": "training", "policy": "demo", "signed_on": "2026-03-02", "as_of": "2026-03-06T17:31:00+01:00"})
    assert fake_family["as_of"] == datetime.fromisoformat("2026-03-06T17:31:00+01:00")


def test_example_file_wrapper_is_unwrapped(fake_family):
    out = run({"name": "x", "input": {"case": "training", "policy": "demo", "signed_on": "2026-03-02"},
               "expect": {}})
    assert out["policy"] == "demo"


@pytest.mark.parametrize(
    ("case", "path"),
    [
        ([], ""),
        ({"policy": "demo"}, "case"),
        ({"case": "lottery", "policy": "demo"}, "case"),
        ({"case": "training"}, "policy"),
        ({"case": "training", "policy": "nobody", "signed_on": "2026-03-02"}, "policy"),
        ({"case": "training", "policy": "demo", "policy_version": "1999", "signed_on": "2026-03-02"}, "policy_version"),
        ({"case": "training", "policy": "demo", "policy_version": 3}, "policy_version"),
        ({"case": "training", "policy": "demo", "as_of": "2026-02-30"}, "as_of"),
        ({"case": "training", "policy": "demo", "as_of": "2026-03-06T17:31:00"}, "as_of"),
        ({"case": "training", "policy": "demo", "as_of": 20260306}, "as_of"),
        ({"case": "training", "policy": "demo"}, "signed_on"),
        ({"case": "training", "policy": "demo", "signed_on": "2024-12-31"}, "policy_version"),
    ],
)
def test_invalid_case_names_the_field(fake_family, case, path):
    with pytest.raises(CaseError) as raised:
        run(case)
    assert raised.value.path == path


def test_missing_legal_data_passes_through(fake_family):
    with pytest.raises(MissingLegalData, match="2026-H2"):
        run({"case": "training", "policy": "demo", "signed_on": "2026-03-02",
             "missing": "taux de l'intérêt légal 2026-H2"})


# --- the command line -------------------------------------------------------------------

CASES = Path(__file__).resolve().parents[4] / "tests" / "cases"


def cli(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ofelia", "simulate", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def cli_case(case: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return cli(["-"], stdin=json.dumps(case))


TRAINING = json.loads((CASES / "dixneuf-pro-cancellation-9-jours-francs.json").read_text())["input"]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"case": "lottery"}, "case"),
        ({"policy": "nobody"}, "policy"),
        ({"policy_version": "1999.01.01"}, "policy_version"),
        ({"as_of": "20-03-2026"}, "as_of"),
        ({"contract": {**TRAINING["contract"], "price": 2400.5}}, "contract.price"),
        ({"contract": {**TRAINING["contract"], "colour": "red"}}, "contract.colour"),
    ],
)
def test_cli_invalid_case_exit_2_names_the_field_without_traceback(edit, field):
    run_ = cli_case({**TRAINING, **edit})
    assert run_.returncode == 2, run_.stderr
    assert f"« {field} »" in run_.stderr
    assert "Traceback" not in run_.stderr and run_.stdout == ""


def test_cli_instalments_under_threshold_names_pay_l1():
    case = json.loads((CASES / "laporte-four-instalments.json").read_text())["input"]
    case["contract"] = {**case["contract"], "price": "999.99"}
    run_ = cli_case(case)
    assert run_.returncode == 2 and "instalments" in run_.stderr and "PAY-L1" in run_.stderr


def test_cli_more_than_30_learners_names_vcl_1():
    case = json.loads((CASES / "virtualeo-scheduled-class-deadlines.json").read_text())["input"]
    case["class"] = {**case["class"], "learners": 31}
    run_ = cli_case(case)
    assert run_.returncode == 2 and "class.learners" in run_.stderr and "VCL-1" in run_.stderr


def test_cli_malformed_json_and_missing_file_exit_2():
    bad = cli(["-"], stdin="{ not json")
    assert bad.returncode == 2 and "JSON mal formé" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli(["/nonexistent/case.json"])
    assert missing.returncode == 2 and "Impossible de lire" in missing.stderr


def test_cli_prints_the_outcome_json_and_exit_0():
    run_ = cli([str(CASES / "mi4-terms-change-effective-two-months-later.json")])
    assert run_.returncode == 0, run_.stderr
    out = json.loads(run_.stdout)
    assert out["policy"] == "mi4" and out["deadlines"]["effective_on"] == "2027-01-30"


def test_cli_simulate_does_not_import_django():
    probe = (
        "import sys; from ofelia.cli import main; "
        f"code = main(['simulate', {str(CASES / 'mi4-terms-change-effective-two-months-later.json')!r}]); "
        "print('DJANGO' if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 'PURE', "
        "file=sys.stderr); sys.exit(code)"
    )
    run_ = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run_.stderr.strip().endswith("PURE"), run_.stderr


H2_CASE = {
    "case": "training", "policy": "dixneuf", "as_of": "2026-08-15",
    "contract": {"client": "professional", "format": "inter", "signed_on": "2026-04-01",
                 "at_distance": False, "price": "2400.00", "vat_rate": "0", "hours": "21",
                 "start": "2026-05-04", "end": "2026-05-06", "deposit": "0.00"},
    "funding": [],
    "events": [{"type": "invoice", "id": "F-9", "on": "2026-05-06", "amount": "2400.00",
                "payer": "client"}],
}


def test_cli_missing_legal_rate_exits_3_and_names_the_half_year(tmp_path):
    # PEN-D2: late from 6 June into July: the 2026-H2 legal rate is not in the shipped tables.
    path = tmp_path / "h2.json"
    path.write_text(json.dumps(H2_CASE), encoding="utf-8")
    run_ = cli([str(path)])
    assert run_.returncode == 3, run_.stderr
    assert "taux de l'intérêt légal 2026-H2" in run_.stderr and "Traceback" not in run_.stderr
    assert run_.stdout == ""
    # The same case evaluated on 30 June needs only 2026-H1: exit 0.
    path.write_text(json.dumps({**H2_CASE, "as_of": "2026-06-30"}), encoding="utf-8")
    assert cli([str(path)]).returncode == 0
