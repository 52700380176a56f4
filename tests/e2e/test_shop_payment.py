"""Issue 10 items 1-2 in a real browser: a consumer orders in the LA PORTE shop and sees the
bank transfer details with their EPC QR code; staff find the order and record the
transfer; the consumer sees it paid. Then a card payment settled by a signed test
webhook (no network), and bad input — a tampered payment link, a replayed or forged
webhook — answered in French or refused, changing nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

SECRET = "whsec_e2e_only"
SHOTS = "/tmp/pt"


def _session(title: str) -> Any:
    from ofelia.catalogue.models import Training, TrainingSession
    from ofelia.core import clock
    from ofelia.organisations.models import Organisation

    org = Organisation.objects.get(slug="laporte")
    # A copy of a published demo training (its contract mentions, its trainers), new dates.
    model = Training.objects.for_organisation(org).filter(is_published=True).first()
    copied = {f.name: getattr(model, f.name) for f in Training._meta.concrete_fields
              if f.name not in {"id", "title", "reference", "created_at", "updated_at"}}
    training = Training.objects.create(**{**copied, "title": title,
                                          "reference": f"E2E-{title[:8]}",
                                          "price_excl_vat": Decimal("490.00"),
                                          "modality": "classroom"})
    training.trainers.set(model.trainers.all())
    start = clock.today() + timedelta(days=40)
    return TrainingSession.objects.create(organisation=org, training=training, start_date=start,
                                          end_date=start + timedelta(days=1), place="Verneuil",
                                          capacity=8)


def _order_in_shop(page: Any, session: Any) -> None:
    page.goto(f"/o/laporte/commander/{session.pk}/")
    page.get_by_label(re.compile("J'ai lu et j'accepte les conditions générales")).check()
    page.get_by_role("button", name="Commander et payer").click()


def _switch(page: Any, login: str) -> None:
    page.context.clear_cookies()
    log_in(page, login)


def test_consumer_pays_by_transfer_staff_record_it_consumer_sees_paid(page: Any) -> None:
    from ofelia.billing.models import Invoice, OnlineCheckout
    from ofelia.sales.models import Order

    session = _session("Montage vidéo — initiation")
    log_in(page, "particulier@laporte.demo")
    _order_in_shop(page, session)
    expect(page).to_have_url(re.compile(r"/espace/factures/\d+/payer/$"))
    order = Order.objects.get(contract__session=session)
    invoice = Invoice.objects.get(contract=order.contract)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payer la facture {invoice.number}")
    expect(page.get_by_role("status")).to_contain_text(f"Commande {order.number} enregistrée")
    deadline = f"pour la commande {order.number}, au plus tard le"
    expect(page.get_by_text(deadline)).to_be_visible()  # the order's delay, not the invoice's day
    transfer = page.locator(".transfer-details")
    expect(transfer).to_contain_text("FR76 3000 4001 2300 0000 0100 350")
    expect(transfer).to_contain_text(f"Facture {invoice.number}")
    expect(transfer).to_contain_text("490,00")
    qr = page.get_by_role("img", name=re.compile("QR code de virement SEPA"))
    expect(qr).to_be_visible()
    page.wait_for_function("document.querySelector('.transfer-qr img').complete && "
                           "document.querySelector('.transfer-qr img').naturalWidth > 0")
    page.screenshot(path=f"{SHOTS}/shop_1_transfer.png", full_page=True)

    # A payment link edited by hand: a French message, nothing written.
    page.goto(f"/espace/factures/{invoice.pk + 100000}/payer/")
    expect(page.get_by_text("Ce lien de paiement ne correspond à aucune de vos factures")).to_be_visible()
    assert not OnlineCheckout.objects.exists()

    _switch(page, "staff@laporte.demo")
    page.goto("/ventes/commandes/")
    page.get_by_label("Statut").select_option("awaiting_payment")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_role("row").filter(has_text=order.number)
    expect(row).to_contain_text("en attente de paiement")
    page.screenshot(path=f"{SHOTS}/shop_2_orders.png", full_page=True)
    row.get_by_role("link", name="Facturation").click()
    page.get_by_role("link", name=str(invoice)).first.click()
    expect(page.get_by_label("Référence (n° de chèque, libellé du virement)")).to_have_value(
        f"Facture {invoice.number}")
    page.get_by_role("button", name="Enregistrer et affecter").click()
    page.screenshot(path=f"{SHOTS}/shop_3_staff_recorded.png", full_page=True)
    expect(page.get_by_text("Paiement enregistré et affecté.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/shop_3_staff_recorded.png", full_page=True)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID

    _switch(page, "particulier@laporte.demo")
    page.goto("/espace/formations/")
    section = page.locator("section").filter(has_text=order.number)
    expect(section).to_contain_text("payée")
    expect(section.get_by_role("link", name="Payer ma commande")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/shop_4_consumer_paid.png", full_page=True)


def _signed(payload: str, at: int | None = None, secret: str = SECRET) -> str:
    stamp = at if at is not None else int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def test_consumer_pays_by_card_settled_by_a_signed_webhook_replay_and_forgery_change_nothing(
        page: Any, settings: Any, monkeypatch: Any) -> None:
    from ofelia.billing.models import Invoice, OnlineCheckout, Payment, StripeEvent
    from ofelia.sales.models import Order

    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.FakeGateway"
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    # Nothing leaves the machine: the test gateway's address is never fetched.
    page.route("https://checkout.invalid/**", lambda route: route.abort())
    session = _session("Étalonnage couleur")
    log_in(page, "particulier@laporte.demo")
    _order_in_shop(page, session)
    order = Order.objects.get(contract__session=session)
    invoice = Invoice.objects.get(contract=order.contract)
    expect(page.get_by_role("heading", name="Par carte bancaire ou prélèvement SEPA")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/shop_5_card_choice.png", full_page=True)
    expect(page.get_by_role("button", name=re.compile("par carte"))).to_be_visible()
    # The button's POST, sent as the browser would: the answer sends the client to the
    # provider's page (the browser itself would stop there: CSP lets forms lead only to
    # checkout.stripe.com, not to the test gateway's address).
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    sent = page.request.post(f"/espace/factures/{invoice.pk}/payer/", max_redirects=0,
                             form={"csrfmiddlewaretoken": token, "pay-instalments": "1"})
    assert sent.status == 302 and sent.headers["location"].startswith("https://checkout.invalid/")
    checkout = OnlineCheckout.objects.get(invoice=invoice)

    event = {"id": "evt_e2e_shop", "object": "event", "type": "payment_intent.succeeded",
             "data": {"object": {
                 "id": "pi_e2e_shop", "object": "payment_intent",
                 "amount": int(invoice.balance * 100), "amount_received": int(invoice.balance * 100),
                 "payment_method_types": ["card"],
                 "metadata": {"checkout_id": str(checkout.pk),
                              "organisation_id": str(checkout.organisation_id), "instalment": "1"}}}}
    payload = json.dumps(event)
    payments, events = Payment.objects.count(), StripeEvent.objects.count()  # the demo's own
    # Forged (wrong secret) then stale (an hour old): refused, nothing written.
    forged = page.request.post("/webhooks/stripe/", data=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": _signed(payload, secret="whsec_x")})
    stale = page.request.post("/webhooks/stripe/", data=payload, headers={
        "Content-Type": "application/json",
        "Stripe-Signature": _signed(payload, at=int(time.time()) - 3600)})
    assert forged.status == stale.status == 400
    assert Payment.objects.count() == payments
    # Signed: processed once; the replay answers the same and pays nothing more.
    answers = [page.request.post("/webhooks/stripe/", data=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": _signed(payload)}) for _ in range(2)]
    assert [a.status for a in answers] == [200, 200]
    assert answers[0].json()["status"] == answers[1].json()["status"] == "processed"
    assert Payment.objects.count() == payments + 1 and StripeEvent.objects.count() == events + 1
    # Validly signed but malformed: answered 200 « ignored » so Stripe stops, nothing written.
    junk = json.dumps({"id": "evt_junk", "type": "payment_intent.succeeded", "data": {"object": []}})
    ignored = page.request.post("/webhooks/stripe/", data=junk, headers={
        "Content-Type": "application/json", "Stripe-Signature": _signed(junk)})
    assert ignored.status == 200 and ignored.json()["status"] == "ignored"
    assert Payment.objects.count() == payments + 1

    page.goto("/espace/factures/?paiement=merci")
    expect(page.get_by_text("Merci : votre paiement est en cours de validation")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=invoice.number)).to_contain_text("Payée")
    page.goto("/espace/formations/")
    expect(page.locator("section").filter(has_text=order.number)).to_contain_text("payée")
    page.screenshot(path=f"{SHOTS}/shop_6_card_paid.png", full_page=True)


def test_full_session_offers_its_waiting_list_and_an_unpaid_order_frees_its_seat(page: Any) -> None:
    from ofelia.billing.tasks import orders_expire_daily
    from ofelia.core import clock
    from ofelia.organisations.models import ConsumerClient, Organisation, Role
    from ofelia.organisations.testing import PASSWORD, make_member
    from ofelia.sales.models import Order

    session = _session("Sous-titrage")
    session.capacity = 1
    session.save(update_fields=["capacity"])
    log_in(page, "particulier@laporte.demo")
    _order_in_shop(page, session)  # takes the only seat, then leaves it unpaid
    order = Order.objects.get(contract__session=session)

    org = Organisation.objects.get(slug="laporte")
    second = make_member(org, Role.CONSUMER, email="hugo.petit@laporte-client.test",
                         first_name="Hugo", last_name="Petit")
    ConsumerClient.objects.create(organisation=org, user=second, civility="m", first_name="Hugo",
                                  last_name="Petit", email=second.email, city="Senlis",
                                  address_line1="3 rue Haute", postal_code="60300")
    page.context.clear_cookies()
    log_in(page, second.email, PASSWORD)
    page.goto(f"/o/laporte/commander/{session.pk}/")
    expect(page.get_by_role("heading", name="Session complète")).to_be_visible()
    expect(page.get_by_role("button", name="Commander et payer")).to_have_count(0)
    page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(page.get_by_role("status")).to_contain_text("liste d'attente, en position 1")
    page.screenshot(path=f"{SHOTS}/shop_7_waiting_list.png", full_page=True)

    # The daily task, the day after the order's deadline: the seat goes to the waiting list.
    lapsed = order.payment_deadline.due_on + timedelta(days=1)
    assert orders_expire_daily(as_of=lapsed.isoformat())["expired"] == 1
    assert orders_expire_daily(as_of=lapsed.isoformat())["expired"] == 0  # idempotent
    page.goto(f"/o/laporte/commander/{session.pk}/")
    expect(page.get_by_text("Une place s'est libérée pour vous")).to_be_visible()
    expect(page.get_by_role("button", name="Commander et payer")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/shop_8_promoted.png", full_page=True)

    _switch(page, "particulier@laporte.demo")
    page.goto("/espace/formations/")
    lapsed_card = page.locator("section").filter(has_text=order.number)
    expect(lapsed_card).to_contain_text("annulée faute de paiement")
    expect(lapsed_card.get_by_role("link", name=re.compile("convocation|agenda"))).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/shop_9_consumer_expired.png", full_page=True)
    _switch(page, "staff@laporte.demo")
    page.goto("/ventes/commandes/?statut=expired")
    expect(page.get_by_role("row").filter(has_text=order.number)).to_contain_text(
        "annulée faute de paiement dans le délai")
    assert clock.today() < lapsed


def test_administrator_enters_the_bank_account_checked_then_clients_see_it(page: Any) -> None:
    from ofelia.organisations.models import Organisation

    log_in(page, "admin@laporte.demo")
    page.locator("summary", has_text="Paramètres").click()
    page.get_by_role("link", name="Organisme (coordonnées, banque)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paramètres de l'organisme")
    page.get_by_label("IBAN").fill("FR76 3000 4001 2300 0000 0100 351")  # wrong key
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Cet IBAN n'est pas valide").first).to_be_visible()
    page.screenshot(path=f"{SHOTS}/shop_10_settings_error.png", full_page=True)
    assert Organisation.objects.get(slug="laporte").iban == "FR7630004001230000000100350"
    page.get_by_label("IBAN").fill("fr14 2004 1010 0505 0001 3m02 606")
    page.get_by_label("Délai de paiement des commandes en ligne (jours)").fill("10")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Paramètres de l'organisme enregistrés")
    org = Organisation.objects.get(slug="laporte")
    assert (org.iban, org.order_payment_days) == ("FR1420041010050500013M02606", 10)
