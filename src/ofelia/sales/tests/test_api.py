"""`/api/v1` sessions, enrolments, contracts and events: scoped, refusals with the rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role

from .conftest import make_contract, make_learner, make_session, make_user


def _api(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_enrolment_then_waitlist_and_roster(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1)
    api = _api(admin)
    first = api.post(f"/api/v1/sessions/{session.pk}/enrolments",
                     {"learner_id": make_learner(org).pk}, content_type="application/json")
    second = api.post(f"/api/v1/sessions/{session.pk}/enrolments",
                      {"learner_id": make_learner(org).pk}, content_type="application/json")
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    assert (second.status_code, second.json()["status"]) == (201, "waitlisted")
    sessions = api.get("/api/v1/sessions").json()
    assert [(s["confirmed"], s["waitlisted"]) for s in sessions] == [(1, 1)]
    roster = api.get(f"/api/v1/sessions/{session.pk}/enrolments").json()
    assert [r["status"] for r in roster] == ["confirmed", "waitlisted"]


def test_api_event_outcome_and_refusal_with_rule(org: Any, admin: Any, company: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contract = make_contract(org, admin, client=company,
                                 session=make_session(org, start=date(2026, 3, 16)))
    api = _api(admin)
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        refused = api.post(f"/api/v1/contracts/{contract.pk}/events",
                           {"type": "cancellation", "on": "2026-03-06", "by": "provider",
                            "reason": "other"}, content_type="application/json")
        created = api.post(f"/api/v1/contracts/{contract.pk}/events",
                           {"type": "cancellation", "on": "2026-03-06", "by": "client",
                            "reason": "other"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["rule"] == "PRV-D1"
    assert created.status_code == 201
    fee = [c for c in created.json()["outcome"]["charges"] if c["kind"] == "cancellation_fee"
           and c["payer"] == "client"]
    assert fee[0]["amount"] == "1200.00" and fee[0]["rule"] == "CAN-D1"
    events = api.get(f"/api/v1/contracts/{contract.pk}/events").json()
    assert [e["type"] for e in events] == ["cancellation"]
    case = api.get(f"/api/v1/contracts/{contract.pk}/case?as_of=2026-03-20").json()
    assert case["contract"]["signed_on"] == "2026-01-12" and case["policy_version"] == "2025.08.01"


def test_api_organisation_b_sees_nothing_of_a(org: Any, admin: Any, company: Any,
                                              other_org: Any) -> None:
    contract = make_contract(org, admin, client=company)
    api = _api(make_user(other_org, Role.ADMINISTRATOR))
    assert api.get("/api/v1/contracts").json() == []
    assert api.get(f"/api/v1/contracts/{contract.pk}").status_code == 404
    assert api.get(f"/api/v1/sessions/{contract.session_id}/enrolments").status_code == 404
    assert api.get("/api/v1/sessions").json() == []


def test_api_refuses_learners_and_anonymous(org: Any, admin: Any) -> None:
    learner_user = make_user(org, Role.LEARNER)
    assert _api(learner_user).get("/api/v1/contracts").status_code == 403
    assert Client().get("/api/v1/contracts").status_code == 401
