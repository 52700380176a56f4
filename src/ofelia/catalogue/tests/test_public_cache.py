"""The public catalogue is cached per organisation for visitors, never for a signed-in user,
and any change to what it shows makes it stale."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ofelia.catalogue.models import Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations import public_pages
from ofelia.organisations.models import Role
from ofelia.sales import services as sales
from ofelia.sales.tests.conftest import make_learner, make_organisation, make_user

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _training(org: Any, title: str) -> Training:
    return Training.objects.create(organisation=org, title=title, reference=title[:10],
                                   duration_hours=Decimal("7"), price_excl_vat=Decimal("650"),
                                   objectives=f"Objectifs de {title}", is_published=True)


def _get(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_visitors_get_the_cached_page_until_the_organisation_changes_it() -> None:
    org = make_organisation("orga", "dixneuf")
    training = _training(org, "Excel avancé")
    first, queries = _get(Client(), "/o/orga/catalogue/")
    again, cached_queries = _get(Client(), "/o/orga/catalogue/")
    assert "Excel avancé" in again and cached_queries == 0 < queries
    training.title = "Excel expert"
    training.save()
    assert "Excel expert" in _get(Client(), "/o/orga/catalogue/")[0]
    _training(org, "Word")
    assert "Word" in _get(Client(), "/o/orga/catalogue/")[0]
    org.legal_name = "Nouveau nom"
    org.nda_number = "11755555575"
    org.save()
    assert "11755555575" in _get(Client(), "/o/orga/catalogue/")[0]


def test_free_seats_on_the_cached_detail_page_follow_enrolments() -> None:
    org = make_organisation("orga", "dixneuf")
    training = _training(org, "Excel avancé")
    session = TrainingSession.objects.create(organisation=org, training=training, capacity=2,
                                             start_date=date(2026, 3, 2), end_date=date(2026, 3, 2))
    path = f"/o/orga/catalogue/{training.pk}/"
    with clock.frozen(datetime(2026, 2, 2, 9, 0)):
        assert "2 places disponibles" in _get(Client(), path)[0]
        assert _get(Client(), path)[1] == 0
        sales.enrolment_create(actor=None, organisation=org, session=session, learner=make_learner(org))
        assert "1 place disponible" in _get(Client(), path)[0]


def test_never_cached_across_organisations() -> None:
    org_a, org_b = make_organisation("orga", "dixneuf"), make_organisation("orgb", "formagogy")
    _training(org_a, "Formation de A")
    _training(org_b, "Formation de B")
    page_a = _get(Client(), "/o/orga/catalogue/")[0]
    page_b = _get(Client(), "/o/orgb/catalogue/")[0]
    assert "Formation de A" in page_a and "Formation de B" not in page_a
    assert "Formation de B" in page_b and "Formation de A" not in page_b
    public_pages.bump(org_a.pk)  # A's change leaves B's copy alone
    assert _get(Client(), "/o/orgb/catalogue/")[1] == 0


def test_never_cached_for_a_signed_in_user() -> None:
    org = make_organisation("orga", "dixneuf")
    _training(org, "Excel avancé")
    staff = make_user(org, Role.STAFF)
    signed_in = Client()
    signed_in.force_login(staff)
    first, _ = _get(signed_in, "/o/orga/catalogue/")
    _, queries = _get(signed_in, "/o/orga/catalogue/")
    assert queries > 0 and ("Se déconnecter" in first or "Sign out" in first)
    # What the signed-in user saw was not kept for visitors.
    visitor, _ = _get(Client(), "/o/orga/catalogue/")
    assert staff.email not in visitor and "Sign out" not in visitor and "Se déconnecter" not in visitor
    # And a visitor's cached copy is not served to the signed-in user.
    assert _get(signed_in, "/o/orga/catalogue/")[1] > 0


def test_each_visitor_gets_their_own_working_csrf_token_from_the_cached_page() -> None:
    org = make_organisation("orga", "dixneuf")
    _training(org, "Excel avancé")
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page, _ = _get(visitor, "/o/orga/catalogue/")
        token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
        assert public_pages.CSRF_MARK.decode() not in page
        answer = visitor.post("/i18n/setlang/", {"language": "fr", "next": "/",
                                                 "csrfmiddlewaretoken": token})
        assert answer.status_code == 302
        tokens.append(token)
    assert tokens[0] != tokens[1]
