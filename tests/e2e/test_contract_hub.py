"""D6353-1 in a real browser as LA PORTE's staff: a quote for two learners, its written
acceptance, the convention that names both, the missing mention filled on the contract's
form, the signature, and the contract page as the hub (learners, documents, events, billing)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def test_d6353_1_quote_for_two_learners_to_a_signed_convention_and_its_hub(
    page: Any, results_dir: Path,
) -> None:
    log_in(page, "staff@laporte.demo")
    page.goto("/ventes/devis/nouveau/")
    page.get_by_label("Entreprise cliente").select_option(label="Atelier Lumière SARL")
    session = page.get_by_label("Session (facultatif)")
    label = next(o for o in session.locator("option").all_inner_texts()
                 if "Motion design avec After Effects (23/12/2026)" in o)
    session.select_option(label=label)
    page.get_by_label("Louis Fournier — Atelier Lumière SARL").check()
    page.get_by_label("Océane Lambert — Atelier Lumière SARL").check()
    page.get_by_label("Valable jusqu'au").fill("2026-12-20")
    page.locator("[name=lines-0-description]").fill("Motion design avec After Effects, 2 stagiaires")
    page.locator("[name=lines-0-quantity]").fill("2")
    page.locator("[name=lines-0-unit_price]").fill("990")
    page.screenshot(path="/tmp/contracts-1-quote-form.png", full_page=True)
    page.get_by_role("button", name="Créer le devis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devis DV-")
    expect(page.get_by_text("Louis Fournier, Océane Lambert")).to_be_visible()

    page.get_by_role("button", name="Envoyer au client par e-mail").click()
    page.get_by_label("Accepté par").fill("Claire Lumière, gérante")
    page.get_by_role("button", name="Enregistrer l'acceptation").click()
    page.get_by_role("button", name="Établir la convention / le contrat").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention CV-")
    learners = page.locator("#contract-learners")
    expect(learners).to_contain_text("Louis Fournier")
    expect(learners).to_contain_text("Océane Lambert")
    expect(page.get_by_role("heading", name=re.compile(r"Stagiaires \(2 nommés sur 2\)"))).to_be_visible()
    missing = page.locator("#missing-mentions")
    expect(missing).to_contain_text("modalités de règlement")
    page.screenshot(path="/tmp/contracts-2-draft-hub.png", full_page=True)

    missing.get_by_role("link", name="compléter").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compléter")
    page.get_by_label("Modalités de règlement").fill(
        "Facture émise à la signature, payable par virement à 30 jours.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Toutes les mentions obligatoires sont présentes.")).to_be_visible()

    pdf = page.request.get(page.get_by_role("link", name="Convention (PDF)").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (results_dir / "contracts-convention.pdf").write_bytes(pdf.body())
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "2 stagiaires" in text and "Louis Fournier" in text and "Océane Lambert" in text
    assert "payable par virement à 30 jours" in text and "Formateurs" in text

    page.get_by_label("Signataire").fill("Claire Lumière, gérante")
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_role("status")).to_contain_text("signée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("(signée)")
    expect(page.get_by_role("heading", name="Si le client annulait aujourd'hui")).to_be_visible()
    expect(page.get_by_role("link", name="Facturation").first).to_be_visible()

    # The event form offers this contract's events only, in plain French, and swaps its fields.
    options = page.get_by_label("Événement", exact=True).locator("option").all_inner_texts()
    assert "Rétractation du particulier" not in options
    assert not any(re.search(r"[A-Z]{3}-[A-Z]?\d", o) for o in options)
    page.get_by_label("Événement", exact=True).select_option(label="Annulation")
    expect(page.get_by_label("À l'initiative de")).to_be_visible()
    expect(page.get_by_label("Heures suivies")).to_have_count(0)
    page.get_by_label("Événement", exact=True).select_option(label="Abandon en cours de formation")
    expect(page.get_by_label("Heures suivies")).to_be_visible()
    expect(page.get_by_label("À l'initiative de")).to_have_count(0)
    page.screenshot(path="/tmp/contracts-3-signed-hub.png", full_page=True)

    # Two events recorded; the earlier one's outcome loads when opened (htmx).
    for note in ("Salle changée", "Horaires changés"):
        page.get_by_label("Événement", exact=True).select_option(
            label="Report / changement de dates, d'horaires ou de lieu")
        # The fields of a schedule change have been swapped in (no hours for it).
        expect(page.get_by_label("Heures suivies")).to_have_count(0)
        expect(page.get_by_label("Motif pour passer outre le délai (administrateur)")).to_be_visible()
        page.get_by_label("Note").fill(note)
        page.get_by_role("button", name="Enregistrer et évaluer").click()
        expect(page.get_by_role("status")).to_contain_text("Événement enregistré")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Horaires changés")
    first = timeline.locator("li").filter(has_text="Salle changée").locator("details")
    first.locator("summary").click()
    expect(first).to_contain_text(re.compile(r"Aucun montant dû|Explication et clause"))
    page.screenshot(path="/tmp/contracts-4-events.png", full_page=True)

    page.get_by_role("link", name="Facturation").first.click()
    expect(page).to_have_url(re.compile(r"/facturation/contrats/\d+/$"))
