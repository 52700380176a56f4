"""Quality in a real browser, on the demo data: staff open the BPF of the demo year from
the « Qualité » menu, read the checker, follow a figure to its rows and export CSV and PDF;
a client lodges a complaint from the extranet, the administrator (quality manager)
answers and closes it, and the client reads the answer."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.core import clock

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]
STAFF, ADMIN, CLIENT = "staff@dixneuf.demo", "admin@dixneuf.demo", "client@dixneuf.demo"


def test_staff_open_the_bpf_read_the_checker_and_export_csv_and_pdf(page: Any) -> None:
    year = clock.today().year
    log_in(page, STAFF)
    page.locator("summary", has_text="Qualité").click()
    page.get_by_role("link", name="Bilan pédagogique et financier").click()
    page.get_by_label("Exercice").select_option(str(year))
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan pédagogique et financier {year}")
    checker = page.get_by_test_id("bpf-checker")
    expect(checker).to_contain_text("Points à vérifier avant l'export")
    expect(checker).to_contain_text("catégorie BPF de l'entreprise cliente non renseignée")
    total = page.get_by_test_id("fig-C_total")
    expect(total).to_have_text(re.compile(r"^[1-9][\d\u202f\u00a0 ]*,\d\d €$"))
    page.screenshot(path="/tmp/quality-1-bpf.png", full_page=True)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Exporter en CSV").click()
    text = open(csv_download.value.path(), encoding="utf-8").read()
    assert text.startswith("\ufeffCadre;Ligne;Libellé;Montant HT (€)")
    assert re.search(r";C_total;Total des produits;\d+,\d\d;", text)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Exporter en PDF").click()
    pdf = pdf_download.value.path()
    assert open(pdf, "rb").read(4) == b"%PDF"
    shutil.copy(pdf, "/tmp/quality-bpf.pdf")

    total.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("C_total — Total des produits")
    expect(page.get_by_role("row").nth(1)).to_contain_text("F-0000")
    page.screenshot(path="/tmp/quality-2-drilldown.png", full_page=True)
    log_out(page)


def test_client_lodges_a_complaint_staff_answer_and_close_it(page: Any) -> None:
    subject = "Horaires non respectés"
    log_in(page, CLIENT)
    page.locator("summary", has_text="Donner mon avis").click()
    page.get_by_role("link", name="Réclamations").click()
    page.get_by_label("Objet").fill(subject)
    page.get_by_label("Votre réclamation").fill("La session a commencé avec une heure de retard.")
    page.get_by_label("Contrat concerné (facultatif)").select_option(index=1)
    page.get_by_label("La réclamation porte sur la réalisation de la formation").check()
    page.get_by_role("button", name="Déposer la réclamation").click()
    expect(page.get_by_role("status")).to_contain_text("déposée")
    expect(page.get_by_role("row").filter(has_text=subject)).to_contain_text("Reçue")
    page.screenshot(path="/tmp/quality-3-client-lodged.png", full_page=True)
    log_out(page)

    log_in(page, ADMIN)
    page.locator("summary", has_text="Qualité").click()
    page.get_by_role("link", name="Réclamations").click()
    page.get_by_role("row").filter(has_text=subject).get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", name="Réalisation de la prestation (PRV-F1)")).to_be_visible()
    page.get_by_label("Réponse apportée").fill("Nous vous prions de nous excuser ; le formateur a été remplacé.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("Répondue")
    page.get_by_label("Bilan de clôture").fill("Client recontacté, satisfait.")
    page.get_by_role("button", name="Clôturer la réclamation").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("Clôturée")
    page.screenshot(path="/tmp/quality-4-staff-closed.png", full_page=True)
    log_out(page)

    log_in(page, CLIENT)
    page.goto("/espace/reclamations/")
    row = page.get_by_role("row").filter(has_text=subject)
    expect(row).to_contain_text("Clôturée")
    expect(row).to_contain_text("le formateur a été remplacé")
