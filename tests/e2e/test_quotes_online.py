"""Quotes online (issue 10, item 3, and the client's proof journey) in a real browser on the
demo data: DIXNEUF's staff create a quote for Entreprise Exemple and send it; the client
contact receives the French e-mail, follows its link, reads the quote, downloads the PDF and
accepts (a second acceptance is refused, nothing changed); staff see it accepted (terms
version, IP), convert it into a convention, sign and invoice it (the invoice e-mail); the
client downloads the convention PDF and finds the transfer details under « Payer »; staff
record the transfer (the payment e-mail) and the client reads « Payée »."""

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

from ofelia.billing.models import Invoice
from ofelia.core import clock
from ofelia.sales.models import Contract, Quote, TermsAcceptance

from .test_login import log_in
from .test_people_flows import log_out
from .test_sales_to_cash import _fill_mentions_and_sign, _issue_drafts, _pdf_text

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
    # The acceptance sent a second time (a form replayed): a French message, nothing changed.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    again = page.request.post(f"/espace/devis/{quote.pk}/accepter/",
                              form={"csrfmiddlewaretoken": token, "agree": "on"})
    assert again.ok and "il ne peut plus être accepté" in again.text()
    assert TermsAcceptance.objects.filter(quote=quote).count() == 1
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
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

    # Signed, invoiced (the e-mail), then downloaded and paid by the client.
    _fill_mentions_and_sign(page, "David Acheteur, acheteur")
    contract = Contract.objects.get(number=re.search(r"CV-\S+", page.get_by_role(
        "heading", level=1).inner_text()).group(0), organisation__slug="dixneuf")
    page.get_by_role("link", name="Facturation").first.click()
    mail.outbox.clear()
    _issue_drafts(page)
    invoice = Invoice.objects.get(contract=contract, kind="invoice")
    issued, = [m for m in mail.outbox if m.subject.startswith(f"Facture {invoice.number}")]
    assert issued.to == [invoice.buyer_email] and "1\u00a0490,00\u00a0€" in issued.body
    assert f"Veuillez trouver votre facture n° {invoice.number}" in issued.body
    log_out(page)

    log_in(page, "client@dixneuf.demo")
    page.goto("/espace/formations/")
    card = page.locator("section").filter(has_text=contract.title).filter(
        has=page.get_by_role("link", name="convention (PDF)")).last
    href = card.get_by_role("link", name="convention (PDF)").get_attribute("href")
    assert href == f"/espace/formations/{contract.pk}/contrat.pdf"
    text = _pdf_text(page, href, "client-convention")
    assert contract.number in text and "Entreprise Exemple" in text and "Émilie Stagiaire" in text
    assert "1 490,00 €" in text and "David Acheteur" in text
    page.goto("/espace/factures/")
    page.get_by_role("row").filter(has_text=invoice.number).get_by_role("link", name="Payer").click()
    transfer = page.locator(".transfer-details")
    expect(transfer).to_contain_text(f"Facture {invoice.number}")
    expect(transfer).to_contain_text(re.compile(r"1\s490,00\s€"))
    expect(page.get_by_role("img", name=re.compile("QR code de virement SEPA"))).to_be_visible()
    page.screenshot(path=str(results_dir / "journey-client-pay.png"), full_page=True)
    log_out(page)

    log_in(page, "staff@dixneuf.demo")
    page.goto(f"/facturation/factures/{invoice.pk}/")
    page.get_by_role("button", name="Enregistrer et affecter").click()  # amount and reference prefilled
    expect(page.get_by_role("status")).to_contain_text("Paiement enregistré et affecté.")
    received, = [m for m in mail.outbox if m.subject == f"Paiement reçu — facture {invoice.number}"]
    assert "1\u00a0490,00\u00a0€" in received.body and "Reste dû sur cette facture : 0,00\u00a0€" in received.body
    log_out(page)

    log_in(page, "client@dixneuf.demo")
    page.goto("/espace/factures/")
    row = page.get_by_role("row").filter(has_text=invoice.number)
    expect(row).to_contain_text("Payée")
    expect(row.get_by_role("link", name="Payer")).to_have_count(0)
    page.screenshot(path=str(results_dir / "journey-client-paid.png"), full_page=True)
