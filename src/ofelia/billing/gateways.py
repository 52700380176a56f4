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


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


class StripeGateway:
    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or os.environ.get("STRIPE_SECRET_KEY", "")

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


@dataclass
class FakeGateway:
    """Records what would have been sent to the provider."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def create_checkout(
        self, *, amount: Decimal, description: str, metadata: dict[str, str],
        save_payment_method: bool, success_url: str, cancel_url: str,
    ) -> CheckoutLink:
        number = len(self.calls) + 1
        self.calls.append({"amount": amount, "description": description, "metadata": metadata,
                           "save_payment_method": save_payment_method})
        return CheckoutLink(provider_reference=f"cs_test_fake_{number}",
                            url=f"https://checkout.invalid/pay/cs_test_fake_{number}")


def default_gateway() -> PaymentGateway:
    path = getattr(settings, "BILLING_PAYMENT_GATEWAY", "ofelia.billing.gateways.StripeGateway")
    return import_string(path)()  # type: ignore[no-any-return]
