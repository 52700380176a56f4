"""Quotes online (issue 10, item 3) in a real browser on the demo data: DIXNEUF's staff
create a quote for Entreprise Exemple and send it; the client contact receives the French
e-mail with the link, reads the quote in the extranet, downloads the PDF and accepts; staff
see it accepted (terms version, IP) and convert it into a convention."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from ofelia.core import clock
from ofelia.sales.models import Quote, TermsAcceptance

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def test_acc_4_client_accepts_a_quote_online_and_staff_convert_it(
    page: Any, results_dir: Path,
) -> None:
    log_in(page, "staff@dixneuf.demo")
    page.goto("/ventes/devis/nouveau/")
    page.get_by_label("Entreprise cliente").select_option(label="Entreprise Exemple (dixneuf)")
    session = page.get_by_label("Session (facultatif)")
    options = [o for o in session.locator("option").all_inner_texts() if "(" in o]
    session.select_option(label=options[-1])  # the latest session: seats left
    page.screenshot(path="/tmp/quotes-0-form.png", full_page=True)
    page.get_by_label(re.compile(r"milie Stagiaire — Entreprise")).check()
    page.get_by_label("Effectif").fill("2")
    page.get_by_label("Valable jusqu'au").fill((clock.today() + timedelta(days=30)).isoformat())
    page.locator("[name=lines-0-description]").fill("Sauveteur secouriste du travail, 2 stagiaires")
    page.locator("[name=lines-0-quantity]").fill("2")
    page.locator("[name=lines-0-unit_price]").fill("745")
    page.get_by_role("button", name="Créer le devis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devis DV-")
    mail.outbox.clear()
    page.get_by_role("button", name="Envoyer au client par e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("envoyé par e-mail à Entreprise Exemple")
    expect(page.get_by_role("heading", level=1)).to_contain_text("envoyé le")
    page.screenshot(path="/tmp/quotes-1-staff-sent.png", full_page=True)
    quote = Quote.objects.get(number=re.search(r"DV-\S+", page.get_by_role(
        "heading", level=1).inner_text()).group(0), organisation__slug="dixneuf")

    message = mail.outbox[-1]
    assert message.to == ["client@dixneuf.demo"]
    assert "vous adresse le devis" in message.body and "1\u00a0490,00\u00a0€ HT" in message.body
    link = re.search(r"https?://\S+/espace/devis/\d+/", message.body).group(0)
    log_out(page)

    log_in(page, "client@dixneuf.demo")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Devis {quote.number}")
    expect(page.get_by_text("à accepter")).to_be_visible()
    expect(page.get_by_text("Votre formation est organisée par")).to_be_visible()
    page.screenshot(path="/tmp/quotes-2-client-quote.png", full_page=True)
    pdf = page.request.get(page.get_by_role("link", name="Télécharger le devis (PDF)").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (results_dir / "quotes-devis.pdf").write_bytes(pdf.body())
    Path("/tmp/quotes-devis.pdf").write_bytes(pdf.body())
    text = re.sub(r"[\s\u00a0]+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages))
    assert quote.number in text and "Émilie Stagiaire" in text and "1 490,00 €" in text
    assert "Entreprise Exemple" in text and "version" in text

    page.get_by_role("button", name="Accepter le devis").click()  # box not ticked: browser stops it
    expect(page.get_by_text("à accepter")).to_be_visible()
    page.get_by_label("J'accepte ce devis").check()
    page.get_by_role("button", name="Accepter le devis").click()
    expect(page.get_by_role("status")).to_contain_text(f"Devis {quote.number} accepté")
    expect(page.get_by_text("Accepté en ligne par David Acheteur")).to_be_visible()
    page.screenshot(path="/tmp/quotes-3-client-accepted.png", full_page=True)
    acceptance = TermsAcceptance.objects.get(quote=quote)
    assert acceptance.method == "online_extranet" and acceptance.ip_address == "127.0.0.1"
    assert acceptance.policy_version
    page.goto("/espace/devis/")
    expect(page.get_by_role("row").filter(has_text=quote.number)).to_contain_text("accepté le")
    log_out(page)

    log_in(page, "staff@dixneuf.demo")
    page.goto("/ventes/")
    expect(page.get_by_role("link", name=quote.number)).to_be_visible()
    page.get_by_role("link", name=quote.number).click()
    expect(page.get_by_text("acceptation en ligne dans l'espace client")).to_be_visible()
    expect(page.get_by_text(f"conditions générales version {acceptance.policy_version}")).to_be_visible()
    page.screenshot(path="/tmp/quotes-4-staff-accepted.png", full_page=True)
    page.get_by_role("button", name="Établir la convention / le contrat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention CV-")
    expect(page.get_by_role("status")).to_contain_text("créée à partir du devis")
    expect(page.locator("#contract-learners")).to_contain_text("Émilie Stagiaire")
    page.screenshot(path="/tmp/quotes-5-convention.png", full_page=True)
