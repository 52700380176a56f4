"""Issue 2, items 10-11 in a real browser: each demo role logs in and lands on its home."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

# (login, where the role lands, the heading of that home)
ROLE_HOMES = [
    ("admin@dixneuf.demo", "/gestion/", r"Tableau de bord — Campus DIXNEUF"),
    ("staff@formagogy.demo", "/gestion/", r"Tableau de bord — FORMAGOGY"),
    ("formateur@dixneuf.demo", "/espace/", r"Espace formateur"),
    ("client@laporte.demo", "/espace/", r"Espace entreprise"),
    ("stagiaire@mi4.demo", "/espace/", r"Espace apprenant"),
    ("particulier@virtualeo.demo", "/espace/", r"Espace client"),
]


def log_in(page: Any, login: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/connexion/")
    # Found by their French labels: the form is usable with a screen reader.
    page.get_by_label("Adresse e-mail ou identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize(("login", "path", "heading"), ROLE_HOMES, ids=[r[0] for r in ROLE_HOMES])
def test_each_demo_role_lands_on_its_home(page: Any, login: str, path: str, heading: str) -> None:
    log_in(page, login)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(heading))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_platform_operator_lands_on_the_django_admin(page: Any) -> None:
    log_in(page, "operateur@ofelia.demo")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Données de la plateforme")


def test_a_learner_cannot_open_the_back_office(page: Any) -> None:
    log_in(page, "stagiaire@dixneuf.demo")
    expect(page).to_have_url(re.compile(r"/espace/$"))
    response = page.goto("/gestion/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")


def test_wrong_password_shows_the_french_error_and_logs_nobody_in(page: Any) -> None:
    log_in(page, "admin@dixneuf.demo", password="pas-le-bon")
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/connexion/"))
    # Still anonymous: the back office sends us back to the login page.
    page.goto("/gestion/")
    expect(page).to_have_url(re.compile(r"/connexion/"))


def test_logout_ends_the_session(page: Any) -> None:
    log_in(page, "staff@dixneuf.demo")
    expect(page).to_have_url(re.compile(r"/gestion/$"))
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    page.goto("/gestion/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/gestion/"))


def test_staff_home_screenshot(page: Any, results_dir: Path) -> None:
    log_in(page, "admin@dixneuf.demo")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name=re.compile("navigation", re.I))).to_be_visible()
    target = results_dir / "staff-home.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000  # a rendered page, not a blank one
