"""Issue 9, the proof: sales to cash as one flow, in Chromium on the demo data, done through
the screens only, once per kind of organisation.

1. DIXNEUF (VAT-exempt, conventions for companies): staff create a training, a session and two
   learners; a quote naming both is accepted by the client contact in the extranet; the
   convention lists both; its mentions are filled, it is signed; settlement drafts the price
   invoice, staff issue it and record the client's bank transfer; the contract is paid. Then a
   cancellation (one POST) gives a credit note and a CAN-D1 fee invoice without VAT, issued in
   one click.
2. FORMAGOGY (20 % VAT, PAY-F1 deposit): the same, with a deposit invoice and a price invoice
   bearing VAT, amounts read in French format.
3. An organisation's own policy version, made in the simulation page, drives the invoicing of
   a contract signed under it (the clause shown comes from that version).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ofelia.core import clock

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

NBSP = re.compile(r"[\s\u00a0\u202f]+")


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=f"/tmp/journey-{name}.png", full_page=True)


def _no_error_page(responses: list[Any]) -> None:
    failed = [f"{r.status} {r.request.method} {r.url}" for r in responses if r.status >= 500]
    assert not failed, failed


def _pdf_text(page: Any, href: str, name: str) -> str:
    response = page.request.get(href)
    assert response.ok and response.body().startswith(b"%PDF"), href
    Path(f"/tmp/journey-{name}.pdf").write_bytes(response.body())
    return NBSP.sub(" ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages))


def _field(page: Any, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _create_training_and_session(page: Any, *, title: str, reference: str, hours: str, price: str,
                                 days_ahead: int) -> str:
    page.goto("/gestion/catalogue/")
    page.get_by_role("link", name=re.compile("Nouvelle formation")).click()
    _field(page, "Intitulé").fill(title)
    _field(page, "Référence interne").fill(reference)
    _field(page, "Durée (heures)").fill(hours)
    _field(page, "Prix inter HT (par stagiaire)").fill(price)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_be_visible()

    start = clock.today() + timedelta(days=days_ahead)
    page.goto("/gestion/catalogue/")
    page.get_by_role("link", name=re.compile("Nouvelle session")).first.click()
    options = _field(page, "Formation").locator("option").all_inner_texts()
    _field(page, "Formation").select_option(label=next(o for o in options if title in o))
    _field(page, "Premier jour").fill(start.isoformat())
    _field(page, "Dernier jour").fill((start + timedelta(days=1)).isoformat())
    _field(page, "Lieu").fill("Salle Loire")
    _field(page, "Places").fill("8")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_be_visible()
    return f"{title} ({start:%d/%m/%Y})"


def _create_learner(page: Any, *, first: str, last: str, email: str, company: str) -> None:
    page.goto("/apprenants/")
    page.get_by_role("link", name="Nouvel apprenant").click()
    page.get_by_text("Mme", exact=True).check()
    page.get_by_label("Prénom").fill(first)
    _field(page, "Nom").fill(last)
    page.get_by_label("Adresse e-mail").fill(email)
    employer = page.get_by_label("Entreprise (employeur)")
    employer.select_option(label=next(o for o in employer.locator("option").all_inner_texts()
                                      if company in o))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Madame {first} {last}")
    expect(page.locator("dl.facts")).to_contain_text(company)


def _make_quote(page: Any, *, company: str, session: str, learners: list[str], quantity: int,
                unit_price: str, vat_rate: str = "0") -> str:
    """Staff fill the quote form (named learners, or a head count when none is named)."""
    page.goto("/ventes/devis/nouveau/")
    for label, wanted in (("Entreprise cliente", company), ("Session (facultatif)", session)):
        select = page.get_by_label(label)
        select.select_option(label=next(o for o in select.locator("option").all_inner_texts()
                                        if wanted in o))
    for name in learners:
        page.get_by_label(f"{name} — ").check()
    if not learners:
        page.get_by_label("ou effectif (nombre de stagiaires)").fill(str(quantity))
    page.get_by_label("Valable jusqu'au").fill((clock.today() + timedelta(days=5)).isoformat())
    page.get_by_label("Taux de TVA (%)").fill(vat_rate)
    page.locator("[name=lines-0-description]").fill(f"{session.split(' (')[0]}, {quantity} stagiaires")
    page.locator("[name=lines-0-quantity]").fill(str(quantity))
    page.locator("[name=lines-0-unit_price]").fill(unit_price)
    page.get_by_role("button", name="Créer le devis").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Devis DV-")
    return re.search(r"DV-\S+", heading.inner_text()).group(0)


def _quote_accepted_online(page: Any, *, staff: str, client: str, company: str, session: str,
                           learners: list[str], unit_price: str, vat_rate: str = "0") -> str:
    """Staff make and send the quote; the client contact accepts it in the extranet; staff open
    it again and make the convention. Returns the quote number."""
    log_in(page, staff)
    number = _make_quote(page, company=company, session=session, learners=learners,
                         quantity=len(learners), unit_price=unit_price, vat_rate=vat_rate)
    page.get_by_role("button", name="Envoyer au client par e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("envoyé par e-mail")
    log_out(page)

    log_in(page, client)
    page.goto("/espace/devis/")
    page.get_by_role("row").filter(has_text=number).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Devis {number}")
    page.get_by_label("J'accepte ce devis").check()
    page.get_by_role("button", name="Accepter le devis").click()
    expect(page.get_by_role("status")).to_contain_text(f"Devis {number} accepté")
    log_out(page)

    log_in(page, staff)
    page.goto("/ventes/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="Établir la convention / le contrat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention CV-")
    return number


def _fill_mentions_and_sign(page: Any, signer: str) -> None:
    missing = page.locator("#missing-mentions")
    if missing.get_by_role("link", name="compléter").count():
        missing.get_by_role("link", name="compléter").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Compléter")
        _shot(page, "mentions-form")
        for box in page.locator("main form textarea").all():
            if not box.input_value():
                box.fill("Renseigné par le gestionnaire : conforme au programme remis au client.")
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Toutes les mentions obligatoires sont présentes.")).to_be_visible()
    page.get_by_label("Signataire").fill(signer)
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(signée)")


def _issue_drafts(page: Any) -> Any:
    drafts = page.locator("section.settlement-drafts")
    expect(drafts).to_be_visible()
    text = drafts.inner_text()
    page.get_by_role("button", name="Émettre les brouillons").click()
    expect(page.get_by_role("status")).to_contain_text("document(s) émis")
    expect(page.locator("section.settlement-drafts")).to_have_count(0)
    return text


def _pay_by_transfer(page: Any, invoice_link: Any, amount: str) -> None:
    invoice_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Facture")
    # The form is open on an issued invoice, the transfer's reference prefilled.
    expect(page.get_by_text("Enregistrer un paiement reçu (virement, chèque)")).to_be_visible()
    page.get_by_label("Moyen").select_option(label="Virement")
    page.get_by_label("Montant reçu (€)").fill(amount)
    page.get_by_label("Reçu le").fill(clock.today().isoformat())
    page.get_by_label("Référence (n° de chèque, libellé du virement)").fill("VIR CLIENT")
    page.get_by_role("button", name="Enregistrer et affecter").click()
    expect(page.get_by_role("status")).to_be_visible()


def _cancel(page: Any, contract_url: str) -> None:
    page.goto(contract_url)
    form = page.locator("form[action$='/evenement/']")
    page.get_by_label("Événement", exact=True).select_option(label="Annulation")
    form.locator("[name=on]").fill(clock.today().isoformat())
    page.get_by_label("À l'initiative de").select_option(label="Client")
    page.get_by_label("Motif", exact=True).select_option(label="Autre motif")
    with page.expect_response(re.compile(r"/evenement/$")) as posted:
        page.get_by_role("button", name="Enregistrer et évaluer").click()
    assert posted.value.request.method == "POST"
    expect(page.get_by_role("status")).to_contain_text("Événement enregistré")


def test_dixneuf_vat_exempt_quote_to_cash_then_cancellation(page: Any) -> None:
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    log_in(page, "staff@dixneuf.demo")
    session = _create_training_and_session(
        page, title="Conduite de chariots R489", reference="J-R489", hours="14", price="600",
        days_ahead=9)
    _shot(page, "dx-1-session")
    _create_learner(page, first="Maëlle", last="Journet", email="maelle.journet@exemple.fr",
                    company="Entreprise Exemple")
    _create_learner(page, first="Zoé", last="Tessier", email="zoe.tessier@exemple.fr",
                    company="Entreprise Exemple")
    log_out(page)

    _quote_accepted_online(page, staff="staff@dixneuf.demo", client="client@dixneuf.demo",
                           company="Entreprise Exemple", session=session,
                           learners=["Maëlle Journet", "Zoé Tessier"], unit_price="600")
    learners = page.locator("#contract-learners")
    expect(learners).to_contain_text("Maëlle Journet")
    expect(learners).to_contain_text("Zoé Tessier")
    expect(page.get_by_role("heading", name=re.compile(r"Stagiaires \(2 nommés sur 2\)"))).to_be_visible()
    _shot(page, "dx-2-convention")
    contract_url = page.url
    # No link to a PDF that would be refused (409) while a mandatory mention is missing.
    expect(page.get_by_role("link", name="Convention (PDF)")).to_have_count(0)
    expect(page.get_by_text("disponible une fois les mentions obligatoires complétées")).to_be_visible()
    _fill_mentions_and_sign(page, "David Acheteur, acheteur")
    text = _pdf_text(page, page.get_by_role("link", name="Convention (PDF)").get_attribute("href"),
                     "dx-convention")
    assert "2 stagiaires" in text and "Maëlle Journet" in text and "Zoé Tessier" in text
    _shot(page, "dx-3-signed")
    page.get_by_role("link", name="Facturation").first.click()
    expect(page).to_have_url(re.compile(r"/facturation/contrats/\d+/$"))
    drafts = _issue_drafts(page)
    assert "1 200,00" in NBSP.sub(" ", drafts)
    _shot(page, "dx-4-billing")
    invoices = page.get_by_role("listitem").filter(has_text="Prix de la formation")
    _pay_by_transfer(page, invoices.first.get_by_role("link").first, "1200.00")
    _shot(page, "dx-5-paid-invoice")
    page.goto(contract_url)
    billing = page.locator("#billing-panel")
    expect(billing.get_by_role("listitem").filter(has_text="Prix de la formation")).to_contain_text(
        re.compile(r"Payée, payé 1\s200,00\s€"))
    expect(page.get_by_role("heading", name="Facturation")).to_have_count(1)
    _shot(page, "dx-6-contract-paid")

    _cancel(page, contract_url)
    page.get_by_role("link", name="Facturation").first.click()
    _shot(page, "dx-7-drafts")
    drafts = NBSP.sub(" ", _issue_drafts(page))
    assert "Avoir (brouillon)" in drafts and "Dédommagement" in drafts and "TVA 0" in drafts
    assert "CAN-D1" in drafts
    _shot(page, "dx-7-cancelled")
    assert "600,00 € à Entreprise Exemple" in NBSP.sub(" ", page.get_by_role("status").inner_text())
    fee = page.get_by_role("listitem").filter(has_text="Dédommagement (annulation").first
    text = _pdf_text(page, fee.get_by_role("link", name="PDF").get_attribute("href"), "dx-fee")
    assert "Dédommagement" in text and "CAN-D1" in text and "CGV Partie 2, art. 4" in text
    assert "600,00 €" in text and "exonérée" in text
    _no_error_page(responses)


def test_formagogy_vat_and_deposit_quote_to_cash_then_cancellation(page: Any) -> None:
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    log_in(page, "staff@formagogy.demo")
    session = _create_training_and_session(
        page, title="Piloter un projet agile", reference="J-AGILE", hours="14", price="600",
        days_ahead=9)
    _create_learner(page, first="Maëlle", last="Journet", email="maelle.journet@exemple.fr",
                    company="Entreprise Exemple")
    _create_learner(page, first="Zoé", last="Tessier", email="zoe.tessier@exemple.fr",
                    company="Entreprise Exemple")
    log_out(page)

    _quote_accepted_online(page, staff="staff@formagogy.demo", client="client@formagogy.demo",
                           company="Entreprise Exemple", session=session,
                           learners=["Maëlle Journet", "Zoé Tessier"], unit_price="600",
                           vat_rate="20")
    expect(page.locator("#contract-learners")).to_contain_text("Zoé Tessier")
    contract_url = page.url
    _fill_mentions_and_sign(page, "David Acheteur, acheteur")
    _shot(page, "fg-1-signed")
    page.get_by_role("link", name="Facturation").first.click()
    _shot(page, "fg-2-drafts")
    drafts = NBSP.sub(" ", _issue_drafts(page))
    assert "Acompte 432,00 € 360,00 € HT, TVA 20 % (PAY-F1)" in drafts
    assert "Prix de la formation 1 008,00 € 840,00 € HT, TVA 20 % (PAY-F1)" in drafts
    _shot(page, "fg-3-issued")
    billing_url = page.url
    deposit = page.get_by_role("listitem").filter(has_text="Acompte —").first
    expect(deposit).to_contain_text(re.compile(r"432,00\s€ — Émise"))
    pdf = _pdf_text(page, deposit.get_by_role("link", name="PDF").get_attribute("href"), "fg-deposit")
    assert "Acompte" in pdf and "432,00 €" in pdf and "72,00 €" in pdf and "PAY-F1" in pdf
    _pay_by_transfer(page, deposit.get_by_role("link").first, "432.00")
    page.goto(billing_url)
    price = page.get_by_role("listitem").filter(has_text="Prix de la formation —").first
    _pay_by_transfer(page, price.get_by_role("link").first, "1008.00")
    page.goto(contract_url)
    billing = page.locator("#billing-panel")
    expect(billing.get_by_role("listitem").filter(has_text="Acompte")).to_contain_text("Payée")
    expect(billing.get_by_role("listitem").filter(has_text="Prix de la formation")).to_contain_text(
        re.compile(r"Payée, payé 1\s008,00\s€"))
    expect(billing).to_contain_text(re.compile(r"1\s440,00\s€ le \d\d/\d\d/\d{4} — Virement|"
                                               r"1\s008,00\s€ le"))
    _shot(page, "fg-4-paid")

    _cancel(page, contract_url)
    page.get_by_role("link", name="Facturation").first.click()
    _shot(page, "fg-5-drafts")
    drafts = NBSP.sub(" ", _issue_drafts(page))
    assert "Avoir (brouillon)" in drafts and "1 008,00 € Annulation du" in drafts
    # The fee is compensation (no VAT, CAN-F1); the deposit already invoiced is deducted.
    assert "Dédommagement (annulation, abandon) 768,00 € 1 200,00 € HT, TVA 0 % (CAN-F1)" in drafts
    assert "-360,00 € HT, TVA 20 % (PAY-F1)" in drafts
    assert "240,00 €" in drafts  # 1 440,00 € paid, 1 200,00 € owed
    _shot(page, "fg-6-cancelled")
    fee = page.get_by_role("listitem").filter(has_text="Dédommagement (annulation").first
    text = _pdf_text(page, fee.get_by_role("link", name="PDF").get_attribute("href"), "fg-fee")
    assert "CAN-F1" in text and "768,00 €" in text
    _no_error_page(responses)


def _own_version_source() -> str:
    """DIXNEUF's shipped terms as the organisation rewrites them: a version in force from
    today whose CAN-D1 asks 60 % (not 50 %) from 19 to 5 days and cites its own article."""
    shipped = (Path(__file__).resolve().parents[2] / "src" / "ofelia" / "policies" / "dixneuf"
               / "2025.08.01.toml").read_text(encoding="utf-8")
    today = clock.today()
    source = shipped.replace('version = "2025.08.01"', f'version = "{today:%Y.%m.%d}"')
    source = source.replace('effective_from = "2025-08-01"', f'effective_from = "{today:%Y-%m-%d}"')
    source = source.replace('article = "CGV Partie 2, art. 4"\nsummary = "Annulation par le client',
                            'article = "CGV maison 2026, art. 7"\nsummary = "Annulation par le client')
    source = source.replace('{ min = 5, max = 19, percent = "50" }', '{ min = 5, max = 19, percent = "60" }')
    assert source.count("CGV maison 2026, art. 7") == 1 and '"60"' in source
    return source


def test_own_policy_version_made_in_the_simulation_page_governs_invoicing_and_settlement(
        page: Any) -> None:
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    version = f"{clock.today():%Y.%m.%d}"
    log_in(page, "admin@dixneuf.demo")
    page.goto("/simulation/")
    page.get_by_role("link", name="Politiques et versions").click()
    page.get_by_role("link", name="Ajouter une version").click()
    page.locator("main form textarea").fill(_own_version_source())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text(version)
    _shot(page, "own-1-version")

    session = _create_training_and_session(
        page, title="Sécurité incendie EPI", reference="J-EPI", hours="14", price="600",
        days_ahead=9)
    _make_quote(page, company="Entreprise Exemple", session=session, learners=[], quantity=2,
                unit_price="600")
    page.get_by_role("button", name="Envoyer au client par e-mail").click()
    page.get_by_label("Accepté par").fill("David Acheteur, acheteur")
    page.get_by_role("button", name="Enregistrer l'acceptation").click()
    page.get_by_role("button", name="Établir la convention / le contrat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention CV-")
    contract_url = page.url
    _fill_mentions_and_sign(page, "David Acheteur, acheteur")
    expect(page.locator("main")).to_contain_text(f"Conditions générales : version {version}")
    # The preview already reads the own version's clause.
    expect(page.locator("main")).to_contain_text("CGV maison 2026, art. 7")
    _shot(page, "own-2-signed")

    page.get_by_role("link", name="Facturation").first.click()
    _issue_drafts(page)
    price = page.get_by_role("listitem").filter(has_text="Prix de la formation —").first
    _pay_by_transfer(page, price.get_by_role("link").first, "1200.00")
    _cancel(page, contract_url)
    page.get_by_role("link", name="Facturation").first.click()
    owed = NBSP.sub(" ", page.locator("main").inner_text())
    assert "60 % du prix de 1 200,00 € = 720,00 €" in owed and "CGV maison 2026, art. 7" in owed
    drafts = NBSP.sub(" ", _issue_drafts(page))
    assert "720,00 € HT, TVA 0 % (CAN-D1)" in drafts and "480,00 €" in drafts
    _shot(page, "own-3-settled")
    fee = page.get_by_role("listitem").filter(has_text="Dédommagement (annulation").first
    text = _pdf_text(page, fee.get_by_role("link", name="PDF").get_attribute("href"), "own-fee")
    assert "720,00 €" in text and "CAN-D1" in text and "CGV maison 2026, art. 7" in text
    _no_error_page(responses)
