from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import date
from decimal import Decimal

import pytest

from ofelia.billing.gateways import FakeGateway
from ofelia.billing.models import (
    CheckoutStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    StripeEvent,
)
from ofelia.billing.online import checkout_create, order_voided
from ofelia.billing.services import (
    BillingError,
    credit_note_issue,
    invoice_create_draft,
    invoice_issue,
    payment_allocate,
    payment_record,
)
from ofelia.policies import policy_in_force

from .conftest import draft_fields

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_only"


def _issued(organisation, **overrides):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields(**overrides))
    return invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 3, 10))


def _sign(payload: str, secret: str = SECRET, at: int | None = None) -> str:
    # What Stripe sends: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")
    t = at if at is not None else int(time.time())
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _post(client, event: dict, secret: str = SECRET):
    payload = json.dumps(event)
    return client.post("/webhooks/stripe/", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=_sign(payload, secret))


def _intent_event(event_id, kind, checkout, *, amount_cents, instalment=1, error=None):
    intent = {"id": f"pi_{event_id}", "object": "payment_intent", "amount": amount_cents,
              "amount_received": amount_cents if kind == "succeeded" else 0,
              "payment_method_types": ["card"],
              "metadata": {"checkout_id": str(checkout.pk),
                           "organisation_id": str(checkout.organisation_id),
                           "instalment": str(instalment)}}
    if error:
        intent["last_payment_error"] = {"code": "card_declined", "message": error}
    return {"id": event_id, "object": "event", "type": f"payment_intent.{kind}",
            "data": {"object": intent}}


# --- allocation ---------------------------------------------------------------------------

