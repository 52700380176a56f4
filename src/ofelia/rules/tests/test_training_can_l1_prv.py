"""CAN-L1 (a funder refuses after an online order), PRV-F1 (delivery delay, rescission,
complaints) and PRV-X (remote delivery under exceptional circumstances): Ofelia's own
training events `funding_refused`, `delivery`, `rescission`, `complaint`, `remote_switch`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ofelia.policies import load_shipped
from ofelia.rules.errors import CaseError
from ofelia.rules.simulate import simulate
from ofelia.rules.tests.test_training_helpers import (
    LEGAL,
    cancel,
    lines,
    refund,
    run,
    total,
    training,
)

LAPORTE = {"client": "consumer", "format": "elearning", "at_distance": True, "price": "1490.00",
           "signed_on": "2026-03-01", "start": "2026-03-31", "end": "2026-03-31"}
LAPORTE_PRO = {**LAPORTE, "client": "professional"}
TOP_UP = [{"payer": "cpf", "rights": "500.00", "exempt": False},
          {"payer": "france_travail", "requested_on": "2026-02-01"}]
# FORMAGOGY: a service promised for 30 November 2025, 30 % deposit at the order.
FORMAGOGY = {"format": "service", "signed_on": "2025-10-01", "start": "2025-11-30",
             "end": "2025-11-30", "price": "10000.00", "vat_rate": "20"}


def refused(payer: str, on: str = "2026-03-10") -> dict[str, Any]:
    return {"type": "funding_refused", "on": on, "payer": payer}


def event(kind: str, on: str) -> dict[str, Any]:
    return {"type": kind, "on": on}


# --- CAN-L1 ------------------------------------------------------------------------------------


def test_can_l1_opco_refusal_after_the_order_the_client_owes_the_whole_price():
    outcome = run(training(**LAPORTE_PRO, funding=[{"payer": "opco", "amount": "1000.00"}],
                           events=[refused("opco")]), "laporte")
    assert total(outcome, "price", "opco") == Decimal("0.00")
    assert total(outcome, "price", "client") == Decimal("1490.00")
    client = lines(outcome, "price", "client")[0]
    assert client.rule == "CAN-L1"
    assert "après la commande du 1er mars 2026" in client.explanation
    assert client.explanation.endswith("(CGV, art. 7.2).")
    assert lines(outcome, "price", "opco")[0].rule == "CAN-L1"


def test_can_l1_without_refusal_the_opco_still_pays_its_part():
    outcome = run(training(**LAPORTE_PRO, funding=[{"payer": "opco", "amount": "1000.00"}]), "laporte")
    assert total(outcome, "price", "opco") == Decimal("1000.00")
    assert total(outcome, "price", "client") == Decimal("490.00")
    assert lines(outcome, "price", "client")[0].rule == "FUN-L3"


def test_can_l1_faf_refusal_neither_cancels_nor_refunds_the_order():
    outcome = run(training(**LAPORTE, funding=[{"payer": "faf"}], events=[refused("faf")]), "laporte")
    assert total(outcome, "price", "client") == Decimal("1490.00")
    assert lines(outcome, "price", "client")[0].rule == "FUN-L4"
    assert outcome.refunds == ()
    said = [w for w in outcome.warnings if "refusée par le FAF le 10 mars 2026" in w]
    assert len(said) == 1
    assert "ni annulée ni remboursée" in said[0] and said[0].endswith("(CGV, art. 7.3).")


@pytest.mark.parametrize("payer", ["cpf", "france_travail"])
def test_can_l1_cpf_top_up_refused_the_learner_pays_the_remainder_or_cancels(payer):
    outcome = run(training(**LAPORTE, funding=TOP_UP, events=[refused(payer, "2026-03-20")]), "laporte")
    remainder = lines(outcome, "remaining_charge", "learner")
    assert [(r.amount, r.rule) for r in remainder] == [(Decimal("990.00"), "CAN-L1")]
    assert "ou annule sa commande" in remainder[0].explanation
    assert remainder[0].explanation.endswith("(CGV, art. 7.1.2).")
    assert total(outcome, "price", "cpf") == Decimal("500.00")


def test_can_l1_cpf_top_up_refused_then_cancelled_nothing_owed_and_paid_refunded():
    outcome = run(training(**LAPORTE, funding=TOP_UP,
                           events=[refused("france_travail", "2026-03-20"), cancel("2026-03-21")]),
                  "laporte")
    assert total(outcome, "remaining_charge", "learner") == Decimal("0.00")
    assert total(outcome, "price", "cpf") == Decimal("0.00")
    assert refund(outcome, "learner") == Decimal("990.00")
    assert {c.rule for c in outcome.charges} == {"CAN-L1"}


def test_can_l1_cancellation_before_the_refusal_is_not_covered_by_it():
    # Cancelled on 19 March, refused on 20 March: LA PORTE has no cancellation clause.
    outcome = run(training(**LAPORTE, funding=TOP_UP,
                           events=[cancel("2026-03-19"), refused("france_travail", "2026-03-20")]),
                  "laporte")
    assert not any(c.rule == "CAN-L1" and c.kind == "price" and c.payer == "client"
                   for c in outcome.charges)
    assert any("aucune clause d'annulation" in w for w in outcome.warnings)


def test_can_l1_refusal_of_a_funder_not_declared_is_an_invalid_case():
    with pytest.raises(CaseError) as error:
        run(training(**LAPORTE, events=[refused("opco")]), "laporte")
    assert error.value.path == "events[0].payer" and error.value.rule == "CAN-L1"


def test_can_l1_refusal_with_an_unknown_payer_names_the_field():
    with pytest.raises(CaseError) as error:
        run(training(**LAPORTE, funding=[{"payer": "faf"}], events=[refused("employer")]), "laporte")
    assert error.value.path == "events[0].payer"


def test_can_l1_policy_without_the_clause_warns_and_computes_as_before():
    plain = run(training(funding=[{"payer": "opco", "amount": "1500.00", "agreement_on": "2026-01-20"}]))
    outcome = run(training(funding=[{"payer": "opco", "amount": "1500.00", "agreement_on": "2026-01-20"}],
                           events=[refused("opco", "2026-02-01")]))
    assert outcome.charges == plain.charges
    assert any("refusée par l'OPCO le 1er février 2026" in w and "aucune clause" in w
               for w in outcome.warnings)


# --- PRV-F1 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "accepted"), [
    ("2026-02-28", False),  # 30 November + 3 months = 28 February (CAL-6): still the 3 months
    ("2026-03-01", True),   # the day after: more than 3 calendar months late
])
def test_prv_f1_rescission_boundary_after_3_calendar_months(on, accepted):
    outcome = run(training(**FORMAGOGY, events=[event("rescission", on)]), "formagogy")
    assert outcome.deadlines["rescission_from"] == date(2026, 3, 1)
    assert outcome.deadline_reasons["rescission_from"][0] == "PRV-F1"
    if accepted:
        assert total(outcome, "price", "client") == Decimal("0.00")
        assert total(outcome, "deposit", "client") == Decimal("0.00")
        # the 30 % deposit, 3 000 € + 20 % VAT, comes back
        assert refund(outcome) == Decimal("3600.00") and outcome.refunds[0].rule == "PRV-F1"
        assert not outcome.warnings
    else:
        assert total(outcome, "deposit", "client") == Decimal("3000.00")
        assert total(outcome, "price", "client") == Decimal("7000.00")
        assert outcome.refunds == ()
        assert any("refusée (PRV-F1)" in w and "à partir du 1er mars 2026" in w
                   for w in outcome.warnings)


@pytest.mark.parametrize(("start", "rescission_from"), [
    ("2025-11-30", date(2026, 3, 1)),   # 28 February 2026
    ("2023-11-30", date(2024, 3, 1)),   # 29 February 2024 (leap year)
    ("2026-01-31", date(2026, 5, 1)),   # 30 April
    ("2026-03-15", date(2026, 6, 16)),  # same day number
])
def test_prv_f1_month_end_clamping(start, rescission_from):
    outcome = run(training(**{**FORMAGOGY, "signed_on": "2023-10-01", "start": start, "end": start}),
                  "formagogy")
    assert outcome.deadlines["rescission_from"] == rescission_from


def test_prv_f1_rescission_refunds_the_payments_received():
    outcome = run(training(**FORMAGOGY, events=[
        {"type": "invoice", "id": "A-1", "on": "2025-10-01", "amount": "3600.00", "payer": "client"},
        {"type": "payment", "invoice": "A-1", "on": "2025-10-05", "amount": "3600.00"},
        event("rescission", "2026-03-02")]), "formagogy")
    assert refund(outcome) == Decimal("3600.00")
    assert "(CGV, art. 5.1, 5.3 et 6)." in outcome.refunds[0].explanation


def test_prv_f1_rescission_after_delivery_is_refused():
    outcome = run(training(**FORMAGOGY, events=[event("delivery", "2026-03-05"),
                                                event("rescission", "2026-03-10")]), "formagogy")
    assert outcome.refunds == ()
    assert total(outcome, "price", "client") == Decimal("7000.00")
    assert any("refusée (PRV-F1)" in w and "fournie le 5 mars 2026" in w for w in outcome.warnings)


def test_prv_f1_late_delivery_leaves_the_rescission_open_until_then():
    outcome = run(training(**FORMAGOGY, events=[event("rescission", "2026-03-03"),
                                                event("delivery", "2026-03-05")]), "formagogy")
    assert outcome.deadlines["rescission_from"] == date(2026, 3, 1)
    assert refund(outcome) == Decimal("3600.00")


def test_prv_f1_delivery_in_time_no_rescission_deadline():
    outcome = run(training(**FORMAGOGY, events=[event("delivery", "2026-02-28")]), "formagogy")
    assert "rescission_from" not in outcome.deadlines
    assert outcome.deadlines["complaints_by"] == date(2026, 3, 7)


@pytest.mark.parametrize(("on", "late"), [
    ("2026-01-17", False),  # 7th day after the delivery of 10 January
    ("2026-01-18", True),   # 8th day
])
def test_prv_f1_complaints_within_7_days_of_delivery(on, late):
    outcome = run(training(**FORMAGOGY, events=[event("delivery", "2026-01-10"),
                                                event("complaint", on)]), "formagogy")
    assert outcome.deadlines["complaints_by"] == date(2026, 1, 17)
    assert outcome.deadline_reasons["complaints_by"][0] == "PRV-F1"
    if late:
        (breach,) = outcome.breaches
        assert (breach.deadline, breach.due, breach.rule) == ("complaints_by", date(2026, 1, 17), "PRV-F1")
        assert "18 janvier 2026" in breach.explanation
    else:
        assert outcome.breaches == ()


def test_prv_f1_policy_without_the_clause_ignores_the_rescission_with_a_warning():
    outcome = run(training(events=[event("rescission", "2026-06-20")]))
    assert "rescission_from" not in outcome.deadlines
    assert total(outcome, "price", "client") == Decimal("2400.00")
    assert any("Demande de résolution du 20 juin 2026 sans effet" in w for w in outcome.warnings)


def test_prv_f1_parameters_are_read_from_the_policy():
    clause = load_shipped("formagogy")[-1].clauses["PRV-F1"]
    assert (clause.get("delay_months"), clause.get("complaint_days")) == (3, 7)


# --- PRV-X -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("client", "article"), [
    ("professional", "(CGV Partie 2, art. 6)."),
    ("consumer", "(CGV Partie 1, art. 7)."),
])
def test_prv_x_remote_switch_refunds_nothing(client, article):
    outcome = run(training(client=client, events=[event("remote_switch", "2026-03-10")]))
    (line,) = outcome.refunds
    assert (line.amount, line.rule) == (Decimal("0.00"), "PRV-X")
    assert "ne donne droit au remboursement d'aucun montant" in line.explanation
    assert line.explanation.endswith(article)
    assert total(outcome, "price", "client") == Decimal("2400.00")


def test_prv_x_a_later_cancellation_follows_its_own_rule():
    # 9 jours francs before the start of 16 March: CAN-D1 charges 50 %.
    outcome = run(training(events=[event("remote_switch", "2026-03-01"), cancel("2026-03-06")]))
    assert total(outcome, "cancellation_fee", "client") == Decimal("1200.00")
    assert lines(outcome, "cancellation_fee", "client")[0].rule == "CAN-D1"
    assert [r.rule for r in outcome.refunds] == ["PRV-X"]


def test_prv_x_policy_without_the_clause_warns():
    outcome = run(training(format="service", events=[event("remote_switch", "2026-03-10")]), "formagogy")
    assert outcome.refunds == ()
    assert any("Passage à distance le 10 mars 2026" in w and "aucune clause" in w
               for w in outcome.warnings)


# --- through the simulation entry point (SIMULATION.md shapes) ---------------------------------


def _simulate(case: dict[str, Any]) -> dict[str, Any]:
    return simulate(case, today=date(2026, 6, 30), policies=load_shipped, legal=LEGAL)


def test_can_l1_prv_f1_prv_x_simulation_json_in_and_out():
    opco = _simulate({**training(**LAPORTE_PRO, funding=[{"payer": "opco", "amount": "1000.00"}],
                                 events=[refused("opco")]), "policy": "laporte", "as_of": "2026-04-01"})
    assert {(c["payer"], c["amount"], c["rule"]) for c in opco["charges"]} == {
        ("opco", "0.00", "CAN-L1"), ("client", "1490.00", "CAN-L1")}

    late = _simulate({**training(**FORMAGOGY, events=[event("delivery", "2026-01-10"),
                                                      event("complaint", "2026-01-18")]),
                      "policy": "formagogy", "as_of": "2026-02-01"})
    assert late["deadlines"]["complaints_by"] == "2026-01-17"
    assert late["deadline_reasons"]["complaints_by"]["rule"] == "PRV-F1"
    assert late["breaches"] == ["complaints_by"]

    rescinded = _simulate({**training(**FORMAGOGY, events=[event("rescission", "2026-03-01")]),
                           "policy": "formagogy", "as_of": "2026-03-02"})
    assert rescinded["deadlines"]["rescission_from"] == "2026-03-01"
    assert rescinded["refunds"][0]["amount"] == "3600.00"
    assert rescinded["refunds"][0]["rule"] == "PRV-F1"

    remote = _simulate({**training(events=[event("remote_switch", "2026-03-10")]),
                        "policy": "dixneuf", "as_of": "2026-04-01"})
    assert remote["refunds"] == [{"payee": "client", "amount": "0.00", "rule": "PRV-X",
                                  "explanation": remote["refunds"][0]["explanation"]}]


@pytest.mark.parametrize(("raw", "path"), [
    ({"type": "funding_refused", "on": "2026-03-10"}, "events[0].payer"),
    ({"type": "delivery", "on": "10/03/2026"}, "events[0].on"),
    ({"type": "rescission"}, "events[0].on"),
    ({"type": "remote_switch", "on": "2026-03-10", "mode": "visio"}, "events[0].mode"),
])
def test_can_l1_prv_f1_prv_x_invalid_events_name_the_field(raw, path):
    case = {**training(**LAPORTE, funding=[{"payer": "faf"}], events=[raw]), "policy": "laporte"}
    with pytest.raises(CaseError) as error:
        _simulate(case)
    assert error.value.path == path


def test_prv_f1_every_start_of_2026_rescission_from_is_the_day_after_3_months():
    start = date(2026, 1, 1)
    while start.year == 2026:
        outcome = run(training(**{**FORMAGOGY, "start": start.isoformat(), "end": start.isoformat()}),
                      "formagogy")
        day = outcome.deadlines["rescission_from"]
        assert isinstance(day, date)
        last = day - timedelta(days=1)
        # the last day of the 3 months: same day number, or the month's last day (CAL-6)
        assert (last.year * 12 + last.month) - (start.year * 12 + start.month) == 3
        assert last.day == start.day or (last.day < start.day and (last + timedelta(days=1)).day == 1)
        start += timedelta(days=1)
