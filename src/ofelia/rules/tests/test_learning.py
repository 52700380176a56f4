"""E-learning rules (LRN-1..4, LRN-6) and digital-content retraction (RET-2, RET-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ofelia.policies import load_shipped
from ofelia.rules import learning
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.outcome import Outcome, outcome_to_json
from ofelia.rules.policy import Policy, parse_policy

POLICY = load_shipped("laporte")[0]
ALL = ["core-1", "core-2", "core-3", "core-4", "core-5", "extra-1", "extra-2", "extra-3"]


def case(funding: str = "cpf", ordered_on: str = "2026-02-01", events: list[Any] | None = None,
         **course: int) -> dict[str, Any]:
    return {
        "case": "learning", "policy": "laporte",
        "order": {"ordered_on": ordered_on, "funding": funding, "price": "1490.00"},
        "course": {"core_modules": 5, "extra_modules": 3, **course},
        "events": events or [],
    }


def run(data: dict[str, Any], as_of: date | datetime, policy: Policy = POLICY) -> Outcome:
    return learning.evaluate(learning.parse_case(data), policy=policy, as_of=as_of)


def done(*modules: int, on: str = "2026-02-10") -> list[dict[str, Any]]:
    return [{"type": "module_completed", "module": m, "on": on} for m in modules]


def test_lrn_1_case_laporte_self_funded_learner_everything_unlocked() -> None:
    # Reproduces cases/laporte-self-funded-learner-everything-unlocked.json.
    data = {
        "case": "learning", "policy": "laporte", "as_of": "2026-03-02",
        "order": {"ordered_on": "2026-03-01", "funding": "self", "price": "1490.00"},
        "course": {"core_modules": 5, "extra_modules": 3},
        "events": [],
    }
    parsed = learning.parse_case(data)
    assert learning.reference_date(parsed) == date(2026, 3, 1)
    out = outcome_to_json(learning.evaluate(parsed, policy=POLICY, as_of=date(2026, 3, 2)))
    assert out["access"]["unlocked"] == ALL
    assert out["access"]["locked"] == []
    assert out["access"]["rule"] == "LRN-1"
    assert "CGV, art. 8.2" in out["access"]["explanation"]


def test_lrn_1_self_funded_may_complete_modules_in_any_order() -> None:
    out = run(case("self", events=done(4, 2)), date(2026, 2, 20))
    assert out.extra["access"]["unlocked"] == ALL
    assert out.warnings == ()


def test_lrn_2_funded_core_unlocks_one_module_after_the_other() -> None:
    out = run(case("cpf"), date(2026, 2, 2))
    assert out.extra["access"]["unlocked"] == ["core-1"]
    assert out.extra["access"]["locked"] == ALL[1:]
    out = run(case("opco", events=done(1, 2)), date(2026, 2, 20))
    assert out.extra["access"]["unlocked"] == ["core-1", "core-2", "core-3"]
    assert "2/5 terminés" in out.extra["access"]["explanation"]


def test_lrn_2_extras_stay_locked_until_the_last_core_module_is_complete() -> None:
    four = run(case("cpf", events=done(1, 2, 3, 4)), date(2026, 2, 20))
    assert four.extra["access"]["locked"] == ["extra-1", "extra-2", "extra-3"]
    five = run(case("cpf", events=done(1, 2, 3, 4, 5)), date(2026, 2, 20))
    assert five.extra["access"]["unlocked"] == ALL
    assert five.extra["access"]["locked"] == []


def test_lrn_2_completion_after_as_of_does_not_unlock_yet() -> None:
    data = case("cpf", events=done(1, on="2026-02-10"))
    assert run(data, date(2026, 2, 9)).extra["access"]["unlocked"] == ["core-1"]
    assert run(data, date(2026, 2, 10)).extra["access"]["unlocked"] == ["core-1", "core-2"]


def test_lrn_2_module_completed_while_locked_is_reported() -> None:
    out = run(case("cpf", events=done(3)), date(2026, 2, 20))
    assert out.extra["access"]["unlocked"] == ["core-1", "core-4"]
    assert any("core-3" in w and "débloqué" in w for w in out.warnings)


def test_lrn_2_funding_not_covered_by_the_policy_is_a_policy_error() -> None:
    text = _laporte_text().replace('fundings = ["cpf", "opco", "france_travail", "faf"]',
                                   'fundings = ["cpf", "opco"]')
    with pytest.raises(PolicyError, match="faf"):
        run(case("faf"), date(2026, 2, 2), policy=parse_policy(text))


# --- RET-2 / RET-5 ------------------------------------------------------------------------


def test_ret_2_fourteen_days_from_the_order_pushed_past_the_weekend() -> None:
    # 1 Feb 2026 + 14 = Sunday 15 Feb: the period ends at the end of Monday 16 Feb (CAL-3).
    on_last_day = run(case("self"), date(2026, 2, 16))
    assert on_last_day.deadlines["retraction_ends"] == date(2026, 2, 16)
    assert on_last_day.extra["retraction_open"] is True
    assert on_last_day.deadline_reasons["retraction_ends"][0] == "RET-2"
    after = run(case("self"), date(2026, 2, 17))
    assert after.extra["retraction_open"] is False
    assert "expiré" in after.extra["retraction"]["explanation"]


def _access(consent: str | None, first: str | None) -> list[dict[str, Any]]:
    events = []
    if consent:
        events.append({"type": "access_consent", "at": consent})
    if first:
        events.append({"type": "first_access", "at": first})
    return events


def test_ret_5_consent_recorded_before_first_access_ends_the_right() -> None:
    data = case("self", events=_access("2026-02-01T10:00:00+01:00", "2026-02-01T10:05:00+01:00"))
    out = run(data, date(2026, 2, 3))
    assert out.extra["retraction_open"] is False
    assert out.extra["retraction"]["rule"] == "RET-5"
    assert "CGV, art. 10.1" in out.extra["retraction"]["explanation"]
    # The deadline itself is still shown.
    assert out.deadlines["retraction_ends"] == date(2026, 2, 16)


def test_ret_5_consent_after_first_access_keeps_the_right_until_the_period_ends() -> None:
    data = case("self", events=_access("2026-02-01T10:06:00+01:00", "2026-02-01T10:05:00+01:00"))
    assert run(data, date(2026, 2, 3)).extra["retraction_open"] is True
    assert run(data, date(2026, 2, 16)).extra["retraction_open"] is True
    assert run(data, date(2026, 2, 17)).extra["retraction_open"] is False
    warning = run(data, date(2026, 2, 3)).warnings
    assert any("faute de consentement" in w for w in warning)


def test_ret_5_consent_at_the_same_instant_as_access_is_not_before_it() -> None:
    data = case("self", events=_access("2026-02-01T10:05:00+01:00", "2026-02-01T09:05:00+00:00"))
    assert run(data, date(2026, 2, 3)).extra["retraction_open"] is True


def test_ret_5_no_consent_at_all_keeps_the_right_open() -> None:
    data = case("self", events=_access(None, "2026-02-01T10:05:00+01:00"))
    assert run(data, date(2026, 2, 10)).extra["retraction_open"] is True


def test_ret_5_access_after_as_of_instant_is_not_yet_known() -> None:
    data = case("self", events=_access("2026-02-01T10:00:00+01:00", "2026-02-01T10:05:00+01:00"))
    before = datetime.fromisoformat("2026-02-01T10:04:59+01:00")
    assert run(data, before).extra["retraction_open"] is True
    at = datetime.fromisoformat("2026-02-01T10:05:00+01:00")
    assert run(data, at).extra["retraction_open"] is False


# --- LRN-3 / LRN-4 ------------------------------------------------------------------------


def test_lrn_3_missing_lists_the_core_modules_and_the_evaluation() -> None:
    out = run(case("cpf", events=done(1, 2)), date(2026, 2, 20))
    cert = out.extra["certification"]
    assert cert == {"eligible": False, "missing": ["core-3", "core-4", "core-5", "evaluation-1"],
                    "rule": "LRN-3", "explanation": cert["explanation"]}
    assert "CGV, art. 8.3" in cert["explanation"]
    assert out.extra["progress"] == {"core_completed": 2, "core_total": 5}
    assert "certification_submission_by" not in out.deadlines


def test_lrn_3_eligible_once_every_core_module_and_every_evaluation_is_in() -> None:
    events = done(1, 2, 3, 4, 5) + [
        {"type": "evaluation_submitted", "module": 1, "on": "2026-02-20"},
        {"type": "evaluation_submitted", "module": "evaluation-2", "on": "2026-02-21"},
    ]
    data = case("self", events=events, evaluation_modules=2)
    assert run(data, date(2026, 2, 20)).extra["certification"]["missing"] == ["evaluation-2"]
    out = run(data, date(2026, 2, 21))
    assert out.extra["certification"]["eligible"] is True
    assert out.extra["certification"]["missing"] == []


def test_lrn_4_funded_31_january_plus_one_month_is_28_february() -> None:
    out = run(case("cpf", ordered_on="2026-01-05", events=done(1, 2, 3, 4, 5, on="2026-01-31")),
              date(2026, 2, 1))
    assert out.deadlines["certification_submission_by"] == date(2026, 2, 28)
    rule, text = out.deadline_reasons["certification_submission_by"]
    assert rule == "LRN-4" and "1 mois" in text and "CGV, art. 8.3.1" in text


def test_lrn_4_leap_year_31_january_plus_one_month_is_29_february() -> None:
    out = run(case("opco", ordered_on="2028-01-05", events=done(1, 2, 3, 4, 5, on="2028-01-31")),
              date(2028, 2, 1))
    assert out.deadlines["certification_submission_by"] == date(2028, 2, 29)


def test_lrn_4_self_funded_two_months_from_the_last_core_module() -> None:
    events = done(1, 2, 3, on="2026-02-10") + done(4, 5, on="2026-02-28")
    out = run(case("self", events=events), date(2026, 3, 1))
    assert out.deadlines["certification_submission_by"] == date(2026, 4, 28)


def test_lrn_4_evaluation_on_the_last_day_counts_the_day_after_does_not() -> None:
    core = done(1, 2, 3, 4, 5, on="2026-01-31")
    on_time = case("cpf", ordered_on="2026-01-05",
                   events=core + [{"type": "evaluation_submitted", "on": "2026-02-28"}])
    out = run(on_time, date(2026, 3, 10))
    assert out.extra["certification"]["eligible"] is True and out.breaches == ()
    late = case("cpf", ordered_on="2026-01-05",
                events=core + [{"type": "evaluation_submitted", "on": "2026-03-01"}])
    out = run(late, date(2026, 3, 10))
    assert out.extra["certification"]["missing"] == ["evaluation-1"]
    assert [b.deadline for b in out.breaches] == ["certification_submission_by"]


def test_lrn_4_breach_when_as_of_passes_the_deadline_without_evaluation() -> None:
    data = case("cpf", ordered_on="2026-01-05", events=done(1, 2, 3, 4, 5, on="2026-01-31"))
    assert run(data, date(2026, 2, 28)).breaches == ()
    (breach,) = run(data, date(2026, 3, 1)).breaches
    assert breach.rule == "LRN-4" and breach.due == date(2026, 2, 28)


def test_lrn_4_months_are_policy_data() -> None:
    policy = parse_policy(_laporte_text().replace("months_funded = 1", "months_funded = 3"))
    out = run(case("cpf", ordered_on="2026-01-05", events=done(1, 2, 3, 4, 5, on="2026-01-31")),
              date(2026, 2, 1), policy=policy)
    assert out.deadlines["certification_submission_by"] == date(2026, 4, 30)


# --- LRN-6 --------------------------------------------------------------------------------


def test_lrn_6_access_kept_at_least_twelve_months_after_the_company_stops() -> None:
    until, text = learning.access_kept_until(date(2028, 2, 29), POLICY)
    assert until == date(2029, 2, 28)
    assert "12 mois" in text and "CGV, art. 10.3" in text
    assert learning.access_kept_until(date(2026, 6, 30), POLICY)[0] == date(2027, 6, 30)


# --- invalid cases ------------------------------------------------------------------------


@pytest.mark.parametrize(("mutate", "path"), [
    (lambda d: d["order"].update(funding="bank"), "order.funding"),
    (lambda d: d["order"].update(at_distance=True), "order.at_distance"),
    (lambda d: d.update(surprise=1), "surprise"),
    (lambda d: d["course"].update(core_modules=0), "course.core_modules"),
    (lambda d: d["events"].append({"type": "module_completed", "module": 6, "on": "2026-02-02"}),
     "events[0].module"),
    (lambda d: d["events"].append({"type": "module_completed", "module": "extra-4",
                                   "on": "2026-02-02"}), "events[0].module"),
    (lambda d: d["events"].append({"type": "module_completed", "module": 1, "on": "2026-01-31"}),
     "events[0]"),
    (lambda d: d["events"].append({"type": "first_access", "at": "2026-02-01T10:00:00"}),
     "events[0].at"),
    (lambda d: d["events"].append({"type": "logout", "on": "2026-02-02"}), "events[0].type"),
])
def test_invalid_learning_case_names_the_field(mutate: Any, path: str) -> None:
    data = case("cpf")
    mutate(data)
    with pytest.raises(CaseError) as error:
        learning.parse_case(data)
    assert error.value.path == path


def test_as_of_before_the_order_is_refused() -> None:
    with pytest.raises(CaseError) as error:
        run(case("cpf"), date(2026, 1, 31))
    assert error.value.path == "as_of"


def _laporte_text() -> str:
    from importlib import resources

    return resources.files("ofelia.policies").joinpath("laporte/2024.07.29.toml").read_text("utf-8")
