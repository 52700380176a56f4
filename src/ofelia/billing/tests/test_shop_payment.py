"""Issue 10 items 1-2: a shop order is invoiced at once and paid by bank transfer (details
and EPC QR code) or by card (signed webhook); unpaid after the organisation's delay, it
frees its seat; a gateway error or a tampered link never reaches the client as a 500."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ofelia.billing.models import Invoice, InvoiceStatus, OnlineCheckout, Payment, StripeEvent
from ofelia.billing.services import payment_record
from ofelia.billing.shop import order_invoice_to_pay, orders_expire_unpaid
from ofelia.billing.tasks import orders_expire_daily
from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import member_client
from ofelia.sales import orders
from ofelia.sales.models import Order
from ofelia.sales.tests.conftest import make_organisation, make_user
from ofelia.sales.tests.test_orders import ORDER_DAY, _consumer_user, _published_session

from .test_payments import SECRET, _sign

pytestmark = pytest.mark.django_db

IBAN = "FR7630004001230000000100350"


@pytest.fixture
def laporte(db: Any) -> Organisation:
    org = make_organisation("laporte", "laporte")
    org.iban, org.bic, org.bank_account_holder = IBAN, "BNPAFRPPXXX", "LA PORTE ACADÉMIE"
    org.save()
    return org


@pytest.fixture
def no_card(settings: Any, monkeypatch: Any) -> None:
    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.StripeGateway"
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)


@pytest.fixture
def fake_card(settings: Any) -> None:
    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.FakeGateway"


def _place(org: Any, capture: Any, *, capacity: int = 10, instalments: int = 1,
           session: Any = None) -> tuple[Order, Any]:
    session = session or _published_session(org, capacity=capacity)
    user, consumer = _consumer_user(org)
    with clock.frozen(ORDER_DAY), capture(execute=True):
        order = orders.order_create(actor=user, organisation=org, consumer=consumer,
                                    session=session, accept_terms=True, instalments=instalments)
    return order, user


_web = member_client


def test_shop_order_is_invoiced_at_once_and_paid_by_transfer_recorded_by_staff(
        laporte: Any, django_capture_on_commit_callbacks: Any, no_card: None) -> None:
    order, user = _place(laporte, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(contract=order.contract)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.balance == order.amount_incl_vat
    web = _web(user, laporte)
    with clock.frozen(ORDER_DAY):
        to_pay = web.get(f"/espace/commandes/{order.pk}/payer/")
        assert to_pay.status_code == 302 and to_pay["Location"] == f"/espace/factures/{invoice.pk}/payer/"
        page = web.get(to_pay["Location"]).content.decode()
    assert "Par virement bancaire" in page and "FR76 3000 4001 2300 0000 0100 350" in page
    assert f"Facture {invoice.number}" in page and "BNPAFRPPXXX" in page
    assert "par carte" not in page  # no card gateway configured: transfer only
    qr = web.get(f"/espace/factures/{invoice.pk}/virement.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content and b"<script" not in qr.content
    # A POST for the card where none is configured: a French message, nothing written.
    refused = web.post(f"/espace/factures/{invoice.pk}/payer/", {"pay-instalments": "1"}, follow=True)
    assert "pas proposé par l" in refused.content.decode()
    assert not OnlineCheckout.objects.exists()
    # Staff record the transfer on the invoice (the staff invoice page's payment form).
    staff = _web(make_user(laporte, Role.STAFF), laporte)
    with clock.frozen(datetime(2026, 2, 5, 9, 0)):
        done = staff.post(f"/facturation/factures/{invoice.pk}/payment/", {
            "method": "transfer", "amount": str(invoice.balance), "received_on": "2026-02-05",
            "reference": f"Facture {invoice.number}", "allocate": str(invoice.balance)}, follow=True)
    assert "Paiement enregistré" in done.content.decode()
    order.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and order.status == Order.Status.PAID
    with clock.frozen(datetime(2026, 2, 5, 9, 0)):
        mine = web.get("/espace/formations/").content.decode()
        listed = web.get("/espace/factures/").content.decode()
    assert "payée" in mine and "Payer ma commande" not in mine
    assert f"/espace/factures/{invoice.pk}/payer/" not in listed


def test_pay_l1_order_gets_its_instalment_invoices_and_the_first_validates_it(
        laporte: Any, django_capture_on_commit_callbacks: Any) -> None:
    session = _published_session(laporte, price="1200.00")
    order, _ = _place(laporte, django_capture_on_commit_callbacks, instalments=3, session=session)
    invoices = list(Invoice.objects.filter(contract=order.contract).order_by("due_date"))
    assert [i.total_incl_vat for i in invoices] == [Decimal("400.00")] * 3
    assert all(i.status == InvoiceStatus.ISSUED for i in invoices)
    first = order_invoice_to_pay(order)
    assert first == invoices[0]
    with clock.frozen(datetime(2026, 2, 3, 9, 0)):
        payment_record(actor=None, organisation=laporte, method="transfer", amount="400.00",
                       received_on=date(2026, 2, 3), allocations=[(invoices[1], "400.00")])
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT  # the second instalment is not the first
    with clock.frozen(datetime(2026, 2, 3, 9, 0)):
        payment_record(actor=None, organisation=laporte, method="transfer", amount="400.00",
                       received_on=date(2026, 2, 3), allocations=[(invoices[0], "400.00")])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def _event(event_id: str, checkout: OnlineCheckout, *, cents: int) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {
                "id": f"pi_{event_id}", "object": "payment_intent", "amount": cents,
                "amount_received": cents, "payment_method_types": ["card"],
                "metadata": {"checkout_id": str(checkout.pk),
                             "organisation_id": str(checkout.organisation_id), "instalment": "1"}}}}


def _post_event(web: Client, event: dict[str, Any]) -> Any:
    payload = json.dumps(event)
    return web.post("/webhooks/stripe/", data=payload, content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=_sign(payload))


def test_shop_order_paid_by_card_through_a_signed_webhook_once(
        laporte: Any, django_capture_on_commit_callbacks: Any, fake_card: None,
        monkeypatch: Any) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    order, user = _place(laporte, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(contract=order.contract)
    web = _web(user, laporte)
    with clock.frozen(ORDER_DAY):
        page = web.get(f"/espace/factures/{invoice.pk}/payer/").content.decode()
        assert "par carte" in page and "Par virement bancaire" in page
        sent = web.post(f"/espace/factures/{invoice.pk}/payer/", {"pay-instalments": "1"})
    assert sent.status_code == 302 and sent["Location"].startswith("https://checkout.invalid/")
    checkout = OnlineCheckout.objects.get()
    event = _event("evt_shop_1", checkout, cents=int(invoice.balance * 100))
    first, replay = _post_event(Client(), event), _post_event(Client(), event)
    assert first.status_code == replay.status_code == 200
    assert first.json()["status"] == "processed"
    assert Payment.objects.count() == 1 and StripeEvent.objects.count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize("failure", [RuntimeError("STRIPE_SECRET_KEY n'est pas configurée"),
                                     ConnectionError("réseau"), KeyError("url")])
def test_pay_online_gateway_error_is_a_french_message_and_writes_nothing(
        laporte: Any, django_capture_on_commit_callbacks: Any, fake_card: None,
        monkeypatch: Any, failure: Exception) -> None:
    from ofelia.billing.gateways import FakeGateway

    def broken(self: Any, **kwargs: Any) -> Any:
        raise failure

    monkeypatch.setattr(FakeGateway, "create_checkout", broken)
    order, user = _place(laporte, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(contract=order.contract)
    with clock.frozen(ORDER_DAY):
        response = _web(user, laporte).post(f"/espace/factures/{invoice.pk}/payer/",
                                            {"pay-instalments": "1"}, follow=True)
    assert response.status_code == 200
    assert "momentanément indisponible" in response.content.decode()
    assert not OnlineCheckout.objects.exists()


def test_stripe_without_keys_offers_the_transfer_not_a_500(
        laporte: Any, django_capture_on_commit_callbacks: Any, no_card: None) -> None:
    laporte.iban = laporte.bic = ""
    laporte.save()
    order, user = _place(laporte, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(contract=order.contract)
    with clock.frozen(ORDER_DAY):
        page = _web(user, laporte).get(f"/espace/factures/{invoice.pk}/payer/")
    assert page.status_code == 200
    assert "pas encore proposé" in page.content.decode()  # no card, no account: who to contact


def test_signed_webhook_for_an_expired_order_is_answered_and_pays_nothing_twice(
        laporte: Any, django_capture_on_commit_callbacks: Any, fake_card: None,
        monkeypatch: Any) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    order, user = _place(laporte, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get(contract=order.contract)
    with clock.frozen(ORDER_DAY):
        _web(user, laporte).post(f"/espace/factures/{invoice.pk}/payer/", {"pay-instalments": "1"})
    checkout = OnlineCheckout.objects.get()
    orders_expire_unpaid(as_of=date(2026, 2, 10))
    event = _event("evt_late", checkout, cents=int(order.amount_incl_vat * 100))
    answer = _post_event(Client(), event)
    assert answer.status_code == 200 and answer.json()["status"] in {"rejected", "ignored"}
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED


def test_unpaid_order_expires_after_the_delay_frees_its_seat_for_the_waiting_list(
        laporte: Any, django_capture_on_commit_callbacks: Any) -> None:
    laporte.order_payment_days = 5
    laporte.save()
    session = _published_session(laporte, capacity=1)
    order, user = _place(laporte, django_capture_on_commit_callbacks, session=session)
    # The session is full: the next consumer joins its waiting list in the shop.
    other = make_user(laporte, Role.CONSUMER)
    from ofelia.organisations.models import ConsumerClient

    waiting = ConsumerClient.objects.create(
        organisation=laporte, user=other, civility="m", first_name="Hugo", last_name="Petit",
        email=other.email, address_line1="3 rue Haute", postal_code="60550", city="Verneuil")
    with clock.frozen(ORDER_DAY):
        shop = _web(other, laporte).get(f"/o/laporte/commander/{session.pk}/").content.decode()
        assert "Session complète" in shop and "liste d'attente" in shop
        joined = _web(other, laporte).post(f"/o/laporte/commander/{session.pk}/",
                                           {"action": "waitlist"}, follow=True)
    assert "position 1" in joined.content.decode()
    assert orders.shop_seat(session=session, consumer=waiting) == ("waitlisted", 1)
    assert order.payment_deadline.due_on == date(2026, 2, 7)
    # Within the delay: nothing happens.
    assert orders_expire_daily(as_of="2026-02-07")["expired"] == 0
    report = orders_expire_daily(as_of="2026-02-08")
    assert report["expired"] == 1 and report["problems"] == []
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and "7 février 2026" in order.voided_reason
    assert order.contract.enrolments.get().status == Enrolment.Status.CANCELLED
    invoice = Invoice.objects.get(contract=order.contract, kind="invoice")
    assert invoice.status == InvoiceStatus.CANCELLED  # by credit note, never deleted
    assert orders.shop_seat(session=session, consumer=waiting) == ("promoted", 0)
    assert AuditEntry.objects.filter(action="order.expire").count() == 1
    # Idempotent: a second run (a redelivered task) changes nothing.
    assert orders_expire_daily(as_of="2026-02-09")["expired"] == 0
    assert AuditEntry.objects.filter(action="order.expire").count() == 1
    # The consumer is told; the promoted one can now order the freed seat.
    with clock.frozen(datetime(2026, 2, 9, 9, 0)):
        told = _web(user, laporte).get("/espace/formations/").content.decode()
        promoted = _web(other, laporte).get(f"/o/laporte/commander/{session.pk}/").content.decode()
    assert "annulée faute de paiement" in told
    assert "Une place s'est libérée pour vous" in promoted
    with clock.frozen(datetime(2026, 2, 9, 9, 0)), django_capture_on_commit_callbacks(execute=True):
        second = orders.order_create(actor=other, organisation=laporte, consumer=waiting,
                                     session=session, accept_terms=True)
    assert second.status == Order.Status.AWAITING_PAYMENT


def test_an_order_with_money_received_is_left_to_staff(
        laporte: Any, django_capture_on_commit_callbacks: Any) -> None:
    session = _published_session(laporte, price="1200.00")
    order, _ = _place(laporte, django_capture_on_commit_callbacks, instalments=3, session=session)
    second = Invoice.objects.filter(contract=order.contract).order_by("due_date")[1]
    with clock.frozen(datetime(2026, 2, 3, 9, 0)):
        payment_record(actor=None, organisation=laporte, method="transfer", amount="400.00",
                       received_on=date(2026, 2, 3), allocations=[(second, "400.00")])
    report = orders_expire_unpaid(as_of=date(2026, 3, 1))
    assert report["expired"] == 0 and report["kept"] == [order.number]


def test_signed_webhook_that_sales_refuses_is_answered_200_and_writes_nothing(
        laporte: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    """Issue 14: a refusal raised by a listener (an order already cancelled in sales) used
    to escape as a 500 that Stripe retries for three days."""
    from ofelia.billing.gateways import FakeGateway
    from ofelia.billing.online import checkout_create
    from ofelia.simulator.terms import policy_terms

    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    order, _ = _place(laporte, django_capture_on_commit_callbacks)
    policy = policy_terms(organisation=laporte.pk, policy_id="laporte", version=None,
                          on=date(2026, 2, 2))
    checkout = checkout_create(actor=None, organisation=laporte, order_reference=order.number,
                               amount=order.amount_incl_vat, amount_excl_vat=order.amount_excl_vat,
                               policy=policy, gateway=FakeGateway())
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    payments = Payment.objects.count()
    answer = _post_event(Client(), _event("evt_refused", checkout,
                                          cents=int(order.amount_incl_vat * 100)))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert "ValidationError" in answer.json()["detail"]
    assert Payment.objects.count() == payments and not StripeEvent.objects.exists()
