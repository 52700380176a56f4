"""Stripe webhooks: signature verified before anything is read or written."""

from __future__ import annotations

import json
import logging
import os

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .online import stripe_event_process

logger = logging.getLogger(__name__)


def webhook_secret() -> str:
    return os.environ.get("STRIPE_WEBHOOK_SECRET") or getattr(settings, "STRIPE_WEBHOOK_SECRET", "")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = webhook_secret()
    if not secret:
        logger.error("STRIPE_WEBHOOK_SECRET is not set: Stripe webhook refused")
        return JsonResponse({"error": "webhook non configuré"}, status=503)
    payload = request.body
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), secret)
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("Stripe webhook with a bad signature refused")
        return JsonResponse({"error": "signature invalide"}, status=400)
    event = json.loads(payload)
    record = stripe_event_process(event)
    return JsonResponse({"event": record.event_id, "status": record.status, "detail": record.detail})
