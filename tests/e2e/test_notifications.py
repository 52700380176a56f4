"""Notifications (issue 10, item 4) in a real browser on the demo data: DIXNEUF's staff send
a quote and its French e-mail (with the extranet link) is in the outbox; the administrator
rewrites the quote e-mail's template, previews it, saves it, and the next quote's e-mail
uses it; a contract's page lists the mails sent about it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from ofelia.core import clock
from ofelia.notifications.models import SentMail
from ofelia.sales.models import Contract

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def _send_a_quote(page: Any) -> None:
    page.goto("/ventes/devis/nouveau/")
    page.get_by_label("Entreprise cliente").select_option(label="Entreprise Exemple (dixneuf)")
    page.get_by_label("Valable jusqu'au").fill((clock.today() + timedelta(days=30)).isoformat())
    page.locator("[name=lines-0-description]").fill("Sauveteur secouriste du travail")
    page.locator("[name=lines-0-quantity]").fill("1")
    page.locator("[name=lines-0-unit_price]").fill("745")
    page.get_by_role("button", name="Créer le devis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devis DV-")
    page.get_by_role("button", name="Envoyer au client par e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("envoyé par e-mail à Entreprise Exemple")


def test_quote_mail_template_edited_by_administrator_and_contract_mails(page: Any) -> None:
    log_in(page, "admin@dixneuf.demo")
    mail.outbox.clear()
    _send_a_quote(page)
    message = mail.outbox[-1]
    assert message.to == ["client@dixneuf.demo"]
    assert "vous adresse le devis" in message.body and "745,00\u00a0€ HT" in message.body
    assert re.search(r"https?://\S+/espace/devis/\d+/", message.body)

    page.goto("/gestion/parametres/courriels/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Courriels envoyés par la plateforme")
    page.get_by_role("link", name="Devis envoyé").click()
    page.get_by_label("Objet").fill("Votre proposition {{ number }}")
    page.get_by_label("Texte").fill("Bonjour,\n\nVoici notre proposition {{ number }} : {{ link }}"
                                    "\n\nÀ bientôt,\n{{ organisation }}")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_text("Votre proposition D-2026-0042")).to_be_visible()
    page.screenshot(path="/tmp/notifications-1-preview.png", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("modèle enregistré")

    _send_a_quote(page)
    message = mail.outbox[-1]
    assert re.fullmatch(r"Votre proposition DV-\S+", message.subject)
    assert re.search(r"Voici notre proposition DV-\S+ : https?://\S+/espace/devis/\d+/", message.body)
    assert message.body.rstrip().endswith("Campus DIXNEUF")

    contract = Contract.objects.filter(organisation__slug="dixneuf",
                                       status=Contract.Status.SIGNED).order_by("pk").first()
    assert SentMail.objects.filter(contract_id=contract.pk).exists()  # its confirmation
    page.goto(f"/ventes/contrats/{contract.pk}/")
    panel = page.get_by_role("region", name="Courriels envoyés")
    expect(panel).to_contain_text("Confirmation de commande et de contrat")
    expect(panel).to_contain_text(contract.number)
    panel.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/notifications-2-contract.png", full_page=True)
    log_out(page)
