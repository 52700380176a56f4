import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ofelia.policies import load_shipped
from ofelia.policies.legal import read_legal_data
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.outcome import Outcome, outcome_to_json
from ofelia.rules.policy import Policy, parse_policy
from ofelia.rules.simulate import simulate
from ofelia.rules.tickets import evaluate, parse_case, reference_date

PARIS = ZoneInfo("Europe/Paris")
LEGAL = read_legal_data(None)
VIRTUALEO = load_shipped("virtualeo")[-1]

FRIDAY_EVENING = {
    "case": "ticket", "policy": "virtualeo",
    "ticket": {"priority": "critical", "opened_at": "2026-03-06T17:30:00+01:00"},
    "events": [], "as_of": "2026-03-06T17:31:00+01:00",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def run(
    priority: str, opened_at: str, events: Sequence[tuple[str, str]] = (),
    as_of: str = "2026-12-31T00:00:00+01:00", policy: Policy = VIRTUALEO,
) -> Outcome:
    case = parse_case({"case": "ticket", "ticket": {"priority": priority, "opened_at": opened_at},
                       "events": [{"type": t, "at": a} for t, a in events]})
    return evaluate(case, policy=policy, legal=LEGAL, as_of=at(as_of) if "T" in as_of
                    else date.fromisoformat(as_of))


def deadlines(outcome: Outcome) -> Any:
    return outcome_to_json(outcome)["deadlines"]


def test_sup_1_critical_ticket_friday_evening_reproduces_the_example_case() -> None:
    result = simulate(FRIDAY_EVENING, today=date(2026, 3, 6), policies=load_shipped, legal=LEGAL)
    assert result["deadlines"] == {
        "take_charge_by": "2026-03-06T17:45:00+01:00",
        "workaround_by": "2026-03-09T10:00:00+01:00",
        "resolution_by": "2026-03-10T10:30:00+01:00",
    }
    assert result["breaches"] == []
    assert result["policy"] == "virtualeo"
    assert "CGV art. 7.3" in result["deadline_reasons"]["workaround_by"]["explanation"]
    assert result["deadline_reasons"]["take_charge_by"]["rule"] == "SUP-1"


def test_sup_1_example_case_file_when_the_specs_are_beside_the_project() -> None:
    path = Path("/work/shared/cases/virtualeo-critical-ticket-friday-evening.json")
    if not path.exists():
        pytest.skip("specs absent: the inline copy above covers the case")
    document = json.loads(path.read_text(encoding="utf-8"))
    result = simulate(document, today=date(2026, 3, 6), policies=load_shipped, legal=LEGAL)
    for name, value in document["expect"]["deadlines"].items():
        assert result["deadlines"][name] == value


def test_sup_1_important_ticket_deadlines() -> None:
    # Monday 9 March 2026 10:00: 1 h → 11:00, 4 h → 14:00, 24 h → Wed 11 at 15:00
    # (8 h Monday, 9 h 30 Tuesday, then 6 h 30 from Wednesday 08:30).
    outcome = run("important", "2026-03-09T10:00:00+01:00")
    assert deadlines(outcome) == {
        "take_charge_by": "2026-03-09T11:00:00+01:00",
        "workaround_by": "2026-03-09T14:00:00+01:00",
        "resolution_by": "2026-03-11T15:00:00+01:00",
    }


def test_sup_1_minor_ticket_has_no_workaround_deadline() -> None:
    # Monday 9 March 08:30: 12 h → Tue 10 at 11:00; 72 h = 7 windows of 9 h 30 + 5 h 30
    # → Wed 18 March at 14:00.
    outcome = run("minor", "2026-03-09T08:30:00+01:00")
    assert deadlines(outcome) == {
        "take_charge_by": "2026-03-10T11:00:00+01:00",
        "resolution_by": "2026-03-18T14:00:00+01:00",
    }


def test_sup_1_ticket_opened_on_a_weekend_starts_at_the_next_window() -> None:
    outcome = run("critical", "2026-03-07T11:00:00+01:00")
    assert deadlines(outcome)["take_charge_by"] == "2026-03-09T08:45:00+01:00"


def test_sup_1_ticket_opened_before_a_holiday_and_across_dst() -> None:
    # Thursday 30 April 17:50 + 15 min: 1 May is off → Monday 4 May 08:35 (UTC+2).
    assert deadlines(run("critical", "2026-04-30T17:50:00+02:00"))["take_charge_by"] == \
        "2026-05-04T08:35:00+02:00"
    # Friday 27 March 17:30 + 2 h, clocks change on Sunday 29 → Monday 10:00 +02:00.
    assert deadlines(run("critical", "2026-03-27T17:30:00+01:00"))["workaround_by"] == \
        "2026-03-30T10:00:00+02:00"


def test_sup_2_no_breach_when_every_event_is_on_time_even_exactly_at_the_deadline() -> None:
    outcome = run("critical", "2026-03-06T17:30:00+01:00", [
        ("taken", "2026-03-06T17:45:00+01:00"),
        ("workaround", "2026-03-09T09:00:00+01:00"),
        ("resolved", "2026-03-10T10:30:00+01:00"),
    ])
    assert outcome.breaches == ()


def test_sup_2_late_event_is_a_breach() -> None:
    outcome = run("critical", "2026-03-06T17:30:00+01:00", [
        ("taken", "2026-03-06T17:46:00+01:00"),
        ("resolved", "2026-03-09T09:00:00+01:00"),
    ])
    result = outcome_to_json(outcome)
    assert result["breaches"] == ["take_charge_by"]
    detail = result["breach_details"][0]
    assert detail["rule"] == "SUP-2"
    assert detail["due"] == "2026-03-06T17:45:00+01:00"
    assert "6 mars 2026 à 17:46" in detail["explanation"]


def test_sup_2_missing_event_is_a_breach_only_once_as_of_is_past_the_deadline() -> None:
    opened = "2026-03-06T17:30:00+01:00"
    assert run("critical", opened, as_of="2026-03-06T17:45:00+01:00").breaches == ()
    late = run("critical", opened, as_of="2026-03-06T17:45:01+01:00")
    assert [b.deadline for b in late.breaches] == ["take_charge_by"]
    assert "toujours pas intervenue" in late.breaches[0].explanation
    monday = run("critical", opened, [("taken", "2026-03-06T17:40:00+01:00")],
                 as_of="2026-03-09T10:00:01+01:00")
    assert [b.deadline for b in monday.breaches] == ["workaround_by"]


def test_sup_2_as_of_as_a_date_only_counts_deadlines_of_earlier_days() -> None:
    opened = "2026-03-06T17:30:00+01:00"
    assert [b.deadline for b in run("critical", opened, as_of="2026-03-09").breaches] == \
        ["take_charge_by"]
    assert [b.deadline for b in run("critical", opened, as_of="2026-03-11").breaches] == \
        ["take_charge_by", "workaround_by", "resolution_by"]


def test_sup_2_resolution_meets_the_earlier_deadlines_and_later_events_are_ignored() -> None:
    opened = "2026-03-06T17:30:00+01:00"
    outcome = run("critical", opened, [("resolved", "2026-03-06T17:40:00+01:00")])
    assert outcome.breaches == ()
    # Known only after as_of: not taken into account.
    future = run("critical", opened, [("taken", "2026-03-06T17:40:00+01:00")],
                 as_of="2026-03-06T17:35:00+01:00")
    assert future.breaches == ()


def test_ticket_reference_date_is_the_paris_declaration_day() -> None:
    case = parse_case({"ticket": {"priority": "minor", "opened_at": "2026-03-06T23:30:00+00:00"}})
    assert reference_date(case) == date(2026, 3, 7)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"ticket": {"priority": "urgent", "opened_at": "2026-03-06T17:30:00+01:00"}},
         "ticket.priority"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00"}}, "ticket.opened_at"),
        ({"ticket": {"priority": "minor"}}, "ticket.opened_at"),
        ({}, "ticket"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00", "x": 1}},
         "ticket.x"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00"},
          "events": [{"type": "closed", "at": "2026-03-06T18:00:00+01:00"}]}, "events[0].type"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00"},
          "events": [{"type": "taken", "at": "2026-03-06T17:00:00+01:00"}]}, "events[0].at"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00"},
          "events": [{"type": "taken", "at": "2026-03-06T17:40:00+01:00"},
                     {"type": "taken", "at": "2026-03-06T17:50:00+01:00"}]}, "events[1].type"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00"},
          "events": {}}, "events"),
        ({"ticket": {"priority": "minor", "opened_at": "2026-03-06T17:30:00+01:00"},
          "colour": "red"}, "colour"),
    ],
)
def test_ticket_invalid_cases_name_the_field(data: dict[str, Any], path: str) -> None:
    with pytest.raises(CaseError) as error:
        parse_case(data)
    assert error.value.path == path


