"""LEGAL-DATA.md: a half-year without a rate is asked for, never guessed; the platform
operator adds it in the product and every computation uses it at once (PEN-2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ofelia.billing.collections import run_collections
from ofelia.billing.models import DunningStep, PenaltyAssessment
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.billing.terms import invoice_terms
from ofelia.billing.tests.conftest import draft_fields
from ofelia.billing.tests.conftest import make_organisation as billing_organisation
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.legal.models import LegalDataRow
from ofelia.legal.selectors import legal_data, missing_items
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member

pytestmark = pytest.mark.django_db
H2 = date(2026, 8, 10)  # 2026-H2: no legal interest rate is shipped for it
# A row as the operator would type it (test value, not the published rate).
ROW = {"half_year": "2026-H2", "private_person": "6,40", "other": "2,31",
       "source": "Arrêté de test (JORF du …)"}


@pytest.fixture
def operator(db: Any) -> Any:
    return get_user_model().objects.create_superuser(
        username="op@ofelia.test", email="op@ofelia.test", password="x-Strong-Pass-42")


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def test_pen_2_missing_half_year_rate_is_listed_and_asked_on_staff_pages(org_a: Any, admin_a: Any,
                                                                        operator: Any) -> None:
    assert [m.table for m in missing_items(H2)] == ["legal_interest_rates"]
    assert missing_items(date(2026, 3, 1)) == []
    with clock.frozen(datetime(2026, 8, 10, 9, 0)):
        staff_page = _web(admin_a).get("/gestion/").content.decode()
        assert "taux de l&#x27;intérêt légal du semestre 2026-H2" in staff_page
        assert "opérateur de la plateforme doit la saisir" in staff_page
        page = _web(operator).get("/plateforme/donnees-legales/").content.decode()
        assert "2026-H2</strong> manquant" in page and 'href="/plateforme/donnees-legales/"' in page
        learner = make_member(org_a, Role.LEARNER)
        assert "Donnée légale manquante" not in _web(learner).get("/espace/").content.decode()


def test_pen_2_operator_adds_the_rate_and_collections_use_it_at_once(operator: Any) -> None:
    org = billing_organisation()
    terms = invoice_terms(policy_id="dixneuf", buyer_kind="professional", on=date(2026, 5, 4))
    invoice = invoice_issue(actor=None, issue_date=date(2026, 5, 4), invoice=invoice_create_draft(
        actor=None, organisation=org, **draft_fields(buyer_kind="professional", **terms.as_fields())))
    report = run_collections(as_of=H2)
    # Without the rate: named problem, no interest, but the reminder steps go on.
    assert any("2026-H2" in p for p in report.problems or [])
    assert not PenaltyAssessment.objects.filter(invoice=invoice).exists()
    assert DunningStep.objects.filter(invoice=invoice).exists()

    with clock.frozen(datetime(2026, 8, 10, 9, 0)):
        response = _web(operator).post("/plateforme/donnees-legales/", {"table": "legal_interest_rates", **ROW})
    assert response.status_code == 302
    assert legal_data().legal_rate(H2) == Decimal("2.31")
    assert missing_items(H2) == []
    assert AuditEntry.objects.filter(action="legal_data.add").count() == 1
    run_collections(as_of=H2)
    penalty = PenaltyAssessment.objects.get(invoice=invoice)
    assert penalty.interest > 0 and penalty.rule == "PEN-D2"


@pytest.mark.parametrize("row, message", [
    ({**ROW, "half_year": "2026-H3"}, "semestre invalide"),
    ({**ROW, "source": ""}, "source"),
    ({**ROW, "other": "deux"}, "other"),
])
def test_pen_2_a_bad_row_is_refused_naming_the_column_and_nothing_is_written(operator: Any, row: dict,
                                                                           message: str) -> None:
    response = _web(operator).post("/plateforme/donnees-legales/", {"table": "legal_interest_rates", **row})
    assert response.status_code == 400 and message in response.content.decode()
    assert not LegalDataRow.objects.exists() and not AuditEntry.objects.filter(action="legal_data.add").exists()


def test_pen_2_only_the_platform_operator_may_change_legal_data(org_a: Any, admin_a: Any) -> None:
    assert _web(admin_a).get("/plateforme/donnees-legales/").status_code == 403
    assert _web(admin_a).post("/plateforme/donnees-legales/",
                              {"table": "legal_interest_rates", **ROW}).status_code == 403
    assert Client().get("/plateforme/donnees-legales/").status_code == 302
    assert not LegalDataRow.objects.exists()


def test_pen_2_the_simulation_api_sees_the_operator_rows(operator: Any, org_a: Any) -> None:
    from ofelia.simulator.selectors import simulate_for

    case = {"case": "training", "policy": "dixneuf", "as_of": "2026-08-10",
            "contract": {"client": "professional", "format": "inter", "signed_on": "2026-03-01",
                         "at_distance": False, "price": "1200.00", "vat_rate": "0", "hours": "21",
                         "start": "2026-04-06", "end": "2026-04-08", "deposit": "0.00"},
            "funding": [], "events": [{"type": "invoice", "id": "F-1", "on": "2026-05-04",
                                       "amount": "1200.00", "payer": "client"}]}
    from ofelia.rules.errors import MissingLegalData

    with pytest.raises(MissingLegalData):
        simulate_for(organisation=org_a, case=case, today=H2)
    with clock.frozen(datetime(2026, 8, 10, 9, 0)):
        _web(operator).post("/plateforme/donnees-legales/", {"table": "legal_interest_rates", **ROW})
    [penalty] = simulate_for(organisation=org_a, case=case, today=H2)["penalties"]
    assert penalty["rule"] == "PEN-D2" and Decimal(penalty["interest"]) > 0
