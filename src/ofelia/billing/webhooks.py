"""Stripe webhooks: signature verified before anything is read or written.

Answers (Stripe retries every answer that is not 2xx, for three days):
- 400 for what Stripe did not send: a bad signature, a timestamp outside 5 minutes either way
  (a replayed capture, or a forged clock), a body that is not JSON;
- 200 `{"status": "ignored"}` for a validly signed event we cannot use — no `id`, no
  `data.object` object, an object missing what its type needs: retrying would not change
  it, so Stripe must stop; it is logged as an error for the operator to look at;
- 200 with the recorded outcome otherwise (processed once, a replay answers the same).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .online import stripe_event_process

logger = logging.getLogger(__name__)
# Stripe's own default tolerance, applied to both directions.
TOLERANCE_SECONDS = 300
EVENT_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def webhook_secret() -> str:
    return os.environ.get("STRIPE_WEBHOOK_SECRET") or getattr(settings, "STRIPE_WEBHOOK_SECRET", "")


def _refused(detail: str) -> JsonResponse:
    return JsonResponse({"error": detail}, status=400, json_dumps_params={"ensure_ascii": False})


def _ignored(detail: str) -> JsonResponse:
    logger.error("Signed Stripe webhook ignored: %s", detail)
    return JsonResponse({"event": None, "status": "ignored", "detail": detail},
                        json_dumps_params={"ensure_ascii": False})


def _timestamp(header: str) -> int | None:
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            return int(value)
    return None


def malformed(event: Any) -> str:
    """What makes a signed event unusable, or "" when its shape is right."""
    if not isinstance(event, dict):
        return "l'événement n'est pas un objet JSON"
    if not isinstance(event.get("id"), str) or not EVENT_ID.match(event["id"]):
        return "identifiant d'événement (id) absent ou invalide"
    if not isinstance(event.get("type", ""), str) or len(event.get("type", "")) > 255:
        return "type d'événement invalide"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object absent ou n'est pas un objet"
    return ""


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = webhook_secret()
    if not secret:
        logger.error("STRIPE_WEBHOOK_SECRET is not set: Stripe webhook refused")
        return JsonResponse({"error": "webhook non configuré"}, status=503)
    payload = request.body
    header = request.headers.get("Stripe-Signature", "")
    try:
        # The signature only: the body is read below, by our own checks.
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret,
                                              tolerance=TOLERANCE_SECONDS)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError):
        logger.warning("Stripe webhook with a bad signature refused")
        return _refused("signature invalide")
    signed_at = _timestamp(header)
    if signed_at is None or signed_at > time.time() + TOLERANCE_SECONDS:
        logger.warning("Stripe webhook timestamped in the future refused")
        return _refused("horodatage de la signature dans le futur")
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):
        return _refused("corps illisible")
    problem = malformed(event)
    if problem:
        return _ignored(problem)
    try:
        record = stripe_event_process(event)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, LookupError,
            ValidationError, ObjectDoesNotExist) as exc:
        # The handler's transaction is rolled back: nothing half-written, nothing recorded.
        return _ignored(f"{event['type'] or 'événement'} {event['id']} inexploitable "
                        f"({type(exc).__name__} : {exc})"[:500])
    return JsonResponse({"event": record.event_id, "status": record.status, "detail": record.detail})
