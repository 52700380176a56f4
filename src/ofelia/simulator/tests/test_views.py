"""The staff panel at /simulation/: htmx result tables, policy versions, access."""

from __future__ import annotations

import json

import pytest

from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member
from ofelia.simulator.models import PolicyVersion

from .policy_texts import support_policy, ticket_case

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff_client(client, org_a):
    client.force_login(make_member(org_a, Role.STAFF))
    return client


def test_panel_is_french_and_offers_form_and_json(staff_client):
    page = staff_client.get("/simulation/").content.decode()
    assert "Simulation" in page and "Cas JSON" in page and "Annulation par le client le" in page
    assert 'hx-post="/simulation/run/"' in page


def test_panel_refuses_learners_and_sends_anonymous_to_login(client, org_a):
    assert client.get("/simulation/").status_code == 302
    client.force_login(make_member(org_a, Role.LEARNER))
    assert client.get("/simulation/").status_code == 403


def test_json_case_result_shows_deadlines_with_rule_and_explanation(staff_client):
    body = {"mode": "json", "case_json": json.dumps(ticket_case("virtualeo", "2026-03-06T17:30:00+01:00"))}
    page = staff_client.post("/simulation/run/", body, **HTMX).content.decode()
    assert "Prise en charge au plus tard" in page and "2026-03-06T17:45:00+01:00" in page
    assert "SUP-1" in page and "<html" not in page


def test_invalid_json_case_names_the_field(staff_client):
    body = {"mode": "json", "case_json": json.dumps({"case": "ticket", "policy": "nobody"})}
    page = staff_client.post("/simulation/run/", body, **HTMX).content.decode()
    assert "Cas invalide" in page and "<code>policy</code>" in page
    full = staff_client.post("/simulation/run/", {"mode": "json", "case_json": "{oops"})
    assert full.status_code == 400 and "JSON mal formé" in full.content.decode()


def test_training_form_builds_the_case_and_shows_the_cancellation_fee(staff_client):
    body = {
        "mode": "form", "policy": "dixneuf", "as_of": "2026-03-20", "client": "professional", "format": "inter",
        "signed_on": "2026-01-12", "start": "2026-03-16", "end": "2026-03-16", "price": "2400.00",
        "vat_rate": "0", "hours": "21", "deposit": "0", "opco_amount": "1500.00",
        "cancellation_on": "2026-03-06", "cancellation_reason": "other",
    }
    response = staff_client.post("/simulation/run/", body, **HTMX)
    page = response.content.decode()
    assert "Dédommagement d&#x27;annulation" in page and "1\u00a0200,00\u00a0€" in page and "CAN-D1" in page, page


def test_training_form_errors_are_shown(staff_client):
    page = staff_client.post("/simulation/run/", {"mode": "form", "policy": "dixneuf"}, **HTMX).content.decode()
    assert "Formulaire incomplet" in page and "<code>price</code>" in page


def test_administrator_lints_then_saves_a_policy_version(client, org_a, admin_a):
    client.force_login(admin_a)
    source = support_policy("maison", "2026.01.01", "2026-01-01", 30)
    lint = client.post("/simulation/policies/new/", {"source": source.replace('summary = "Délais de support en heures ouvrées."\n', ""), "action": "lint"}, **HTMX)
    assert "0 erreur, 1 avertissement" in lint.content.decode()
    bad = client.post("/simulation/policies/new/", {"source": "[policy]\nid = 1\n", "action": "save"})
    assert bad.status_code == 200 and "policy.id" in bad.content.decode()
    saved = client.post("/simulation/policies/new/", {"source": source, "action": "save"})
    assert saved.status_code == 302 and PolicyVersion.objects.get().policy_id == "maison"
    listing = client.get("/simulation/policies/").content.decode()
    assert "maison" in listing and "en vigueur" in listing and "dixneuf" in listing


def test_staff_cannot_add_policy_versions(staff_client):
    assert staff_client.get("/simulation/policies/new/").status_code == 403
    assert staff_client.get("/simulation/policies/").status_code == 200


def test_outcome_reads_in_french_amounts_and_instants() -> None:
    from ofelia.simulator.views import _present

    shown = _present({"policy": "virtualeo", "policy_version": "2025.01.01", "as_of": "2026-05-20T12:00:00+02:00",
                      "deadlines": {"change_until": "2026-06-02T08:00:00+02:00"},
                      "charges": [{"kind": "estimate", "payer": "client", "amount": "296.40", "vat": "59.28",
                                   "rule": "VCL-2", "explanation": "…"}]})
    assert shown["as_of"] == "20 mai 2026 à 12:00"
    assert shown["deadlines"][0]["value"] == "2 juin 2026 à 08:00"
    assert shown["charges"][0]["amount"] == "296,40\u00a0€" and shown["charges"][0]["due_on"] is None
