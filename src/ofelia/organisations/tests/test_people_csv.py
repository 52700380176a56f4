"""People lists export their selection as CSV (issue 10 item 7): French spreadsheet
conventions, the search applied, formulas neutralised, the organisation's rows only."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from ofelia.organisations.models import ClientCompany, Learner, Role
from ofelia.organisations.testing import make_member, make_organisation

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_learner_csv_follows_the_search_and_the_organisation() -> None:
    org, other = make_organisation(slug="a-org"), make_organisation(slug="b-org")
    Learner.objects.create(organisation=org, first_name="Anne", last_name="Leroy", email="anne@a.test")
    Learner.objects.create(organisation=org, first_name="Paul", last_name="=HYPERLINK(1)", email="paul@a.test")
    Learner.objects.create(organisation=other, first_name="Anne", last_name="Autre", email="anne@b.test")
    web = Client()
    web.force_login(make_member(org, Role.STAFF))
    rows = _rows(web.get("/apprenants/", {"format": "csv"}))
    assert rows[0][:3] == ["Nom", "Prénom", "Courriel"]
    assert sorted(r[0] for r in rows[1:]) == ["'=HYPERLINK(1)", "Leroy"]
    only = _rows(web.get("/apprenants/", {"format": "csv", "q": "anne"}))
    assert [r[2] for r in only[1:]] == ["anne@a.test"]


def test_company_csv_for_staff_only() -> None:
    org = make_organisation(slug="c-org")
    ClientCompany.objects.create(organisation=org, name="Acme", siret="73282932000074")
    web = Client()
    web.force_login(make_member(org, Role.STAFF))
    rows = _rows(web.get("/clients/entreprises/", {"format": "csv"}))
    assert rows[1][:2] == ["Acme", "73282932000074"]
    web.force_login(make_member(org, Role.LEARNER))
    assert web.get("/clients/entreprises/", {"format": "csv"}).status_code == 403
