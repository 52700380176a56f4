"""POST /api/v1/simulate: the outcome, problem documents naming the field, access rules."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member
from ofelia.policies import load_shipped
from ofelia.policies.legal import load_legal_data
from ofelia.rules.simulate import simulate
from ofelia.simulator.services import policy_version_create

from .policy_texts import support_policy, ticket_case

pytestmark = pytest.mark.django_db
URL = "/api/v1/simulate"


def post(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


@pytest.fixture
def staff_client(client, org_a):
    user = make_member(org_a, Role.STAFF)
    client.force_login(user)
    return client


def test_simulate_answers_the_same_outcome_as_the_core(staff_client):
    case = ticket_case("virtualeo", "2026-03-06T17:30:00+01:00")
    response = post(staff_client, case)
    assert response.status_code == 200, response.content
    expected = simulate(case, today=date(2026, 3, 6), policies=load_shipped, legal=load_legal_data())
    assert response.json() == expected
    assert response.json()["deadlines"]["take_charge_by"] == "2026-03-06T17:45:00+01:00"


def test_invalid_case_is_a_problem_document_naming_the_field(staff_client):
    response = post(staff_client, {**ticket_case("virtualeo"), "ticket": {"priority": "urgent",
                                                                          "opened_at": "2026-03-06T10:00:00+01:00"}})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "field"}
    assert problem["status"] == 400 and problem["field"] == "ticket.priority"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"case": "ticket", "policy": "nobody"}, "policy"),
        ({"case": "lottery", "policy": "virtualeo"}, "case"),
        ({**ticket_case("virtualeo"), "policy_version": "1999"}, "policy_version"),
        ({**ticket_case("virtualeo"), "as_of": "demain"}, "as_of"),
        ("{not json", ""),
    ],
)
def test_problem_documents_name_each_field(staff_client, body, field):
    response = post(staff_client, body)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_anonymous_is_refused_with_401(client, org_a):
    assert post(client, ticket_case("virtualeo")).status_code == 401


def test_a_learner_is_refused_with_403(client, org_a):
    client.force_login(make_member(org_a, Role.LEARNER))
    response = post(client, ticket_case("virtualeo"))
    assert response.status_code == 403 and response.json()["status"] == 403


def test_the_organisation_version_in_force_on_the_reference_date_governs(staff_client, org_a, admin_a):
    policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "v1", "2026-01-01", 30))
    policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "v2", "2026-04-01", 60))
    before = post(staff_client, ticket_case("maison", "2026-03-31T10:00:00+02:00")).json()
    after = post(staff_client, ticket_case("maison", "2026-04-01T10:00:00+02:00")).json()
    assert (before["policy_version"], before["deadlines"]["take_charge_by"]) == ("v1", "2026-03-31T10:30:00+02:00")
    assert (after["policy_version"], after["deadlines"]["take_charge_by"]) == ("v2", "2026-04-01T11:00:00+02:00")
    asked = post(staff_client, {**ticket_case("maison", "2026-04-01T10:00:00+02:00"), "policy_version": "v1"}).json()
    assert asked["policy_version"] == "v1"
    too_early = post(staff_client, ticket_case("maison", "2025-12-31T10:00:00+01:00"))
    assert too_early.status_code == 400 and too_early.json()["field"] == "policy_version"
    assert too_early.json()["rule"] == "ACC-4" and "2026-01-01" in too_early.json()["detail"]


def test_another_organisation_cannot_use_this_one_policy(client, org_a, admin_a, org_b):
    policy_version_create(actor=admin_a, organisation=org_a, source=support_policy("maison", "v1", "2026-01-01", 30))
    client.force_login(make_member(org_b, Role.STAFF))
    response = post(client, ticket_case("maison"))
    assert response.status_code == 400 and response.json()["field"] == "policy"


def test_missing_legal_rate_is_a_422_problem_naming_the_missing_value_then_200_once_entered(
        staff_client, django_user_model):
    """SIMULATION.md: a valid case needing legal data the product does not hold yet
    (`ofelia simulate` exits 3) answers 422 with type missing-legal-data and `missing`."""
    from ofelia.legal.services import legal_row_add
    from ofelia.rules.tests.test_simulate import H2_CASE

    response = post(staff_client, H2_CASE)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://ofelia.fr/problems/missing-legal-data"
    assert problem["missing"] == "taux de l'intérêt légal 2026-H2"
    assert "2026-H2" in problem["detail"] and problem["field"] is None
    # The platform operator enters the rate: the same case now answers 200.
    operator = django_user_model.objects.create_superuser("operateur@example.org", "x" * 12)
    legal_row_add(actor=operator, table="legal_interest_rates",
                  row={"half_year": "2026-H2", "private_person": "6.00", "other": "2.50",
                       "source": "arrêté (test)"})
    assert post(staff_client, H2_CASE).status_code == 200
