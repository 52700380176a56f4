"""E-learning in a real browser, on the demo data of LA PORTE ACADÉMIE (issue 12):
a self-funded consumer consents (RET-5) and opens the modules in any order (LRN-1); staff
upload a SCORM package (a bad one is refused in French) and publish a new version; a
CPF-funded learner sees module 2 locked until the SCORM module 1 is completed (LRN-2)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from ofelia.elearning.testing import scorm_zip
from ofelia.sales.models import Order

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

COURSE = "Montage vidéo avec Adobe Premiere Pro (certifiant)"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _open_course(page: Any) -> None:
    page.get_by_role("link", name="Mes parcours en ligne").click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE)


def test_lrn_1_ret_5_self_funded_consumer_consents_and_opens_modules_in_any_order(page: Any, results_dir: Path) -> None:
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    log_in(page, "particulier@laporte.demo")
    _open_course(page)
    expect(page.get_by_text("Avant votre premier accès")).to_be_visible()
    page.get_by_label(re.compile("Je demande à accéder immédiatement")).check()
    page.screenshot(path="/tmp/learning-consent.png", full_page=True)
    page.get_by_role("button", name="Accéder à la formation").click()
    expect(page.get_by_role("status")).to_contain_text("Consentement enregistré")
    expect(page.locator("#retraction")).to_contain_text("perdu au premier accès")
    order = Order.objects.get(consumer__email="particulier@laporte.demo",
                              contract__title=COURSE)
    assert order.digital_consent_at is not None
    assert any("Confirmation" in m.subject for m in mail.outbox)
    # LRN-1: the last module first, then the bonus, then the quiz.
    page.get_by_role("link", name="Module 5 : titrage et export").click()
    expect(page.get_by_text("Titres, sous-titres, export.")).to_be_visible()
    page.get_by_role("link", name="Retour au parcours").click()
    page.get_by_role("link", name="Bonus : les raccourcis des pros").click()
    page.get_by_role("link", name="Retour au parcours").click()
    page.get_by_role("link", name="Module 2 : montage et transitions").click()
    page.get_by_label("Ctrl+K").check()
    page.get_by_role("button", name="Valider mes réponses").click()
    expect(page.get_by_role("status")).to_contain_text("Quiz réussi (100 %)")
    expect(page.get_by_text("3/6 modules terminés (50 %)")).to_be_visible()
    page.screenshot(path="/tmp/learning-self-funded.png", full_page=True)

    # Trainer contact (item 7): the learner writes from the course, the trainer of the
    # training answers from « Messages », the learner reads the answer.
    page.get_by_role("link", name="Écrire à mon formateur").click()
    page.get_by_label("Votre message à votre formateur").fill("Bonjour, où trouver les rushes du module 3 ?")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Message envoyé à votre formateur")
    log_out(page)
    log_in(page, "formateur@laporte.demo")
    page.get_by_role("link", name="Messages (1 non lu)").click()
    expect(page.get_by_role("row").filter(has_text=COURSE)).to_contain_text("1 non lu")
    page.get_by_role("link", name=re.compile("Lire et répondre")).click()
    expect(page.locator("#thread")).to_contain_text("où trouver les rushes du module 3 ?")
    page.get_by_label("Votre réponse au stagiaire").fill("Dans le dossier « Rushes » joint au module 1.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse envoyée au stagiaire")
    page.screenshot(path=str(results_dir / "learning-trainer-thread.png"), full_page=True)
    log_out(page)
    log_in(page, "particulier@laporte.demo")
    _open_course(page)
    expect(page.get_by_text("1 nouveau message")).to_be_visible()
    page.get_by_role("link", name="Écrire à mon formateur").click()
    expect(page.locator("#thread")).to_contain_text("Dans le dossier « Rushes » joint au module 1.")
    page.screenshot(path=str(results_dir / "learning-learner-thread.png"), full_page=True)
    assert not failures, failures


def test_lrn_2_cpf_learner_unlocks_module_2_by_completing_the_scorm_module_1(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "evasion.zip"
    bad.write_bytes(scorm_zip(extra=[("../evil.html", b"x")]))
    good = tmp_path / "decouverte.zip"
    good.write_bytes(scorm_zip(title="Découverte de Premiere Pro"))

    log_in(page, "admin@laporte.demo")
    page.goto("/gestion/parcours/")
    page.get_by_role("row").filter(has_text=COURSE).get_by_role("link", name="Construire").click()
    page.get_by_role("button", name="Préparer une nouvelle version").click()
    expect(page.get_by_role("heading", name="Version 2 en préparation")).to_be_visible()
    page.get_by_label("Paquet SCORM 1.2 ou 2004 (zip)").set_input_files(str(bad))
    page.get_by_role("button", name="Téléverser le paquet").click()
    expect(page.get_by_role("status")).to_contain_text("sortirait du dossier du paquet")
    page.get_by_label("Paquet SCORM 1.2 ou 2004 (zip)").set_input_files(str(good))
    page.get_by_role("button", name="Téléverser le paquet").click()
    expect(page.get_by_role("status")).to_contain_text("Module ajouté")
    for _ in range(6):  # to the top of the course
        page.get_by_role("button", name="Monter Découverte de Premiere Pro").click()
    expect(page.get_by_role("row").nth(1)).to_contain_text("Découverte de Premiere Pro")
    page.screenshot(path="/tmp/learning-staff-course.png", full_page=True)
    page.get_by_role("button", name="Publier la version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 publiée")
    log_out(page)

    log_in(page, "cpf@laporte.demo")
    _open_course(page)
    modules = page.locator("ol.modules > li")
    expect(modules.nth(1)).to_contain_text("verrouillé")
    expect(modules.nth(1).get_by_role("link")).to_have_count(0)
    expect(page.locator("#access-rule")).to_contain_text("CGV, art. 8.2 et 8.3.1")
    page.screenshot(path="/tmp/learning-cpf-locked.png", full_page=True)
    page.get_by_role("link", name="Découverte de Premiere Pro").click()
    frame = page.frame_locator("#scorm-frame")
    expect(frame.locator("#state")).to_have_text("Module ouvert")
    frame.get_by_role("button", name="Terminer le module").click()
    expect(frame.locator("#state")).to_have_text("Terminé")
    page.screenshot(path="/tmp/learning-cpf-scorm.png", full_page=True)
    page.get_by_role("link", name="Retour au parcours").click()
    expect(modules.nth(0)).to_contain_text("terminé")
    expect(modules.nth(1).get_by_role("link", name="Module 1 : interface et organisation des rushes")).to_be_visible()
    expect(modules.nth(2)).to_contain_text("verrouillé")
    expect(page.get_by_text("1/7 modules terminés")).to_be_visible()
    page.screenshot(path="/tmp/learning-cpf-unlocked.png", full_page=True)
    log_out(page)

    log_in(page, "staff@laporte.demo")
    page.goto("/gestion/parcours/")
    page.get_by_role("row").filter(has_text=COURSE).get_by_role("link", name="Progression des stagiaires").click()
    expect(page.get_by_role("row").filter(has_text="Camille Financée")).to_contain_text("1/7")
    page.screenshot(path="/tmp/learning-staff-progress.png", full_page=True)
