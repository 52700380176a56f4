"""Issue 11 items 1 and 3 in a real browser, on the demo data: the trainer opens today's
morning sheet, three learners sign (one on her own phone by QR code, in a second browser),
one is absent with a reason, the trainer signs last and closes; staff then issue the
documents and the certificat de réalisation shows the hours attended."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.catalogue.models import TrainingSession
from ofelia.core import clock

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


@pytest.fixture
def morning() -> Iterator[None]:
    """The live server shares the process clock: it is ten past nine in Paris."""
    previous = clock.set_clock(clock.FixedClock(datetime.combine(clock.today(), time(9, 10))))
    try:
        yield
    finally:
        clock.set_clock(previous)


def draw_signature(page: Any) -> None:
    box = page.locator("canvas.signature-pad").bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 18, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()


def test_att_1_trainer_sheet_qr_absence_closing_and_certificate_hours(page: Any, browser: Any,
                                                                      live_server: Any,
                                                                      morning: None) -> None:
    session = TrainingSession.objects.get(place__contains="émargement (démonstration)",
                                          organisation__slug="dixneuf")
    log_in(page, "formateur@dixneuf.demo")
    page.goto("/espace/emargement/")
    page.get_by_role("link", name=re.compile(r"matin \(09:00–12:30\)")).first.click()
    page.get_by_role("button", name="Ouvrir la feuille").click()
    expect(page.get_by_role("status")).to_contain_text("Feuille ouverte")
    expect(page.locator(".qr-code svg")).to_be_visible()
    page.screenshot(path="/tmp/attend-sheet-open.png", full_page=True)
    qr_url = page.locator("[data-qr-link]").get_attribute("href")

    # Émilie signs on her own phone, in another browser, after scanning the QR code.
    phone_context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                        viewport={"width": 390, "height": 844},
                                        user_agent="Mozilla/5.0 (iPhone) Demo Phone")
    phone = phone_context.new_page()
    try:
        log_in(phone, "stagiaire@dixneuf.demo")
        phone.goto(qr_url)
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Émargement de")
        draw_signature(phone)
        phone.screenshot(path="/tmp/attend-phone-sign.png", full_page=True)
        phone.get_by_role("button", name="Valider ma signature").click()
        expect(phone.get_by_role("status")).to_contain_text("est enregistrée")
        # The same code scanned again: refused, and said why.
        phone.goto(qr_url)
        draw_signature(phone)
        phone.get_by_role("button", name="Valider ma signature").click()
        expect(phone.get_by_role("alert")).to_contain_text("déjà émargé")
    finally:
        phone_context.close()

    page.reload()
    rows = page.locator("tr[data-learner]")
    expect(rows).to_have_count(4)
    names = [rows.nth(i).get_attribute("data-learner") for i in range(4)]
    others = [n for n in names if n != "Émilie Stagiaire"]
    for name in others[:2]:
        page.get_by_role("link", name=f"Faire signer {name.split()[0]}").click()
        draw_signature(page)
        page.get_by_role("button", name=re.compile("Valider la signature")).click()
        expect(page.get_by_role("status")).to_contain_text("Signature de")
    absent = others[2].split()[0]
    page.get_by_label(f"Motif de l'absence de {absent}").fill("Malade, prévenu par téléphone")
    page.get_by_role("button", name="Noter absent").click()
    expect(page.get_by_role("status")).to_contain_text("absent")

    page.get_by_role("link", name="Signer et clôturer").click()
    draw_signature(page)
    page.get_by_role("button", name="Signer et clôturer la feuille").click()
    expect(page.get_by_role("status")).to_contain_text("clôturée")
    expect(page.locator("[data-sheet-status]")).to_have_text("clôturée")
    page.screenshot(path="/tmp/attend-sheet-closed.png", full_page=True)
    sheet_pdf = page.request.get(page.get_by_role("link", name=re.compile("scellée")).get_attribute("href"))
    open("/tmp/attend-sheet.pdf", "wb").write(sheet_pdf.body())

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "admin@dixneuf.demo")
    page.goto(f"/gestion/emargement/session/{session.pk}/")
    page.get_by_role("button", name="Éditer les attestations de la session").click()
    expect(page.get_by_role("status")).to_contain_text("12 documents scellés")
    row = page.get_by_role("row").filter(has_text="Émilie").filter(has_text="Certificat de réalisation")
    expect(row).to_contain_text("3,50 h")
    page.screenshot(path="/tmp/attend-staff-session.png", full_page=True)
    href = row.get_by_role("link").get_attribute("href")
    pdf = page.request.get(href).body()
    open("/tmp/attend-certificat.pdf", "wb").write(pdf)
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "pour une durée de 3,50 heures réalisées" in text
