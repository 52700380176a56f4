"""ACC-6 and ACC-2 in a real browser, on the demo data: a learner exercises a data right
and reads the answer; an administrator suspends an account and the person is shut out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/"))


def test_acc_6_learner_files_a_request_staff_answer_and_the_learner_reads_it(page: Any) -> None:
    log_in(page, "stagiaire@dixneuf.demo")
    page.goto("/espace/mes-donnees/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données personnelles")
    page.get_by_label("Droit que vous exercez").select_option("erasure")
    page.get_by_label("Votre message").fill("Merci d'effacer mon numéro de téléphone.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("status")).to_contain_text("réponse au plus tard le")
    expect(page.get_by_role("cell", name="Effacement")).to_be_visible()
    log_out(page)

    log_in(page, "admin@dixneuf.demo")
    page.goto("/gestion/donnees-personnelles/")
    row = page.get_by_role("row").filter(has_text="Émilie Stagiaire")
    row.get_by_role("link", name="Répondre").click()
    page.get_by_label("Répondue (demande satisfaite)").check()
    page.get_by_label("Réponse envoyée à la personne").fill("Numéro effacé le jour même.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_role("status")).to_contain_text("La réponse est enregistrée")
    log_out(page)

    log_in(page, "stagiaire@dixneuf.demo")
    page.goto("/espace/mes-donnees/")
    expect(page.get_by_role("cell", name="Numéro effacé le jour même.")).to_be_visible()


def test_acc_2_admin_suspends_an_account_and_the_person_is_refused(page: Any) -> None:
    log_in(page, "admin@formagogy.demo")
    page.goto("/utilisateurs/")
    row = page.get_by_role("row").filter(has_text="formateur@formagogy.demo")
    row.get_by_label("Motif").fill("Soupçon de partage du compte")
    row.get_by_role("button", name="Suspendre").click()
    expect(page.get_by_role("status")).to_contain_text("est suspendu")
    expect(page.get_by_role("row").filter(has_text="formateur@formagogy.demo")).to_contain_text(
        "suspendu : Soupçon de partage du compte")
    log_out(page)

    log_in(page, "formateur@formagogy.demo")
    response = page.goto("/espace/")
    assert response is not None and response.status == 403