def test_transfer_recorded_and_allocated_until_the_invoice_is_paid(organisation):
    invoice = _issued(organisation)
    payment_record(actor=None, organisation=organisation, method="transfer", amount="700",
                   received_on=date(2025, 3, 20), allocations=[(invoice, "700")])
    cheque = payment_record(actor=None, organisation=organisation, method="cheque", amount="500",
                            received_on=date(2025, 3, 25))
    payment_allocate(actor=None, payment=cheque, invoice=invoice, amount=Decimal("500"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_on == date(2025, 3, 25)
    assert invoice.balance == Decimal("0.00")


def test_over_payment_is_refused_with_the_balance_and_nothing_written(organisation):
    invoice = _issued(organisation)
    with pytest.raises(BillingError, match=r"Trop-perçu refusé : 1\xa0200,01\xa0€ dépasse le solde"):
        payment_record(actor=None, organisation=organisation, method="transfer", amount="1200.01",
                       received_on=date(2025, 3, 20), allocations=[(invoice, "1200.01")])
    assert not Payment.objects.exists() and not PaymentAllocation.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("0.00")


def test_payment_on_a_cancelled_invoice_is_refused(organisation):
    invoice = _issued(organisation)
    credit_note_issue(actor=None, invoice=invoice, reason="Annulation", issue_date=date(2025, 3, 11))
    with pytest.raises(BillingError, match="annulée par avoir"):
        payment_record(actor=None, organisation=organisation, method="cheque", amount="100",
                       received_on=date(2025, 3, 20), allocations=[(invoice, "100")])
    assert not Payment.objects.exists()


def test_allocation_cannot_exceed_what_the_payment_has_left(organisation):
    invoice = _issued(organisation)
    payment = payment_record(actor=None, organisation=organisation, method="cheque", amount="100",
                             received_on=date(2025, 3, 20))
    with pytest.raises(BillingError, match="n'a plus que 100,00"):
        payment_allocate(actor=None, payment=payment, invoice=invoice, amount=Decimal("150"))


def test_payment_cannot_go_to_another_organisations_invoice(organisation, other_organisation):
    theirs = _issued(other_organisation)
    payment = payment_record(actor=None, organisation=organisation, method="cheque", amount="100",
                             received_on=date(2025, 3, 20))
    with pytest.raises(BillingError, match="même organisme"):
        payment_allocate(actor=None, payment=payment, invoice=theirs, amount=Decimal("100"))


# --- checkout and instalments (PAY-L1) -----------------------------------------------------

def test_pay_l1_four_instalments_remainder_on_the_first_and_monthly_dates(organisation):
    gateway = FakeGateway()
    policy = policy_in_force("laporte", date(2025, 6, 1))
    checkout = checkout_create(actor=None, organisation=organisation, order_reference="CMD-1",
                               amount="1000.03", amount_excl_vat="1000.03", instalments=4,
                               policy=policy, gateway=gateway, ordered_on=date(2025, 1, 31))
    rows = list(checkout.instalments.values_list("amount", "due_on"))
    # 100 003 cents / 4 = 25 000 remainder 3: the 3 cents go on the first instalment.
    assert rows == [(Decimal("250.03"), date(2025, 1, 31)), (Decimal("250.00"), date(2025, 2, 28)),
                    (Decimal("250.00"), date(2025, 3, 31)), (Decimal("250.00"), date(2025, 4, 30))]
    assert gateway.calls[0]["amount"] == Decimal("250.03")
    assert gateway.calls[0]["save_payment_method"] is True
    assert checkout.payment_url.startswith("https://checkout.invalid/")


def test_pay_l1_instalments_refused_below_1000_excl_vat(organisation):
    policy = policy_in_force("laporte", date(2025, 6, 1))
    with pytest.raises(BillingError, match=r"Paiement en 3 fois refusé.*1\xa0000,00\xa0€ HT"):
        checkout_create(actor=None, organisation=organisation, order_reference="CMD-2",
                        amount="1199.99", amount_excl_vat="999.99", instalments=3,
                        policy=policy, gateway=FakeGateway())


# --- webhooks -----------------------------------------------------------------------------

@pytest.fixture
def webhook_secret(monkeypatch):
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)


def _order(organisation, invoice=None, instalments=1, amount="1200.00"):
    return checkout_create(actor=None, organisation=organisation, order_reference="CMD-9",
                           amount=amount, amount_excl_vat=amount, instalments=instalments,
                           policy=policy_in_force("laporte", date(2025, 6, 1)),
                           gateway=FakeGateway(), invoice=invoice)


def test_webhook_payment_succeeded_is_processed_once_even_when_replayed(client, organisation, webhook_secret):
    invoice = _issued(organisation)
    checkout = _order(organisation, invoice=invoice)
    event = _intent_event("evt_1", "succeeded", checkout, amount_cents=120000)
    first = _post(client, event)
    again = _post(client, event)
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "processed"
    assert Payment.objects.count() == 1 and StripeEvent.objects.count() == 1
    invoice.refresh_from_db()
    checkout.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and checkout.status == CheckoutStatus.PAID


def test_webhook_bad_signature_is_400_and_writes_nothing(client, organisation, webhook_secret):
    checkout = _order(organisation)
    response = _post(client, _intent_event("evt_2", "succeeded", checkout, amount_cents=120000),
                     secret="whsec_wrong")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()
    old = json.dumps(_intent_event("evt_3", "succeeded", checkout, amount_cents=120000))
    stale = client.post("/webhooks/stripe/", data=old, content_type="application/json",
                        HTTP_STRIPE_SIGNATURE=_sign(old, at=int(time.time()) - 3600))
    assert stale.status_code == 400  # outside Stripe's 5-minute tolerance: a replayed capture


def test_webhook_unknown_event_type_is_200_ignored_and_logged(client, organisation, webhook_secret, caplog):
    response = _post(client, {"id": "evt_4", "type": "customer.created", "data": {"object": {}}})
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert StripeEvent.objects.get(event_id="evt_4").status == "ignored"
    assert "customer.created ignored" in caplog.text


def test_webhook_declined_payment_voids_the_order_and_cancels_its_invoice(client, organisation, webhook_secret):
    invoice = _issued(organisation)
    checkout = _order(organisation, invoice=invoice)
    voided = []
    order_voided.connect(lambda sender, checkout, reason, **kw: voided.append((checkout.order_reference, reason)),
                         weak=False, dispatch_uid="test-voided")
    try:
        response = _post(client, _intent_event("evt_5", "payment_failed", checkout,
                                               amount_cents=120000, error="Votre carte a été refusée."))
    finally:
        order_voided.disconnect(dispatch_uid="test-voided")
    assert response.status_code == 200
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.VOIDED
    assert voided == [("CMD-9", "Votre carte a été refusée.")]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED  # corrected by an avoir, never deleted
    assert Invoice.objects.credit_notes().get().credited_invoice == invoice


def test_webhook_amount_mismatch_is_rejected_without_creating_money(client, organisation, webhook_secret):
    checkout = _order(organisation)
    response = _post(client, _intent_event("evt_6", "succeeded", checkout, amount_cents=100))
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert not Payment.objects.exists()


def test_webhook_without_configured_secret_refuses(client, monkeypatch):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    assert _post(client, {"id": "evt_7", "type": "x"}).status_code == 503
    assert not StripeEvent.objects.exists()
