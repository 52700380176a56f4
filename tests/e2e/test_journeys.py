"""Issue 10, the proof, as a new user lives it in Chromium on the demo data.

1. A consumer of LA PORTE buys a session in the shop; « Payer » shows the bank transfer
   details with their EPC QR code and the card option; the consumer pays by card instead
   (Stripe test mode: a signed test webhook built here, no network); the order is « payée »;
   the consumer retracts within the fourteen days; staff issue the refund through the
   screens; the consumer reads it in the extranet. Each e-mail of the way is asserted in the
   outbox with its French text. A tampered payment link changes nothing.
2. Each role's home (the logins of test_login, and the operator's admin), screenshot into
   `test-results/` for the report.

The client's journey (quote e-mail, acceptance, convention PDF, payment) is in
`test_quotes_online.py`; a retraction after the deadline in `sales/tests/test_orders.py`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from ofelia.rules.money import fmt_eur

from .test_login import ROLE_HOMES, log_in
from .test_shop_payment import SECRET, _order_in_shop, _session, _signed, _switch

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _mails(subject: str) -> list[Any]:
    return [m for m in mail.outbox if subject in m.subject]


def _text(message: Any) -> str:
    return SPACES.sub(" ", message.body)


def _no_error_page(responses: list[Any]) -> None:
    failed = [f"{r.status} {r.request.method} {r.url}" for r in responses if r.status >= 500]
    assert not failed, failed


def test_consumer_buys_sees_transfer_pays_by_card_retracts_and_sees_the_refund(
        page: Any, settings: Any, monkeypatch: Any, results_dir: Path) -> None:
    from ofelia.billing.models import Invoice, OnlineCheckout, Refund
    from ofelia.notifications.models import SentMail
    from ofelia.sales.models import Contract, Order

    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.FakeGateway"
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    page.route("https://checkout.invalid/**", lambda route: route.abort())
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    page.on("dialog", lambda dialog: dialog.accept())  # « Confirmez-vous votre rétractation ? »
    shot = lambda name: page.screenshot(path=str(results_dir / f"journey-consumer-{name}.png"),  # noqa: E731
                                        full_page=True)
    session = _session("Prise de vue en drone")
    mail.outbox.clear()

    # --- the order, and what « Payer » offers ----------------------------------------------
    log_in(page, "particulier@laporte.demo")
    _order_in_shop(page, session)
    order = Order.objects.get(contract__session=session)
    invoice = Invoice.objects.get(contract=order.contract)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payer la facture {invoice.number}")
    transfer = page.locator(".transfer-details")
    expect(transfer).to_contain_text("FR76 3000 4001 2300 0000 0100 350")
    expect(transfer).to_contain_text(f"Facture {invoice.number}")
    expect(page.get_by_role("img", name=re.compile("QR code de virement SEPA"))).to_be_visible()
    expect(page.get_by_role("heading", name="Par carte bancaire ou prélèvement SEPA")).to_be_visible()
    shot("1-pay")

    amount = SPACES.sub(" ", fmt_eur(invoice.total_incl_vat))  # what the consumer pays, VAT included
    confirmation, = _mails(f"Confirmation : Prise de vue en drone ({order.contract.number})")
    assert confirmation.to == ["particulier@laporte.demo"]
    body = _text(confirmation)
    assert f"Nous confirmons votre contrat de formation n° {order.contract.number}" in body
    assert f"{amount} TTC" in body  # a consumer reads the price VAT included
    assert "droit de rétractation de quatorze jours, jusqu'au" in body
    names = [name for name, _, _ in confirmation.attachments]
    assert names == [f"{order.contract.number}.pdf",
                     f"conditions-generales-{order.contract.policy_version}.pdf",
                     "formulaire-retractation.pdf"]
    assert all(content.startswith(b"%PDF-") for _n, content, _t in confirmation.attachments)
    issued, = _mails(f"Facture {invoice.number}")
    assert f"Veuillez trouver votre facture n° {invoice.number}" in _text(issued)
    assert amount in _text(issued) and issued.attachments[0][0] == f"{invoice.number}.pdf"

    # A payment link edited by hand: a French message, nothing written.
    page.goto(f"/espace/commandes/{order.pk + 100000}/payer/")
    expect(page.get_by_text("Ce lien ne correspond à aucune de vos commandes.")).to_be_visible()
    assert not OnlineCheckout.objects.filter(invoice=invoice).exists()

    # --- by card instead: the provider's page, then its signed webhook ----------------------
    page.goto(f"/espace/factures/{invoice.pk}/payer/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    sent = page.request.post(f"/espace/factures/{invoice.pk}/payer/", max_redirects=0,
                             form={"csrfmiddlewaretoken": token, "pay-instalments": "1"})
    assert sent.status == 302 and sent.headers["location"].startswith("https://checkout.invalid/")
    checkout = OnlineCheckout.objects.get(invoice=invoice)
    cents = int(invoice.balance * 100)
    payload = json.dumps({"id": "evt_journey", "object": "event", "type": "payment_intent.succeeded",
                          "data": {"object": {
                              "id": "pi_journey", "object": "payment_intent", "amount": cents,
                              "amount_received": cents, "payment_method_types": ["card"],
                              "metadata": {"checkout_id": str(checkout.pk), "instalment": "1",
                                           "organisation_id": str(checkout.organisation_id)}}}})
    answer = page.request.post("/webhooks/stripe/", data=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": _signed(payload)})
    assert answer.status == 200 and answer.json()["status"] == "processed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    received, = _mails(f"Paiement reçu — facture {invoice.number}")
    assert f"votre paiement de {amount}" in _text(received)
    assert "Reste dû sur cette facture : 0,00 €" in _text(received)

    page.goto("/espace/factures/?paiement=merci")
    expect(page.get_by_role("row").filter(has_text=invoice.number)).to_contain_text("Payée")
    page.goto("/espace/formations/")
    card = page.locator("section").filter(has_text=order.number)
    expect(card).to_contain_text("payée")
    shot("2-paid")

    # --- retraction within the fourteen days ----------------------------------------------
    card.get_by_role("button", name="Me rétracter en ligne").click()
    expect(page.get_by_role("status")).to_contain_text("Votre rétractation est enregistrée")
    card = page.locator("section").filter(has_text=order.number)
    expect(card).to_contain_text("rétractée")
    expect(card).to_contain_text("les sommes payées vous seront remboursées")
    shot("3-retracted")
    ack, = _mails(f"Rétractation reçue : Prise de vue en drone ({order.contract.number})")
    assert f"votre rétractation du contrat n° {order.contract.number}" in _text(ack)
    assert "remboursées au plus tard dans les quatorze jours" in _text(ack)
    contract = Contract.objects.get(pk=order.contract_id)
    assert contract.status == Contract.Status.RETRACTED

    # --- staff issue the refund through the screens ----------------------------------------
    _switch(page, "staff@laporte.demo")
    page.goto(f"/ventes/contrats/{contract.pk}/")
    page.get_by_role("link", name="Facturation").first.click()
    expect(page).to_have_url(re.compile(r"/facturation/contrats/\d+/$"))
    drafts = SPACES.sub(" ", page.locator("section.settlement-drafts").inner_text())
    assert "Avoir (brouillon)" in drafts and "Remboursement (proposé)" in drafts and amount in drafts
    shot("4-staff-drafts")
    page.get_by_role("button", name="Émettre les brouillons").click()
    expect(page.get_by_role("status")).to_contain_text("émis")
    refund = Refund.objects.get(contract=contract)
    page.goto(f"/facturation/factures/{invoice.pk}/")
    page.get_by_role("button", name="Rembourser par Stripe (carte ou prélèvement)").click()
    expect(page.get_by_role("status")).to_contain_text("Rembours")
    refund.refresh_from_db()
    assert refund.status == "paid" and refund.amount == invoice.total_incl_vat
    shot("5-staff-refunded")
    refunded, = _mails("Remboursement effectué")
    assert amount in _text(refunded) and invoice.number in _text(refunded)
    assert "carte bancaire" in _text(refunded)
    assert SentMail.objects.filter(contract_id=contract.pk, kind="refund_paid").exists()

    # --- the consumer reads it ------------------------------------------------------------
    _switch(page, "particulier@laporte.demo")
    page.goto("/espace/formations/")
    card = page.locator("section").filter(has_text=order.number)
    spaced = re.escape(amount).replace("\\ ", r"\s")
    expect(card).to_contain_text(re.compile(f"rétractée ; {spaced} vous ont été remboursés le"))
    expect(card).not_to_contain_text("vous seront remboursées")
    page.goto("/espace/factures/")
    expect(page.get_by_role("row").filter(has_text=invoice.number)).to_contain_text(
        re.compile(f"Remboursement de {spaced} effectué le"))
    shot("6-consumer-refunded")
    _no_error_page(responses)


# The operator's home is the branded Django admin, the other roles' are in test_login.
OPERATOR = ("operateur@ofelia.demo", "/admin/", r"Ofelia · console de l'opérateur")
# VIRTUALEO's menus are the longest (virtual classes and their availability).
WIDEST = [("admin@virtualeo.demo", "/gestion/", r"Tableau de bord — VIRTUALEO"),
          ("client@virtualeo.demo", "/espace/", r"Espace entreprise")]


def test_each_roles_home_screenshot_for_the_report(page: Any, results_dir: Path) -> None:
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    for login, path, heading in [*ROLE_HOMES, *WIDEST, OPERATOR]:
        page.context.clear_cookies()
        log_in(page, login)
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        if login == OPERATOR[0]:
            expect(page.locator("#site-name")).to_contain_text(re.compile(heading))
        else:
            expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(heading))
            # The menu holds on one line at 1280 px.
            items = page.locator(".site-nav .menu > li")
            first, last = items.first.bounding_box(), items.last.bounding_box()
            assert first and last and abs(first["y"] - last["y"]) < 2, (login, first, last)
        page.screenshot(path=str(results_dir / f"home-{login.replace('@', '-').removesuffix('.demo')}.png"), full_page=True)
    _no_error_page(responses)
