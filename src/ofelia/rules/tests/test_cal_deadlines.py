"""CAL-1 … CAL-6 (RULES.md) read against every deadline the core computes, through the
simulation entry point, at their boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from ofelia.policies import load_shipped
from ofelia.rules.policy import parse_policy
from ofelia.rules.simulate import simulate
from ofelia.rules.tests.test_training_helpers import LEGAL, cancel, contract

# The same terms for an organisation that opted into the Alsace-Moselle holidays (CAL-4).
DIXNEUF_AM = parse_policy(
    resources.files("ofelia.policies").joinpath("dixneuf/2025.08.01.toml").read_text("utf-8")
    .replace('calendar = "national"', 'calendar = "alsace-moselle"').replace('id = "dixneuf"', 'id = "dixneuf57"'))


def policies(policy_id: str) -> Any:
    return {"dixneuf57": (DIXNEUF_AM,)}.get(policy_id) or load_shipped(policy_id)


def run(case: dict[str, Any], today: date = date(2026, 6, 30)) -> dict[str, Any]:
    return simulate(case, today=today, policies=policies, legal=LEGAL)


def training(policy: str = "dixneuf", events: Any = (), **fields: Any) -> dict[str, Any]:
    return {"case": "training", "policy": policy, "contract": contract(**fields),
            "funding": [], "events": list(events)}


# --- CAL-1: jours francs (CAN-D1 bands) -------------------------------------------------------


@pytest.mark.parametrize(("cancelled_on", "fee"), [
    ("2026-02-12", "0.00"),     # 16 March − 12 Feb − 1 = 31 jours francs
    ("2026-02-13", "600.00"),   # 30 jours francs: 25 %
    ("2026-02-23", "600.00"),   # 20
    ("2026-02-24", "1200.00"),  # 19: 50 %
    ("2026-03-10", "1200.00"),  # 5
    ("2026-03-11", "1920.00"),  # 4: 80 %
    ("2026-03-15", "1920.00"),  # the eve: 0 jour franc
])
def test_cal_1_jours_francs_exclude_the_act_day_and_the_first_day(cancelled_on, fee):
    out = run(training(events=[cancel(cancelled_on)]))
    got = sum((Decimal(c["amount"]) for c in out["charges"]
               if c["kind"] == "cancellation_fee" and c["payer"] == "client"), Decimal("0.00"))
    assert got == Decimal(fee)


# --- CAL-2: "at the latest N jours francs before" ---------------------------------------------


def test_cal_2_provider_cancel_by_leaves_10_jours_francs_before_the_first_day():
    out = run(training(start="2026-03-16", end="2026-03-18"))
    assert out["deadlines"]["provider_cancel_by"] == "2026-03-05"  # 6 … 15 March: 10 days
    late = run(training(events=[cancel("2026-03-06", by="provider")]))
    assert any("après la date limite" in w for w in late["warnings"])
    on_time = run(training(events=[cancel("2026-03-05", by="provider")]))
    assert not any("après la date limite" in w for w in on_time["warnings"])


# --- CAL-3: legal periods extended, contractual ones not ----------------------------------------


@pytest.mark.parametrize(("policy", "signed_on", "ends"), [
    ("dixneuf", "2026-03-03", "2026-03-13"),    # Friday: not moved
    ("dixneuf", "2026-03-04", "2026-03-16"),    # Saturday 14 → Monday 16
    ("dixneuf", "2026-03-27", "2026-04-07"),    # Monday 6 April is Easter Monday → Tuesday 7
    ("dixneuf", "2026-03-24", "2026-04-03"),    # Good Friday: a working day nationally
    ("dixneuf57", "2026-03-24", "2026-04-07"),  # … not in Alsace-Moselle: Friday, then
                                                # the weekend and Easter Monday → Tuesday 7
    ("dixneuf", "2025-12-16", "2025-12-26"),    # 26 December: a working day nationally
    ("dixneuf57", "2025-12-16", "2025-12-29"),  # … a holiday in Alsace-Moselle → Monday 29
])
def test_cal_3_retraction_ends_moves_past_weekends_and_holidays_of_the_region(policy, signed_on, ends):
    out = run(training(policy, client="consumer", signed_on=signed_on, start="2026-05-04",
                       end="2026-05-06"))
    assert out["deadlines"]["retraction_ends"] == ends


def test_cal_3_retraction_sent_on_the_last_day_is_valid_the_day_after_is_not():
    base = {"client": "consumer", "signed_on": "2026-03-04", "start": "2026-05-04", "end": "2026-05-06"}
    within = run(training(events=[{"type": "retraction", "on": "2026-03-16"}], **base))
    assert any(c["rule"] == "RET-3" for c in within["charges"])
    after = run(training(events=[{"type": "retraction", "on": "2026-03-17"}], **base))
    assert not any(c["rule"] == "RET-3" for c in after["charges"])


def test_cal_3_contractual_payment_term_is_not_extended_over_a_holiday():
    # PAY-D2: 30 days from the invoice of 7 March 2026 is Easter Monday 6 April: it stays.
    out = run(training(events=[{"type": "invoice", "id": "F-1", "on": "2026-03-07",
                                "amount": "2400.00", "payer": "client"}]))
    assert out["deadlines"]["payment_due"] == {"F-1": "2026-04-06"}


def test_cal_3_suspension_after_a_notice_left_without_effect_8_calendar_days():
    out = run(training("virtualeo", signed_on="2026-02-01", start="2026-02-02", end="2026-02-27",
                       events=[{"type": "invoice", "id": "F-1", "on": "2026-03-02",
                                "amount": "1000.00", "payer": "client"},
                               {"type": "formal_notice", "invoice": "F-1", "on": "2026-03-10"}]),
              today=date(2026, 3, 31))
    assert out["deadlines"]["suspension_from"] == {"F-1": "2026-03-19"}


# --- CAL-4: working days (FUN-L2) ---------------------------------------------------------------


def test_cal_4_france_travail_request_by_is_a_working_day():
    out = run(training("laporte", client="consumer", format="elearning", at_distance=True,
                       price="1490.00", signed_on="2026-02-01", start="2026-03-30", end="2026-03-30",
                       hours="35", vat_rate="20") | {
        "funding": [{"payer": "cpf", "rights": "500.00", "exempt": False},
                    {"payer": "france_travail", "requested_on": "2026-02-27"}]})
    assert out["deadlines"]["france_travail_request_by"] == "2026-02-27"  # Friday, not Sunday 1 March


# --- CAL-5: business hours (SUP-1) ----------------------------------------------------------------


@pytest.mark.parametrize(("opened_at", "take_charge_by"), [
    ("2026-03-06T17:45:00+01:00", "2026-03-06T18:00:00+01:00"),  # exactly at closing: stays
    ("2026-03-06T17:46:00+01:00", "2026-03-09T08:31:00+01:00"),  # 1 minute runs on Monday
    ("2026-03-06T18:00:00+01:00", "2026-03-09T08:45:00+01:00"),  # outside: from Monday 08:30
    ("2026-04-03T17:50:00+02:00", "2026-04-07T08:35:00+02:00"),  # Easter Monday skipped
])
def test_cal_5_take_charge_runs_inside_business_hours_only(opened_at, take_charge_by):
    out = run({"case": "ticket", "policy": "virtualeo",
               "ticket": {"priority": "critical", "opened_at": opened_at}, "events": []},
              today=date(2026, 4, 10))
    assert out["deadlines"]["take_charge_by"] == take_charge_by


# --- CAL-6: months and years ------------------------------------------------------------------------


@pytest.mark.parametrize(("notified_on", "effective_on"), [
    ("2026-11-30", "2027-01-30"), ("2026-12-31", "2027-02-28"), ("2027-12-31", "2028-02-29"),
])
def test_cal_6_terms_change_effective_two_months_later_or_the_month_end(notified_on, effective_on):
    out = run({"case": "terms_change", "policy": "mi4", "notified_on": notified_on})
    assert out["deadlines"]["effective_on"] == effective_on


@pytest.mark.parametrize(("ended", "deletion_from"), [
    ("2024-02-29", "2027-02-28"), ("2026-01-15", "2029-01-15"),
])
def test_cal_6_account_deletion_three_years_after_with_29_february(ended, deletion_from):
    out = run({"case": "account", "policy": "laporte", "policy_version": "2024.07.29",
               "account": {"training_ended_on": ended}})
    assert out["deadlines"]["deletion_from"] == deletion_from


def test_cal_6_instalments_fall_on_the_same_day_or_the_month_end():
    out = run(training("laporte", client="consumer", format="elearning", at_distance=True,
                       price="1200.00", vat_rate="20", hours="35", signed_on="2026-01-31",
                       start="2026-01-31", end="2026-12-31") | {"instalments": 4})
    assert [i["due_on"] for i in out["instalments"]] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
