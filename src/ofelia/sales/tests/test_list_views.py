"""Staff lists of quotes and contracts: search, status and date filters, CSV in French
conventions, scoped to the organisation; bad filters are ignored, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, Role

from .conftest import make_contract, make_organisation, make_session, make_user

pytestmark = pytest.mark.django_db


def _company(org: Any, name: str, siret: str = "73282932000074") -> ClientCompany:
    return ClientCompany.objects.create(organisation=org, name=name, siret=siret,
                                        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon")


@pytest.fixture
def world(db: Any) -> Any:
    org, other = make_organisation(), make_organisation("formagogy", "formagogy")
    admin = make_user(org)
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        acme = make_contract(org, admin, client=_company(org, "Acme Industrie"),
                             session=make_session(org, start=date(2026, 3, 16)))
        bolt = make_contract(org, admin, client=_company(org, "=HYPERLINK(\"x\")", "35600000000048"), sign=False,
                             session=make_session(org, start=date(2026, 5, 4)))
        theirs = make_contract(other, make_user(other), client=_company(other, "Acme Autre"),
                               session=make_session(other, start=date(2026, 3, 16)))
    web = Client()
    web.force_login(admin)
    return web, acme, bolt, theirs


def test_contract_list_searches_filters_and_stays_in_its_organisation(world: Any) -> None:
    web, acme, bolt, theirs = world
    page = web.get("/ventes/contrats/", {"q": "acme"}).content.decode()
    # Numbers restart per organisation: the other one's contract is told by its client.
    assert acme.number in page and bolt.number not in page and "Acme Autre" not in page
    page = web.get("/ventes/contrats/", {"status": "draft"}).content.decode()
    assert bolt.number in page and acme.number not in page
    page = web.get("/ventes/contrats/", {"du": "2026-04-01"}).content.decode()
    assert bolt.number in page and acme.number not in page


def test_contract_list_ignores_bad_filters_rather_than_failing(world: Any) -> None:
    web, acme, bolt, _ = world
    response = web.get("/ventes/contrats/", {"status": "nope", "du": "2026-13-45", "page": "-1",
                                             "q": "x" * 5000})
    assert response.status_code == 200


def test_contract_csv_is_french_and_neutralises_formulas(world: Any) -> None:
    web, acme, bolt, theirs = world
    response = web.get("/ventes/contrats/", {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Numéro", "Type", "Client"]
    assert {acme.number, bolt.number} == {r[0] for r in rows[1:]}
    assert not any("Acme Autre" in r[2] for r in rows)
    acme_row = next(r for r in rows if r[0] == acme.number)
    assert acme_row[4] == "16/03/2026" and "," in acme_row[7]
    assert any(r[2].startswith("'=HYPERLINK") for r in rows[1:])


def test_quote_list_and_its_csv(world: Any) -> None:
    web, *_ = world
    assert web.get("/ventes/devis/").status_code == 200
    response = web.get("/ventes/devis/", {"format": "csv", "status": "sent"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("Numéro;Client;Formation")


def test_lists_are_for_staff_only(world: Any) -> None:
    web, acme, *_ = world
    learner = make_user(acme.organisation, Role.LEARNER)
    web.force_login(learner)
    assert web.get("/ventes/contrats/").status_code == 403
    assert web.get("/ventes/devis/").status_code == 403


def test_session_list_searches_by_period_and_exports_csv(world: Any) -> None:
    web, acme, bolt, _theirs = world
    with clock.frozen(datetime(2026, 4, 1, 10, 0)):
        coming = web.get("/ventes/sessions/").content.decode()
        past = web.get("/ventes/sessions/", {"periode": "passees"}).content.decode()
        rows = web.get("/ventes/sessions/", {"periode": "toutes", "format": "csv"}).content.decode("utf-8-sig")
    assert "04/05/2026" in coming and "16/03/2026" not in coming
    assert "16/03/2026" in past and "04/05/2026" not in past
    assert rows.startswith("Formation;Référence;Début") and "16/03/2026" in rows and "04/05/2026" in rows
