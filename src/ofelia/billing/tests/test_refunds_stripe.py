"""Refunds to a card or SEPA payment go through Stripe (fake gateway here), recorded once
even when the `charge.refunded` webhook reports them too; transfers and cheques stay
recorded by staff."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ofelia.billing.gateways import FakeGateway
from ofelia.billing.models import Invoice, Refund, RefundStatus, StripeEvent
from ofelia.billing.online import checkout_create, refund_online, stripe_event_process
from ofelia.billing.refunds import refund_create, refund_pay
from ofelia.billing.services import (
    BillingError,
    credit_note_issue,
    invoice_create_draft,
    invoice_issue,
    payment_record,
)
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.notifications.models import SentMail
from ofelia.organisations.testing import make_member
from ofelia.policies import policy_in_force

from .conftest import draft_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with clock.frozen(datetime(2025, 11, 20, 10, 0)):
        yield date(2025, 11, 20)


def _invoice(organisation):
    draft = invoice_create_draft(actor=None, organisation=organisation, **draft_fields())
    return invoice_issue(actor=None, invoice=draft, issue_date=date(2025, 11, 3))


def _paid_by_card_then_credited(organisation, credited="200.00"):
    """1 200 € paid by card at Stripe, then an avoir of 200 €: 200 € to give back."""
    invoice = _invoice(organisation)
    checkout = checkout_create(actor=None, organisation=organisation, order_reference=invoice.number,
                               amount="1200.00", amount_excl_vat="1200.00",
                               policy=policy_in_force("laporte", date(2025, 6, 1)),
                               gateway=FakeGateway(), invoice=invoice, ordered_on=date(2025, 11, 3))
    stripe_event_process({"id": "evt_paid", "type": "payment_intent.succeeded", "data": {"object": {
        "id": "pi_card", "amount": 120000, "amount_received": 120000, "payment_method_types": ["card"],
        "metadata": {"checkout_id": str(checkout.pk), "organisation_id": str(organisation.pk),
                     "instalment": "1"}}}})
    credit_note_issue(actor=None, invoice=Invoice.objects.get(pk=invoice.pk), reason="Remise",
                      lines=[{"description": "Remise commerciale", "unit_price": credited}])
    refund = refund_create(actor=None, invoice=Invoice.objects.get(pk=invoice.pk), amount=credited)
    return invoice, refund


def _charge_refunded(event_id, refunds=None, amount_refunded=None):
    charge = {"id": "ch_card", "object": "charge", "payment_intent": "pi_card"}
    if refunds is not None:
        charge["refunds"] = {"object": "list", "data": refunds}
    if amount_refunded is not None:
        charge["amount_refunded"] = amount_refunded
    return stripe_event_process({"id": event_id, "type": "charge.refunded", "data": {"object": charge}})


def test_refund_to_a_card_goes_through_stripe_and_the_webhook_does_not_record_it_twice(organisation):
    invoice, refund = _paid_by_card_then_credited(organisation)
    gateway = FakeGateway()
    refund_online(actor=None, refund=refund, gateway=gateway)
    [call] = gateway.calls
    assert (call["refund"], call["amount"]) == ("pi_card", Decimal("200.00"))
    assert call["idempotency_key"] == f"ofelia-refund-{organisation.pk}-{refund.pk}"
    refund.refresh_from_db()
    assert (refund.status, refund.method, refund.paid_on) == (RefundStatus.PAID, "card", date(2025, 11, 20))
    assert refund.provider_reference == f"re_fake_{call['idempotency_key']}"
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00") and invoice.balance == Decimal("0.00")
    # Stripe then notifies the same refund: nothing more is recorded, replayed or not.
    for event_id in ("evt_refunded", "evt_refunded"):
        event = _charge_refunded(event_id, refunds=[{
            "id": refund.provider_reference, "amount": 20000, "status": "succeeded",
            "metadata": {"refund_id": str(refund.pk), "organisation_id": str(organisation.pk)}}])
        assert event.status == "processed" and event.detail == "remboursement déjà enregistré"
    assert Refund.objects.count() == 1 and StripeEvent.objects.filter(event_type="charge.refunded").count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00")
    assert AuditEntry.objects.filter(action="refund.pay", object_id=str(refund.pk)).count() == 1
    with pytest.raises(BillingError, match="déjà effectué"):
        refund_online(actor=None, refund=refund, gateway=gateway)


def test_refund_reported_by_the_webhook_first_is_recorded_once_then_not_sent_again(organisation):
    invoice, refund = _paid_by_card_then_credited(organisation)
    # Our call reached Stripe but its answer was lost: the webhook tells us.
    item = {"id": "re_lost", "amount": 20000, "status": "succeeded",
            "metadata": {"refund_id": str(refund.pk), "organisation_id": str(organisation.pk)}}
    _charge_refunded("evt_1", refunds=[item])
    _charge_refunded("evt_2", refunds=[item])  # another event listing the same refund
    refund.refresh_from_db()
    assert (refund.status, refund.provider_reference) == (RefundStatus.PAID, "re_lost")
    assert Refund.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00")
    gateway = FakeGateway()
    with pytest.raises(BillingError, match="déjà effectué"):
        refund_online(actor=None, refund=refund, gateway=gateway)
    assert gateway.calls == []


def test_refund_made_in_the_stripe_dashboard_is_recorded_once_from_the_total_refunded(organisation):
    invoice, _ = _paid_by_card_then_credited(organisation)
    _charge_refunded("evt_a", amount_refunded=5000)  # no refund list: only the total
    _charge_refunded("evt_b", amount_refunded=5000)  # the same total again: nothing new
    [made] = Refund.objects.filter(status=RefundStatus.PAID)
    assert (made.amount, made.method, made.reference) == (Decimal("50.00"), "card", "pi_card")
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1150.00")


def test_refund_refused_by_stripe_records_nothing(organisation):
    invoice, refund = _paid_by_card_then_credited(organisation)
    with pytest.raises(BillingError, match="refusé par Stripe : carte expirée"):
        refund_online(actor=None, refund=refund, gateway=FakeGateway(refuse_refund_with="carte expirée"))
    refund.refresh_from_db()
    invoice.refresh_from_db()
    assert refund.status == RefundStatus.DUE and invoice.amount_paid == Decimal("1200.00")


def test_transfers_and_cheques_stay_recorded_by_staff_card_refunds_do_not(organisation):
    invoice, refund = _paid_by_card_then_credited(organisation)
    with pytest.raises(BillingError, match="passe par Stripe"):
        refund_pay(actor=None, refund=refund, method="card")
    other = invoice_issue(actor=None, issue_date=date(2025, 11, 3), invoice=invoice_create_draft(
        actor=None, organisation=organisation, **draft_fields(buyer_email="compta@ateliers-martin.fr")))
    payment_record(actor=None, organisation=organisation, method="transfer", amount="1200",
                   received_on=date(2025, 11, 10), allocations=[(other, "1200")])
    credit_note_issue(actor=None, invoice=Invoice.objects.get(pk=other.pk), reason="Remise",
                      lines=[{"description": "Remise", "unit_price": "100.00"}])
    by_transfer = refund_create(actor=None, invoice=Invoice.objects.get(pk=other.pk), amount="100.00")
    with pytest.raises(BillingError, match="virement ou par chèque"):
        refund_online(actor=None, refund=by_transfer, gateway=FakeGateway())
    refund_pay(actor=None, refund=by_transfer, method="transfer", paid_on=date(2025, 11, 21))
    by_transfer.refresh_from_db()
    assert by_transfer.status == RefundStatus.PAID and by_transfer.provider_reference is None
    # The payer is told: how much, how, for which invoice.
    told, = SentMail.objects.filter(kind="refund_paid")
    assert told.to == "compta@ateliers-martin.fr" and told.subject == f"Remboursement effectué — facture {other.number}"
    assert f"le 21 novembre 2025 la somme de 100,00\u00a0€ au titre de la facture n° {other.number}, par virement" in told.body


def test_staff_page_refunds_through_stripe(client, organisation, settings):
    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.FakeGateway"
    from ofelia.organisations.models import Role
    from ofelia.organisations.testing import PASSWORD

    invoice, refund = _paid_by_card_then_credited(organisation)
    user = make_member(organisation, Role.STAFF)
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/facturation/factures/{invoice.pk}/").content.decode()
    assert "Rembourser par Stripe" in page
    response = client.post(f"/facturation/remboursements/{refund.pk}/stripe/")
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PAID and refund.provider_reference.startswith("re_fake_")


def test_staff_refund_through_stripe_without_keys_is_a_message_not_a_500(client, organisation,
                                                                          settings, monkeypatch):
    from ofelia.organisations.models import Role
    from ofelia.organisations.testing import PASSWORD

    invoice, refund = _paid_by_card_then_credited(organisation)
    settings.BILLING_PAYMENT_GATEWAY = "ofelia.billing.gateways.StripeGateway"
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    user = make_member(organisation, Role.STAFF)
    assert client.login(username=user.username, password=PASSWORD)
    response = client.post(f"/facturation/remboursements/{refund.pk}/stripe/", follow=True)
    assert response.status_code == 200
    assert "rien n&#x27;a été enregistré" in response.content.decode()
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DUE and refund.provider_reference is None
