"""The terms of sale as a public page and a PDF: the version in force, or the one named;
article by article in the document's order; another organisation's slug or version is a 404."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Organisation
from ofelia.simulator.terms_views import _article_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def laporte(db: object) -> Organisation:
    return Organisation.objects.create(legal_name="LA PORTE ACADÉMIE", slug="laporte", siret="73282932000074",
                                       policy_id="laporte", postal_code="60550", city="Verneuil")


def test_terms_page_shows_the_version_in_force_article_by_article(laporte: Organisation) -> None:
    with clock.frozen(datetime(2026, 12, 4, 10, 0)):
        page = Client().get("/o/laporte/conditions/").content.decode()
    assert "Conditions générales de vente" in page and "version 2024.07.29" in page
    assert "CGV, art. 10.1" in page and "14 jours" in page
    assert "(version en vigueur aujourd&#x27;hui)" in page or "(version en vigueur aujourd'hui)" in page
    assert page.index("CGV, art. 6") < page.index("CGV, art. 10.1")  # 6 before 10, not as text


def test_terms_pdf_is_a_pdf_of_the_named_version(laporte: Organisation) -> None:
    response = Client().get("/o/laporte/conditions.pdf", {"version": "2024.07.29"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "2024.07.29" in response["Content-Disposition"]


def test_unknown_organisation_or_version_is_404(laporte: Organisation) -> None:
    web = Client()
    assert web.get("/o/nobody/conditions/").status_code == 404
    assert web.get("/o/laporte/conditions/", {"version": "1999.01.01"}).status_code == 404


def test_articles_sort_by_their_numbers() -> None:
    names = ["CGV, art. 10.1", "CGV, art. 9.2", "CGV, art. 6", "Préambule"]
    assert sorted(names, key=_article_key) == ["CGV, art. 6", "CGV, art. 9.2", "CGV, art. 10.1", "Préambule"]
