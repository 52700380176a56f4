"""VCL-7 through the `availability` case of SIMULATION.md, at its boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ofelia.policies import load_shipped
from ofelia.policies.legal import load_legal_data
from ofelia.rules.errors import CaseError
from ofelia.rules.simulate import simulate


def run(month: str = "2026-03", incidents: Any = (), policy: str = "virtualeo",
        amount: str = "2400.00") -> dict[str, Any]:
    case = {"case": "availability", "policy": policy, "month": month, "services_amount": amount,
            "incidents": list(incidents)}
    return simulate(case, today=date(2026, 12, 4), policies=load_shipped, legal=load_legal_data())


def outage(start: str, end: str, cause: str = "outage", **more: str) -> dict[str, str]:
    return {"from": start, "to": end, "cause": cause, **more}


def credit(out: dict[str, Any]) -> Decimal:
    return sum((Decimal(c["amount"]) for c in out["charges"] if c["kind"] == "availability_credit"),
               Decimal("0.00"))


def test_vcl_7_example_of_the_contract_outage_and_announced_maintenance():
    out = run(incidents=[
        outage("2026-03-10T09:00:00+01:00", "2026-03-10T09:40:00+01:00"),
        outage("2026-03-14T22:00:00+01:00", "2026-03-15T02:00:00+01:00", "maintenance",
               announced_at="2026-03-11T10:00:00+01:00")])
    assert out["availability"] == {"month": "2026-03", "minutes": 44580, "downtime_minutes": 40,
                                   "excluded_minutes": 240, "measured": "99.9097", "target": "99.95"}
    assert credit(out) == Decimal("-2.17")  # 2400 × 40 / 44 340 = 2.165…
    (line,) = out["charges"]
    assert line["payer"] == "client" and line["rule"] == "VCL-7" and "peut être accordé" in line["explanation"]
    assert out["breaches"] == ["availability"]


@pytest.mark.parametrize(("month", "minutes"), [
    ("2026-03", 44580),  # 31 days minus the hour lost on 29 March
    ("2026-10", 44700),  # 31 days plus the hour gained on 25 October
    ("2026-04", 43200),
    ("2028-02", 41760),  # 29 days
])
def test_vcl_7_the_month_has_its_real_number_of_minutes_in_paris(month, minutes):
    assert run(month)["availability"]["minutes"] == minutes


@pytest.mark.parametrize(("down_minutes", "below"), [(22, False), (23, True)])
def test_vcl_7_target_boundary_in_the_month_of_the_spring_change(down_minutes, below):
    # March 2026: 99.95 % of 44 580 minutes allows 22.29 minutes down.
    end = f"2026-03-10T10:{down_minutes:02d}:00+01:00"
    out = run(incidents=[outage("2026-03-10T10:00:00+01:00", end)])
    assert (out["breaches"] == ["availability"]) is below
    assert (credit(out) < 0) is below
    assert out["availability"]["measured"] == ("99.9506" if not below else "99.9484")


def test_vcl_7_measured_is_truncated_not_rounded():
    # 1 minute down of 44 580: 99.99775… → 99.9977 (rounded it would be 99.9978).
    out = run(incidents=[outage("2026-03-10T10:00:00+01:00", "2026-03-10T10:01:00+01:00")])
    assert out["availability"]["measured"] == "99.9977"


@pytest.mark.parametrize(("announced_at", "excluded"), [
    ("2026-04-08T22:00:00+02:00", True),   # exactly 48 hours before: announced in time
    ("2026-04-08T22:00:01+02:00", False),  # one second short: downtime like an outage
    (None, False),
])
def test_vcl_7_maintenance_excluded_only_when_announced_48_hours_before(announced_at, excluded):
    item = outage("2026-04-10T22:00:00+02:00", "2026-04-10T23:00:00+02:00", "maintenance")
    if announced_at:
        item["announced_at"] = announced_at
    out = run("2026-04", [item])
    assert out["availability"]["excluded_minutes"] == (60 if excluded else 0)
    assert out["availability"]["downtime_minutes"] == (0 if excluded else 60)


def test_vcl_7_force_majeure_and_third_parties_are_excluded_and_overlaps_count_once():
    out = run("2026-04", [
        outage("2026-04-12T10:00:00+02:00", "2026-04-12T11:00:00+02:00", "force_majeure"),
        outage("2026-04-13T10:00:00+02:00", "2026-04-13T11:00:00+02:00", "third_party"),
        outage("2026-04-14T10:00:00+02:00", "2026-04-14T10:30:00+02:00"),
        outage("2026-04-14T10:20:00+02:00", "2026-04-14T10:40:00+02:00"),  # overlaps: 40 min in all
        outage("2026-04-13T10:30:00+02:00", "2026-04-13T11:30:00+02:00"),  # half inside the excluded hour
    ])
    assert out["availability"]["excluded_minutes"] == 120
    assert out["availability"]["downtime_minutes"] == 70
    # 100 × (43 200 − 120 − 70) / (43 200 − 120) = 99.83751… → 99.8375
    assert out["availability"]["measured"] == "99.8375"
    assert credit(out) == Decimal("-3.90")  # 2400 × 70 / 43 080 = 3.8997…


def test_vcl_7_only_the_part_inside_the_month_counts():
    out = run("2026-04", [outage("2026-03-31T23:00:00+02:00", "2026-04-01T00:30:00+02:00"),
                          outage("2026-04-30T23:50:00+02:00", "2026-05-01T01:00:00+02:00")])
    assert out["availability"]["downtime_minutes"] == 40


def test_vcl_7_mi4_states_no_figure_and_gives_no_credit():
    out = run("2026-03", [outage("2026-03-10T09:00:00+01:00", "2026-03-10T12:00:00+01:00")], "mi4")
    assert out["availability"]["target"] is None and out["availability"]["downtime_minutes"] == 180
    assert out["charges"] == [] and out["breaches"] == []
    assert any("aucun taux" in w for w in out["warnings"])


@pytest.mark.parametrize(("change", "field"), [
    ({"month": "2026-13"}, "month"),
    ({"month": "03/2026"}, "month"),
    ({"services_amount": "-1"}, "services_amount"),
    ({"incidents": [{"from": "2026-03-10T10:00:00+01:00", "to": "2026-03-10T09:00:00+01:00",
                     "cause": "outage"}]}, "incidents[0].to"),
    ({"incidents": [{"from": "2026-03-10T10:00:00+01:00", "to": "2026-03-10T11:00:00+01:00",
                     "cause": "meteor"}]}, "incidents[0].cause"),
    ({"incidents": [{"from": "2026-03-10T10:00:00+01:00", "to": "2026-03-10T11:00:00+01:00",
                     "cause": "outage", "announced_at": "2026-03-01T10:00:00+01:00"}]},
     "incidents[0].announced_at"),
    ({"colour": "blue"}, "colour"),
])
def test_vcl_7_invalid_availability_case_names_the_field(change, field):
    case = {"case": "availability", "policy": "virtualeo", "month": "2026-03",
            "services_amount": "2400.00", "incidents": [], **change}
    with pytest.raises(CaseError) as raised:
        simulate(case, today=date(2026, 12, 4), policies=load_shipped, legal=load_legal_data())
    assert raised.value.path == field