POLICY_HEAD = """
[policy]
id = "test"
version = "1"
effective_from = "2025-01-01"
organisation = "Test"
document = "CGV"
calendar = "alsace-moselle"
"""


def test_sup_1_durations_and_hours_come_from_the_policy_and_its_calendar() -> None:
    policy = parse_policy(POLICY_HEAD + """
[rules.SUP-1]
article = "CGV art. 9"
opens = "09:00"
closes = "17:00"
[rules.SUP-1.priorities.critical]
take_charge_minutes = 30
resolution_minutes = 60
[rules.SUP-1.priorities.important]
take_charge_minutes = 60
resolution_minutes = 120
[rules.SUP-1.priorities.minor]
take_charge_minutes = 60
resolution_minutes = 120
""")
    # Thursday 2 April 2026 16:45: Good Friday is off in Alsace-Moselle, then Easter Monday.
    outcome = run("critical", "2026-04-02T16:45:00+02:00", policy=policy)
    assert deadlines(outcome) == {
        "take_charge_by": "2026-04-07T09:15:00+02:00",
        "resolution_by": "2026-04-07T09:45:00+02:00",
    }
    assert "CGV art. 9" in outcome.deadline_reasons["resolution_by"][1]


def test_sup_1_a_policy_without_the_clause_or_with_bad_hours_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="SUP-1"):
        run("critical", "2026-03-06T17:30:00+01:00", policy=parse_policy(POLICY_HEAD))
    bad = parse_policy(POLICY_HEAD + """
[rules.SUP-1]
article = "CGV art. 9"
opens = "9h"
[rules.SUP-1.priorities.critical]
take_charge_minutes = 30
resolution_minutes = 60
[rules.SUP-1.priorities.important]
take_charge_minutes = 60
resolution_minutes = 120
[rules.SUP-1.priorities.minor]
take_charge_minutes = 60
resolution_minutes = 120
""")
    with pytest.raises(PolicyError, match="heure invalide"):
        run("critical", "2026-03-06T17:30:00+01:00", policy=bad)
