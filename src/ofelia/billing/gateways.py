"""Card and SEPA payments through a provider, behind a small adapter.

Production uses Stripe (Checkout Sessions, then off-session PaymentIntents for the later
instalments); tests and the embedded demo use `FakeGateway`, which never touches the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class CheckoutLink:
    provider_reference: str
    url: str


class PaymentGateway(Protocol):
    def create_checkout(
        self, *, amount: Decimal, description: str, metadata: dict[str, str],
        save_payment_method: bool, success_url: str, cancel_url: str,
    ) -> CheckoutLink: ...

    def charge_off_session(
        self, *, amount: Decimal, customer: str, payment_method: str, description: str,
        metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]: ...

    def refund(
        self, *, payment_intent: str, amount: Decimal, metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]: ...


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


class StripeGateway:
    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or os.environ.get("STRIPE_SECRET_KEY", "")

    @property
    def configured(self) -> bool:
        """Without a secret key, clients are offered the bank transfer instead of the card."""
        return bool(self.api_key)

    def create_checkout(
        self, *, amount: Decimal, description: str, metadata: dict[str, str],
        save_payment_method: bool, success_url: str, cancel_url: str,
    ) -> CheckoutLink:
        import stripe

        if not self.api_key:
            raise RuntimeError("STRIPE_SECRET_KEY n'est pas configurée : paiement en ligne indisponible.")
        intent: dict[str, Any] = {"metadata": metadata, "description": description}
        if save_payment_method:
            # The later instalments are charged off-session with the same card or mandate.
            intent["setup_future_usage"] = "off_session"
        session = stripe.checkout.Session.create(
            api_key=self.api_key,
            mode="payment",
            payment_method_types=["card", "sepa_debit"],
            customer_creation="always",
            line_items=[{
                "price_data": {"currency": "eur", "unit_amount": _cents(amount),
                               "product_data": {"name": description}},
                "quantity": 1,
            }],
            payment_intent_data=intent,
            metadata=metadata,
            success_url=success_url,
            cancel_url=cancel_url,
            locale="fr",
        )
        return CheckoutLink(provider_reference=session.id, url=session.url or "")

    def charge_off_session(
        self, *, amount: Decimal, customer: str, payment_method: str, description: str,
        metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]:
        """A later instalment: a confirmed PaymentIntent with the saved card or mandate.

        Returns the PaymentIntent as a dict (the shape the webhooks carry); a decline comes
        back as a failed intent, not an exception, so dunning can start.
        """
        import stripe

        if not self.api_key:
            raise RuntimeError("STRIPE_SECRET_KEY n'est pas configurée : prélèvement impossible.")
        try:
            intent = stripe.PaymentIntent.create(
                api_key=self.api_key, amount=_cents(amount), currency="eur", customer=customer,
                payment_method=payment_method, off_session=True, confirm=True,
                description=description, metadata=metadata, idempotency_key=idempotency_key,
            )
            return dict(intent.to_dict())
        except stripe.CardError as declined:
            failed = declined.error.payment_intent if declined.error else None
            data = dict(failed.to_dict()) if failed is not None else {}
            data.setdefault("status", "requires_payment_method")
            data.setdefault("metadata", metadata)
            data.setdefault("amount", _cents(amount))
            data["last_payment_error"] = {"code": declined.code, "message": declined.user_message}
            return data

    def refund(
        self, *, payment_intent: str, amount: Decimal, metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]:
        """Money back to the card or account of a PaymentIntent; the Refund as a dict."""
        import stripe

        if not self.api_key:
            raise RuntimeError("STRIPE_SECRET_KEY n'est pas configurée : remboursement impossible.")
        refund = stripe.Refund.create(
            api_key=self.api_key, payment_intent=payment_intent, amount=_cents(amount),
            metadata=metadata, idempotency_key=idempotency_key,
        )
        return dict(refund.to_dict())


@dataclass
class FakeGateway:
    """Records what would have been sent to the provider."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    # Off-session charges refused with this message (a test sets it to see dunning start).
    decline_with: str = ""
    # Refunds refused with this message.
    refuse_refund_with: str = ""
    configured: bool = True

    def create_checkout(
        self, *, amount: Decimal, description: str, metadata: dict[str, str],
        save_payment_method: bool, success_url: str, cancel_url: str,
    ) -> CheckoutLink:
        number = len(self.calls) + 1
        self.calls.append({"amount": amount, "description": description, "metadata": metadata,
                           "save_payment_method": save_payment_method})
        return CheckoutLink(provider_reference=f"cs_test_fake_{number}",
                            url=f"https://checkout.invalid/pay/cs_test_fake_{number}")

    def charge_off_session(
        self, *, amount: Decimal, customer: str, payment_method: str, description: str,
        metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]:
        self.calls.append({"amount": amount, "customer": customer, "payment_method": payment_method,
                           "metadata": metadata, "idempotency_key": idempotency_key})
        intent: dict[str, Any] = {"id": f"pi_fake_{idempotency_key}", "object": "payment_intent",
                                  "amount": _cents(amount), "metadata": metadata,
                                  "payment_method_types": ["card"]}
        if self.decline_with:
            intent.update(status="requires_payment_method", amount_received=0,
                          last_payment_error={"code": "card_declined", "message": self.decline_with})
        else:
            intent.update(status="succeeded", amount_received=_cents(amount))
        return intent


    def refund(
        self, *, payment_intent: str, amount: Decimal, metadata: dict[str, str], idempotency_key: str,
    ) -> dict[str, Any]:
        self.calls.append({"refund": payment_intent, "amount": amount, "metadata": metadata,
                           "idempotency_key": idempotency_key})
        status = "failed" if self.refuse_refund_with else "succeeded"
        return {"id": f"re_fake_{idempotency_key}", "object": "refund", "status": status,
                "amount": _cents(amount), "payment_intent": payment_intent, "metadata": metadata,
                "failure_reason": self.refuse_refund_with or None}


def default_gateway() -> PaymentGateway:
    path = getattr(settings, "BILLING_PAYMENT_GATEWAY", "ofelia.billing.gateways.StripeGateway")
    return import_string(path)()  # type: ignore[no-any-return]


def card_gateway() -> PaymentGateway | None:
    """The gateway when card payment is configured, None otherwise (payment by transfer)."""
    gateway = default_gateway()
    return gateway if getattr(gateway, "configured", True) else None
