"""Issue 14: validly signed but malformed Stripe events answer 200 « ignored » (Stripe stops
retrying, nothing is written), a timestamp more than 5 minutes away either way is a 400."""

from __future__ import annotations

import json
import time

import pytest

from ofelia.billing.models import Payment, StripeEvent

from .test_payments import SECRET, _sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def webhook_secret(monkeypatch):
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)


def _post(client, payload: str, at: int | None = None):
    return client.post("/webhooks/stripe/", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=_sign(payload, at=at))


@pytest.mark.parametrize("event", [
    {"type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": "", "type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": "evt\x00", "type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": 12, "type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": []}},
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": []},
    {"id": "evt_1", "type": "payment_intent.succeeded"},
    {"id": "evt_1", "type": ["x"], "data": {"object": {}}},
    [1, 2, 3],
    "texte",
])
def test_i14_signed_but_malformed_event_is_200_ignored_and_writes_nothing(client, event):
    response = _post(client, json.dumps(event))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ignored" and response.json()["detail"]
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()


@pytest.mark.parametrize("event", [
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}},
    {"id": "evt_2", "type": "payment_intent.succeeded",
     "data": {"object": {"id": "pi_1", "metadata": "pas un objet", "amount": "abc"}}},
    {"id": "evt_3", "type": "payment_intent.payment_failed", "data": {"object": {"metadata": None}}},
    {"id": "evt_4", "type": "charge.refunded", "data": {"object": {"refunds": 3}}},
    {"id": "evt_5", "type": "charge.refunded", "data": {"object": {"amount_refunded": "1e400"}}},
])
def test_i14_signed_event_with_an_unusable_object_is_200_and_pays_nothing(client, event):
    response = _post(client, json.dumps(event))
    assert response.status_code == 200, response.content
    assert response.json()["status"] in {"ignored", "processed", "rejected"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize("offset", [3600, 301, -3600, -301])
def test_i14_webhook_timestamp_more_than_five_minutes_away_is_refused(client, offset):
    event = json.dumps({"id": "evt_9", "type": "customer.created", "data": {"object": {}}})
    response = _post(client, event, at=int(time.time()) + offset)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("offset", [0, 240, -240])
def test_i14_webhook_timestamp_within_five_minutes_is_accepted(client, offset):
    event = json.dumps({"id": "evt_9", "type": "customer.created", "data": {"object": {}}})
    response = _post(client, event, at=int(time.time()) + offset)
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert StripeEvent.objects.filter(event_id="evt_9").exists()
