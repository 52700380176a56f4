"""Virtual classes (VCL-1..8, CAN-V1) and the liability cap (ACC-10)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofelia.policies import load_shipped
from ofelia.rules import classrooms
from ofelia.rules.calendars import PARIS
from ofelia.rules.classrooms import Downtime
from ofelia.rules.errors import CaseError
from ofelia.rules.outcome import Outcome, outcome_to_json
from ofelia.rules.policy import Policy, parse_policy

POLICY = load_shipped("virtualeo")[0]
TARIFF = {"machine_hour": "0.80", "storage_machine_day": "0.40",
          "outside_hours_machine_hour": "1.20", "extension_machine_hour": "1.20"}
# Own copy of cases/virtualeo-scheduled-class-deadlines.json (input and expected outcome).
SCHEDULED_CASE: dict[str, Any] = {
    "case": "virtual_class", "policy": "virtualeo", "as_of": "2026-05-21T09:00:00+02:00",
    "class": {
        "created_at": "2026-05-20T11:00:00+02:00", "mode": "scheduled",
        "start": "2026-06-02T09:00:00+02:00", "days": 3, "daily_hours": "9", "learners": 12,
        "tariff": TARIFF,
    },
    "events": [],
}
AFTER_CLASS = datetime.fromisoformat("2026-06-05T20:00:00+02:00")


def _policy_text() -> str:
    return resources.files("ofelia.policies").joinpath("virtualeo/2025.01.01.toml").read_text("utf-8")


def klass(events: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SCHEDULED_CASE)
    data["class"].update(changes)
    data["events"] = events or []
    return data


def run(data: dict[str, Any], as_of: datetime | date = AFTER_CLASS,
        policy: Policy = POLICY) -> Outcome:
    return classrooms.evaluate(classrooms.parse_case(data), policy=policy, as_of=as_of)


def use(machine: str, start: str, end: str) -> dict[str, Any]:
    return {"type": "usage", "machine": machine, "from": start, "to": end}


def amounts(out: Outcome) -> dict[str, str]:
    return {c.kind: f"{c.amount:.2f}" for c in out.charges}


# --- the example case, CAN-V1, VCL-3 ----------------------------------------------------


def test_can_v1_vcl_3_case_virtualeo_scheduled_class_deadlines() -> None:
    parsed = classrooms.parse_case(SCHEDULED_CASE)
    assert classrooms.reference_date(parsed) == date(2026, 5, 20)
    out = outcome_to_json(classrooms.evaluate(
        parsed, policy=POLICY, as_of=datetime.fromisoformat(SCHEDULED_CASE["as_of"])))
    assert out["deadlines"] == {"change_until": "2026-06-02T08:00:00+02:00",
                                "ready_by": "2026-06-02T09:00:00+02:00"}
    assert out["deadline_reasons"]["change_until"]["rule"] == "CAN-V1"
    assert "CGV, art. 6" in out["deadline_reasons"]["change_until"]["explanation"]


def test_can_v1_change_until_is_one_real_hour_before_a_start_just_after_the_dst_jump() -> None:
    # 29 March 2026: clocks go from 02:00 to 03:00; one hour before 03:30 CEST is 01:30 CET.
    out = run(klass(start="2026-03-29T03:30:00+02:00", created_at="2026-03-01T10:00:00+01:00"),
              as_of=date(2026, 3, 2))
    assert out.deadlines["change_until"] == datetime.fromisoformat("2026-03-29T01:30:00+01:00")
    assert outcome_to_json(out)["deadlines"]["change_until"] == "2026-03-29T01:30:00+01:00"


def test_can_v1_cancellation_exactly_one_hour_before_is_free() -> None:
    events = [{"type": "cancellation", "at": "2026-06-02T08:00:00+02:00"},
              use("learner-1", "2026-06-02T09:00:00+02:00", "2026-06-02T10:00:00+02:00")]
    out = run(klass(events))
    assert out.charges == ()
    assert any("rien n'est facturé" in w for w in out.warnings)


def test_can_v1_cancellation_one_second_later_is_billed_on_consumption() -> None:
    events = [{"type": "cancellation", "at": "2026-06-02T08:00:01+02:00"}]
    out = run(klass(events))
    # Machines never switched on: storage only (VCL-5), plus the creation estimate.
    assert amounts(out) == {"estimate": "296.40", "storage": "15.60"}
    assert any("facturée au consommé" in w for w in out.warnings)


def test_vcl_3_on_demand_ready_two_hours_after_validation_at_the_earliest_30_minutes() -> None:
    data = klass(mode="on_demand", created_at="2026-06-02T07:50:00+02:00",
                 validated_at="2026-06-02T08:00:00+02:00", start="2026-06-02T10:00:00+02:00")
    out = run(data, as_of=datetime.fromisoformat("2026-06-02T08:10:00+02:00"))
    assert out.deadlines["ready_by"] == datetime.fromisoformat("2026-06-02T10:00:00+02:00")
    assert out.extra["ready_from"] == "2026-06-02T08:30:00+02:00"
    assert "30 minutes" in out.deadline_reasons["ready_by"][1]


def test_vcl_3_on_demand_requires_validated_at() -> None:
    with pytest.raises(CaseError) as error:
        classrooms.parse_case(klass(mode="on_demand"))
    assert error.value.path == "class.validated_at"


def test_vcl_3_ready_after_the_deadline_is_a_breach() -> None:
    on_time = run(klass([{"type": "ready", "at": "2026-06-02T09:00:00+02:00"}]))
    assert on_time.breaches == ()
    late = run(klass([{"type": "ready", "at": "2026-06-02T09:00:01+02:00"}]))
    assert [b.deadline for b in late.breaches] == ["ready_by"]


# --- VCL-1 --------------------------------------------------------------------------------


def test_vcl_1_thirty_learners_accepted_thirty_one_refused() -> None:
    assert classrooms.parse_case(klass(learners=30)).klass.machines[-1] == "learner-30"
    with pytest.raises(CaseError) as error:
        classrooms.parse_case(klass(learners=31))
    assert error.value.path == "class.learners" and error.value.rule == "VCL-1"


def test_vcl_1_a_stricter_policy_maximum_is_enforced_at_evaluation() -> None:
    policy = parse_policy(_policy_text().replace("max_learners = 30", "max_learners = 20"))
    assert run(klass(learners=20), policy=policy).extra["machines"] == 21
    with pytest.raises(CaseError) as error:
        run(klass(learners=21), policy=policy)
    assert error.value.rule == "VCL-1"


# --- VCL-2: estimate and prices in force -----------------------------------------------


def test_vcl_2_estimate_counts_every_machine_days_hours_and_storage() -> None:
    out = run(SCHEDULED_CASE, as_of=datetime.fromisoformat("2026-05-21T09:00:00+02:00"))
    (estimate,) = out.charges
    # 13 machines × 3 days × 9 h × 0.80 = 280.80, storage 13 × 3 × 0.40 = 15.60.
    assert (estimate.kind, estimate.amount, estimate.vat) == ("estimate", Decimal("296.40"),
                                                            Decimal("59.28"))
    assert estimate.rule == "VCL-2"


def test_vcl_2_price_list_in_force_at_creation_applies() -> None:
    text = _policy_text().replace(
        "]\n\n[rules.VCL-3]",
        '  { from = "2026-06-01", machine_hour = "1.00", storage_machine_day = "0.50", '
        'outside_hours_machine_hour = "1.50", extension_machine_hour = "1.50" },\n]\n\n[rules.VCL-3]')
    policy = parse_policy(text)
    data = klass(created_at="2026-05-31T23:59:00+02:00")
    del data["class"]["tariff"]
    before = run(data, as_of=date(2026, 6, 1), policy=policy)
    assert amounts(before) == {"estimate": "296.40"}
    assert any("grille d'exemple" in w for w in before.warnings)
    data["class"]["created_at"] = "2026-06-01T00:00:00+02:00"
    after = run(data, as_of=date(2026, 6, 1), policy=policy)
    # 13 × 3 × 9 × 1.00 + 13 × 3 × 0.50
    assert amounts(after) == {"estimate": "370.50"}
    assert after.warnings == ()


# --- VCL-4 / VCL-5 / VCL-6: consumption ---------------------------------------------------


def test_vcl_6_final_invoice_only_once_the_last_window_is_over() -> None:
    data = klass([use("learner-1", "2026-06-04T09:00:00+02:00", "2026-06-04T10:00:00+02:00")])
    during = run(data, as_of=datetime.fromisoformat("2026-06-04T17:59:59+02:00"))
    assert amounts(during) == {"estimate": "296.40"}
    end = run(data, as_of=datetime.fromisoformat("2026-06-04T18:00:00+02:00"))
    assert amounts(end) == {"estimate": "296.40", "usage": "0.80", "storage": "15.60"}


def test_vcl_5_usage_straddling_the_end_of_a_window_is_split() -> None:
    out = run(klass([use("learner-3", "2026-06-02T17:30:00+02:00", "2026-06-02T18:30:00+02:00")]))
    # 30 min at 0.80 = 0.40; 30 min outside at 1.20 = 0.60.
    assert amounts(out) == {"estimate": "296.40", "usage": "0.40", "outside_hours": "0.60",
                            "storage": "15.60"}
    assert out.extra["hours"] == {"usage": "0.5000", "extension": "0.0000",
                                  "outside_hours": "0.5000", "total": "1.0000"}


def test_vcl_4_approved_extension_billed_as_extension() -> None:
    events = [{"type": "extension", "day": 2, "hours": "1", "approved": True},
              use("instructor", "2026-06-03T17:00:00+02:00", "2026-06-03T19:30:00+02:00")]
    out = run(klass(events))
    assert amounts(out) == {"estimate": "296.40", "usage": "0.80", "extension": "1.20",
                            "outside_hours": "0.60", "storage": "15.60"}
    extension = next(c for c in out.charges if c.kind == "extension")
    assert extension.rule == "VCL-4" and "CGV, art. 6" in extension.explanation


def test_vcl_4_extension_not_approved_is_billed_as_outside_hours() -> None:
    events = [{"type": "extension", "day": 2, "hours": "1", "approved": False},
              use("instructor", "2026-06-03T18:00:00+02:00", "2026-06-03T19:00:00+02:00")]
    out = run(klass(events))
    assert amounts(out) == {"estimate": "296.40", "outside_hours": "1.20", "storage": "15.60"}
    assert any("non approuvée" in w for w in out.warnings)


def test_vcl_4_extension_longer_than_the_policy_allows_is_refused() -> None:
    events = [{"type": "extension", "day": 1, "hours": "1.5", "approved": True}]
    with pytest.raises(CaseError) as error:
        run(klass(events))
    assert error.value.path == "events[0].hours" and error.value.rule == "VCL-4"


def test_vcl_5_overlapping_records_of_one_machine_count_once() -> None:
    events = [use("learner-1", "2026-06-02T09:00:00+02:00", "2026-06-02T11:00:00+02:00"),
              use("learner-1", "2026-06-02T10:00:00+02:00", "2026-06-02T12:00:00+02:00"),
              use("learner-2", "2026-06-02T10:00:00+02:00", "2026-06-02T12:00:00+02:00")]
    assert amounts(run(klass(events)))["usage"] == "4.00"  # 3 h + 2 h at 0.80


def test_vcl_5_class_days_keep_their_wall_clock_time_across_dst() -> None:
    # Day 1 on 28 March (CET), day 2 on 29 March (CEST): both windows open at 09:00 Paris.
    events = [use("learner-1", "2026-03-29T09:00:00+02:00", "2026-03-29T18:00:00+02:00")]
    data = klass(events, created_at="2026-03-01T10:00:00+01:00",
                 start="2026-03-28T09:00:00+01:00", days=2)
    out = run(data, as_of=date(2026, 3, 30))
    assert out.extra["hours"]["usage"] == "9.0000"
    assert out.extra["hours"]["outside_hours"] == "0.0000"


def test_vcl_5_one_second_of_use_is_priced_exactly() -> None:
    out = run(klass([use("learner-1", "2026-06-02T08:59:59+02:00", "2026-06-02T09:00:00+02:00")]))
    # 1.20 € / 3600 s: 0.000333… € rounds to 0.00.
    assert amounts(out)["outside_hours"] == "0.00"


MINUTE = timedelta(minutes=1)
_BASE = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 07:00 Paris, two hours before the start


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(st.tuples(st.sampled_from(["instructor", "learner-1", "learner-2"]),
                             st.integers(0, 3 * 24 * 60), st.integers(1, 16 * 60)),
                   max_size=6),
    extensions=st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["0.5", "1"]), st.booleans()),
                        max_size=3),
)
def test_vcl_5_property_usage_extension_outside_add_up_to_running_time(
    spans: list[tuple[str, int, int]], extensions: list[tuple[int, str, bool]],
) -> None:
    events = [{"type": "extension", "day": d, "hours": h, "approved": ok} for d, h, ok in extensions]
    for machine, offset, minutes in spans:
        start = _BASE + offset * MINUTE
        events.append(use(machine, start.isoformat(), (start + minutes * MINUTE).isoformat()))
    case = classrooms.parse_case(klass(events, learners=2))
    split = classrooms.split_running_time(case.klass, case.extensions, case.usages)
    assert split.usage + split.extension + split.outside_hours == split.total
    # Independent oracle: classify every running minute of every machine.
    windows = classrooms.day_windows(case.klass)
    added = classrooms.extension_windows(case.klass, case.extensions)
    seen = {"usage": 0, "extension": 0, "outside": 0}
    for machine in case.klass.machines:
        running = {(u.start - _BASE) // MINUTE + k for u in case.usages if u.machine == machine
                   for k in range((u.end - u.start) // MINUTE)}
        for m in running:
            t = _BASE + m * MINUTE
            if any(a <= t < b for a, b in windows):
                seen["usage"] += 1
            elif any(a <= t < b for a, b in added):
                seen["extension"] += 1
            else:
                seen["outside"] += 1
    assert (split.usage, split.extension, split.outside_hours) == (
        seen["usage"] * MINUTE, seen["extension"] * MINUTE, seen["outside"] * MINUTE)


# --- invalid cases ------------------------------------------------------------------------


@pytest.mark.parametrize(("events", "changes", "path"), [
    ([use("learner-13", "2026-06-02T09:00:00+02:00", "2026-06-02T10:00:00+02:00")], {},
     "events[0].machine"),
    ([use("learner-1", "2026-06-02T10:00:00+02:00", "2026-06-02T10:00:00+02:00")], {},
     "events[0].to"),
    ([{"type": "extension", "day": 4, "hours": "1", "approved": True}], {}, "events[0].day"),
    ([{"type": "cancellation", "at": "2026-05-20T10:59:59+02:00"}], {}, "events[0].at"),
    ([{"type": "reboot", "at": "2026-06-02T10:00:00+02:00"}], {}, "events[0].type"),
    ([], {"daily_hours": "0.0001"}, "class.daily_hours"),
    ([], {"daily_hours": "25"}, "class.daily_hours"),
    ([], {"validated_at": "2026-05-20T11:00:00+02:00"}, "class.validated_at"),
    ([], {"tariff": {**TARIFF, "machine_hour": 0.8}}, "class.tariff.machine_hour"),
    ([], {"colour": "blue"}, "class.colour"),
])
def test_invalid_virtual_class_names_the_field(
    events: list[dict[str, Any]], changes: dict[str, Any], path: str,
) -> None:
    with pytest.raises(CaseError) as error:
        classrooms.parse_case(klass(events, **changes))
    assert error.value.path == path


# --- VCL-7 --------------------------------------------------------------------------------


def _down(start: str, minutes: int, cause: Any = "incident", announced: str | None = None) -> Downtime:
    at = datetime.fromisoformat(start)
    return Downtime(at, at + minutes * MINUTE, cause,
                    None if announced is None else datetime.fromisoformat(announced))


def test_vcl_7_availability_boundary_in_a_month_with_the_dst_change() -> None:
    # March 2026 has 743 hours in Paris; 99.95 % allows 22.29 minutes of downtime.
    ok = classrooms.monthly_availability(2026, 3, [_down("2026-03-10T10:00:00+01:00", 22)],
                                         services_amount=Decimal("1000.00"), policy=POLICY)
    assert ok.period == timedelta(hours=743)
    assert not ok.below_target and ok.credit == Decimal("0.00")
    low = classrooms.monthly_availability(2026, 3, [_down("2026-03-10T10:00:00+01:00", 23)],
                                          services_amount=Decimal("1000.00"), policy=POLICY)
    assert low.below_target
    assert low.credit == Decimal("0.52")  # 1000 × 23 / 44 580
    assert low.percent == Decimal("99.9484")
    assert "avoir proportionnel" in low.explanation and "CGV, art. 7.1" in low.explanation


def test_vcl_7_announced_maintenance_force_majeure_third_parties_are_excluded() -> None:
    downs = [
        _down("2026-04-10T22:00:00+02:00", 60, "maintenance", "2026-04-08T22:00:00+02:00"),
        _down("2026-04-12T10:00:00+02:00", 60, "force_majeure"),
        _down("2026-04-13T10:00:00+02:00", 60, "third_party"),
    ]
    out = classrooms.monthly_availability(2026, 4, downs, services_amount=Decimal("500"),
                                          policy=POLICY)
    assert out.downtime == timedelta(0) and out.excluded == timedelta(hours=3)
    late_notice = _down("2026-04-10T22:00:00+02:00", 60, "maintenance", "2026-04-08T22:00:01+02:00")
    counted = classrooms.monthly_availability(2026, 4, [late_notice],
                                              services_amount=Decimal("500"), policy=POLICY)
    assert counted.downtime == timedelta(hours=1) and counted.below_target


def test_vcl_7_downtime_is_clipped_to_the_month_and_overlaps_count_once() -> None:
    downs = [_down("2026-04-30T23:50:00+02:00", 20), _down("2026-04-30T23:55:00+02:00", 5)]
    out = classrooms.monthly_availability(2026, 4, downs, services_amount=Decimal("0"),
                                          policy=POLICY)
    assert out.downtime == timedelta(minutes=10)


# --- VCL-8 / ACC-10 -----------------------------------------------------------------------


def test_vcl_8_onboarding_quota_one_admin_staff_two_administrators_four_trainers() -> None:
    inside = classrooms.onboarding_quota(administrative_staff=1, administrators=2, trainers=4,
                                         policy=POLICY)
    assert inside.within and inside.excess == {}
    over = classrooms.onboarding_quota(administrative_staff=1, administrators=3, trainers=5,
                                       policy=POLICY)
    assert not over.within and over.excess == {"administrators": 1, "trainers": 1}
    assert "devis" in over.explanation and "CGV, art. 7.3" in over.explanation


def test_acc_10_cap_is_20_percent_of_the_last_12_months_invoiced() -> None:
    invoices = [(date(2025, 3, 15), Decimal("10000.00")),  # exactly 12 months before: out
                (date(2025, 3, 16), Decimal("1200.00")),
                (date(2026, 3, 15), Decimal("600.50")),
                (date(2026, 3, 16), Decimal("9999.00"))]  # after the day asked: out
    cap = classrooms.liability_cap(invoices, on=date(2026, 3, 15), policy=POLICY)
    assert cap.invoiced == Decimal("1800.50") and cap.amount == Decimal("360.10")
    assert cap.rule == "ACC-10" and "CGV, art. 16" in cap.explanation


def test_acc_10_cap_is_5000_ttc_when_nothing_was_invoiced() -> None:
    cap = classrooms.liability_cap([(date(2024, 1, 1), Decimal("900"))], on=date(2026, 3, 15),
                                   policy=POLICY)
    assert cap.amount == Decimal("5000.00") and "TTC" in cap.explanation


def test_vcl_6_running_time_after_as_of_is_not_billed_yet() -> None:
    data = klass([use("learner-1", "2026-06-04T17:00:00+02:00", "2026-06-04T20:00:00+02:00")])
    at_end = run(data, as_of=datetime.fromisoformat("2026-06-04T18:00:00+02:00"))
    assert at_end.extra["hours"]["total"] == "1.0000"
    later = run(data, as_of=datetime.fromisoformat("2026-06-04T19:00:00+02:00"))
    assert later.extra["hours"] == {"usage": "1.0000", "extension": "0.0000",
                                    "outside_hours": "1.0000", "total": "2.0000"}


# --- VCL-6: storage before and after the class, additional tools (Ofelia extensions) -----

def test_vcl_6_storage_before_and_after_adds_a_storage_line_citing_vcl_6() -> None:
    data = klass([use("learner-1", "2026-06-04T09:00:00+02:00", "2026-06-04T10:00:00+02:00")],
                 storage_days_before=2, storage_days_after=1)
    out = run(data)
    storage = [c for c in out.charges if c.kind == "storage"]
    # class days: 13 machines × 3 days × 0.40; around them: 13 × (2 + 1) × 0.40
    assert [str(c.amount) for c in storage] == ["15.60", "15.60"]
    assert out.charge_total("storage", "client") == Decimal("31.20")
    assert storage[1].rule == "VCL-6" and "2 avant, 1 après" in storage[1].explanation
    assert amounts(out)["estimate"] == "312.00"  # 296.40 + the 15.60 known at creation


def test_vcl_6_without_peri_storage_nothing_changes() -> None:
    out = run(klass([use("learner-1", "2026-06-04T09:00:00+02:00", "2026-06-04T10:00:00+02:00")],
                    storage_days_before=0))
    assert amounts(out) == {"estimate": "296.40", "usage": "0.80", "storage": "15.60"}


def test_vcl_6_additional_tool_is_billed_at_its_price_on_the_final_invoice_only() -> None:
    data = klass([{"type": "tool", "name": "Licence IDE cloud", "amount": "45.5"}])
    during = run(data, as_of=datetime.fromisoformat("2026-06-03T10:00:00+02:00"))
    assert "tool" not in amounts(during)
    tool = next(c for c in run(data).charges if c.kind == "tool")
    assert (tool.amount, tool.rule) == (Decimal("45.50"), "VCL-6")
    assert "Licence IDE cloud" in tool.explanation


@pytest.mark.parametrize("change, where", [
    ({"storage_days_before": -1}, "class.storage_days_before"),
    ({"storage_days_after": "2"}, "class.storage_days_after"),
])
def test_vcl_6_bad_peri_storage_is_an_invalid_case_naming_the_field(change: dict[str, Any],
                                                                     where: str) -> None:
    with pytest.raises(CaseError) as refused:
        classrooms.parse_case(klass(**change))
    assert refused.value.path == where


def test_vcl_6_a_tool_without_price_is_an_invalid_case() -> None:
    with pytest.raises(CaseError) as refused:
        classrooms.parse_case(klass([{"type": "tool", "name": "GPU"}]))
    assert refused.value.path == "events[0].amount"


def test_vcl_5_class_days_keep_09_00_across_the_october_change_usage_and_storage() -> None:
    # 24 October 2026 (CEST), 25 (the change, back to CET), 26 (CET): every window opens at
    # 09:00 Paris; the 25th has 25 real hours but the window is still 9 hours long.
    events = [use("learner-1", f"2026-10-{d}T09:00:00{off}", f"2026-10-{d}T18:00:00{off}")
              for d, off in (("24", "+02:00"), ("25", "+01:00"), ("26", "+01:00"))]
    data = klass(events, created_at="2026-10-01T10:00:00+02:00",
                 start="2026-10-24T09:00:00+02:00", days=3)
    windows = classrooms.day_windows(classrooms.parse_case(data).klass)
    assert [w[0].astimezone(PARIS).strftime("%d %H:%M") for w in windows] == [
        "24 09:00", "25 09:00", "26 09:00"]
    out = run(data, as_of=date(2026, 10, 27))
    assert out.extra["hours"]["usage"] == "27.0000"
    assert out.extra["hours"]["outside_hours"] == "0.0000"
    # storage: 13 machines × 3 class days × 0.40, the change of time adds no day
    assert amounts(out)["storage"] == "15.60"


def test_vcl_5_an_hour_before_09_00_on_the_day_after_the_change_is_outside_hours() -> None:
    # Had day 2 opened 24 h after day 1 (08:00 CEST), 08:00–09:00 would be "usage".
    events = [use("learner-1", "2026-03-29T08:00:00+02:00", "2026-03-29T09:00:00+02:00")]
    data = klass(events, created_at="2026-03-01T10:00:00+01:00",
                 start="2026-03-28T09:00:00+01:00", days=2)
    out = run(data, as_of=date(2026, 3, 30))
    assert out.extra["hours"]["outside_hours"] == "1.0000"
    assert out.extra["hours"]["usage"] == "0.0000"


def test_vcl_5_cancelled_exactly_at_change_until_written_in_utc_is_free() -> None:
    # change_until = 08:00+02:00 = 06:00Z: the same instant, however it is written.
    free = run(klass([{"type": "cancellation", "at": "2026-06-02T06:00:00Z"}]))
    assert free.charges == ()
    billed = run(klass([{"type": "cancellation", "at": "2026-06-02T06:00:00.000001Z"}]))
    assert amounts(billed) == {"estimate": "296.40", "storage": "15.60"}
