"""Online orders paid by card or SEPA (PAY-L1) and the Stripe events that settle them."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

import django.dispatch
from django.db import IntegrityError, transaction

from ofelia.core import audit, clock
from ofelia.rules.money import cents, fmt_eur
from ofelia.rules.policy import Policy
from ofelia.rules.training_penalties import instalment_schedule

from .gateways import PaymentGateway
from .models import (
    ZERO,
    CheckoutStatus,
    DunningStep,
    DunningStepKind,
    Instalment,
    Invoice,
    InvoiceStatus,
    OnlineCheckout,
    Payment,
    PaymentMethod,
    Refund,
    RefundStatus,
    StripeEvent,
    StripeEventStatus,
)
from .services import BillingError, _allocate, credit_note_issue

logger = logging.getLogger(__name__)

# Sales listens to these: a paid first instalment validates the order, a refusal voids it.
order_paid = django.dispatch.Signal()
order_voided = django.dispatch.Signal()


def instalment_counts_allowed(policy: Policy, *, amount_excl_vat: Decimal) -> tuple[int, ...]:
    """1 always; 3/4 when the PAY-L1 clause offers them and the order reaches its threshold."""
    clause = policy.clause("PAY-L1")
    if clause is None:
        return (1,)
    threshold = Decimal(str(clause.get("instalment_threshold", "0")))
    if amount_excl_vat < threshold:
        return (1,)
    return (1, *(int(n) for n in clause.get("instalment_counts", ())))


@transaction.atomic
def checkout_create(
    *,
    actor: Any,
    organisation: Any,
    order_reference: str,
    amount: Decimal | str,
    amount_excl_vat: Decimal | str,
    policy: Policy,
    gateway: PaymentGateway,
    instalments: int = 1,
    invoice: Invoice | None = None,
    ordered_on: date | None = None,
    success_url: str = "https://localhost/paiement/merci/",
    cancel_url: str = "https://localhost/paiement/annule/",
) -> OnlineCheckout:
    amount, excl = cents(amount), cents(amount_excl_vat)
    allowed = instalment_counts_allowed(policy, amount_excl_vat=excl)
    if instalments not in allowed:
        clause = policy.clause("PAY-L1")
        why = (f"à partir de {fmt_eur(Decimal(str(clause.get('instalment_threshold'))))} HT "
               f"({policy.document}, {clause.article})") if clause else "non prévu par les conditions"
        raise BillingError(f"Paiement en {instalments} fois refusé pour cette commande "
                           f"({fmt_eur(excl)} HT) : {why}.")
    ordered_on = ordered_on or clock.today()
    checkout = OnlineCheckout.objects.create(
        organisation=organisation, invoice=invoice, order_reference=order_reference,
        amount=amount, instalment_count=instalments,
    )
    # PAY-L1 schedule from the rules core: equal monthly parts, the cents on the first.
    schedule = instalment_schedule(amount, instalments, ordered_on)
    parts = tuple(part for _, part in schedule)
    for position, (due_on, part) in enumerate(schedule, start=1):
        Instalment.objects.create(checkout=checkout, position=position, amount=part, due_on=due_on)
    link = gateway.create_checkout(
        amount=parts[0],
        description=f"Commande {order_reference}" + (f" — échéance 1/{instalments}" if instalments > 1 else ""),
        metadata={"checkout_id": str(checkout.pk), "organisation_id": str(organisation.pk),
                  "instalment": "1", "order_reference": order_reference},
        save_payment_method=instalments > 1,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    checkout.provider_reference = link.provider_reference
    checkout.payment_url = link.url
    checkout.save(update_fields=["provider_reference", "payment_url", "updated_at"])
    audit.record(actor=actor, action="checkout.create", organisation=organisation, obj=checkout,
                 after={**audit.snapshot(checkout), "instalments": [str(p) for p in parts]})
    return checkout


def _invoice_policy_and_base(invoice: Invoice) -> tuple[Policy, Decimal]:
    """The terms an invoice was issued under, and the amount excluding VAT its balance is."""
    from ofelia.simulator.terms import policy_terms

    policy = policy_terms(organisation=invoice.organisation_id,
                          policy_id=invoice.policy_id or invoice.organisation.policy_id,
                          version=invoice.policy_version or None,
                          on=invoice.issue_date or clock.today())
    excl = invoice.total_excl_vat if invoice.balance == invoice.total_incl_vat else invoice.balance
    return policy, excl


def invoice_instalment_counts(invoice: Invoice) -> tuple[int, ...]:
    """What the client may choose when paying this invoice online (PAY-L1)."""
    policy, excl = _invoice_policy_and_base(invoice)
    return instalment_counts_allowed(policy, amount_excl_vat=excl)


def pay_invoice_online(*, actor: Any, invoice: Invoice, instalments: int = 1,
                       gateway: PaymentGateway | None = None,
                       success_url: str = "https://localhost/paiement/merci/",
                       cancel_url: str = "https://localhost/paiement/annule/") -> OnlineCheckout:
    """The client pays an issued invoice's balance at Stripe; 3/4 times where PAY-L1 allows."""
    from .gateways import default_gateway

    if invoice.kind != "invoice" or invoice.status != InvoiceStatus.ISSUED or invoice.balance <= 0:
        raise BillingError(f"{invoice} n'a rien à payer en ligne.")
    pending = invoice.checkouts.filter(status=CheckoutStatus.OPEN, instalment_count=instalments,
                                       amount=invoice.balance).exclude(payment_url="").first()
    if pending is not None and not pending.instalments.filter(paid=True).exists():
        return pending
    policy, excl = _invoice_policy_and_base(invoice)
    return checkout_create(actor=actor, organisation=invoice.organisation,
                           order_reference=invoice.number, amount=invoice.balance,
                           amount_excl_vat=excl, policy=policy, gateway=gateway or default_gateway(),
                           instalments=instalments, invoice=invoice, success_url=success_url,
                           cancel_url=cancel_url)


def _checkout_of(intent: dict[str, Any]) -> OnlineCheckout | None:
    metadata = intent.get("metadata") or {}
    checkout_id, organisation_id = metadata.get("checkout_id"), metadata.get("organisation_id")
    if not checkout_id or not organisation_id:
        return None
    return (OnlineCheckout.objects.select_for_update()
            .filter(pk=checkout_id, organisation_id=organisation_id).first())


def _payment_succeeded(intent: dict[str, Any]) -> tuple[Any, str]:
    checkout = _checkout_of(intent)
    if checkout is None:
        return None, "paiement sans commande Ofelia connue : ignoré"
    position = int((intent.get("metadata") or {}).get("instalment", "1"))
    instalment = checkout.instalments.filter(position=position).first()
    amount = cents(Decimal(int(intent.get("amount_received") or intent.get("amount") or 0)) / 100)
    if instalment is None or amount != instalment.amount:
        raise BillingError(f"Montant reçu ({fmt_eur(amount)}) différent de l'échéance {position} attendue.")
    if checkout.status == CheckoutStatus.VOIDED:
        raise BillingError(f"Commande {checkout.order_reference} annulée : paiement à rembourser.")
    if Payment.objects.filter(provider_reference=intent["id"]).exists():
        # Charged off-session by the instalments job, then announced again by the webhook.
        return checkout.organisation, f"échéance {position} déjà enregistrée"
    if position == 1 and checkout.instalment_count > 1:
        checkout.customer_reference = str(intent.get("customer") or "")
        checkout.payment_method_reference = str(intent.get("payment_method") or "")
        checkout.save(update_fields=["customer_reference", "payment_method_reference", "updated_at"])
    types = intent.get("payment_method_types") or []
    method = PaymentMethod.SEPA if types == ["sepa_debit"] else PaymentMethod.CARD
    payment = Payment.objects.create(
        organisation_id=checkout.organisation_id, method=method, amount=amount,
        received_on=clock.today(), payer_name=checkout.invoice.buyer_name if checkout.invoice else "",
        reference=checkout.order_reference, provider_reference=intent["id"],
    )
    instalment.paid = True
    instalment.save(update_fields=["paid", "updated_at"])
    if checkout.invoice_id:
        invoice = Invoice.objects.select_for_update().get(pk=checkout.invoice_id)
        if invoice.status == InvoiceStatus.ISSUED:
            _allocate(actor=None, payment=payment, invoice=invoice, amount=min(amount, invoice.balance))
    if position == 1:
        order_paid.send(sender=OnlineCheckout, checkout=checkout)
    if not checkout.instalments.filter(paid=False).exists():
        checkout.status = CheckoutStatus.PAID
        checkout.save(update_fields=["status", "updated_at"])
    audit.record(actor=None, action="payment.online_succeeded", organisation=checkout.organisation,
                 obj=payment, after={**audit.snapshot(payment), "instalment": position})
    return checkout.organisation, f"échéance {position} de la commande {checkout.order_reference} payée"


def _payment_failed(intent: dict[str, Any]) -> tuple[Any, str]:
    checkout = _checkout_of(intent)
    if checkout is None:
        return None, "refus de paiement sans commande Ofelia connue : ignoré"
    error = intent.get("last_payment_error") or {}
    reason = str(error.get("message") or error.get("code") or "paiement refusé par la banque")
    before = audit.snapshot(checkout, fields=["status", "failure_reason"])
    checkout.failure_reason = reason[:255]
    if checkout.status == CheckoutStatus.OPEN and not checkout.instalments.filter(paid=True).exists():
        # PAY-L1: a refused debit voids the sale; an invoice already issued is cancelled by avoir.
        checkout.status = CheckoutStatus.VOIDED
        if checkout.invoice_id and checkout.invoice.status == InvoiceStatus.ISSUED:
            credit_note_issue(actor=None, invoice=checkout.invoice,
                              reason=f"Paiement refusé : vente annulée (PAY-L1) — {reason}"[:255])
        order_voided.send(sender=OnlineCheckout, checkout=checkout, reason=reason)
        detail = f"commande {checkout.order_reference} annulée : {reason}"
    else:
        position = int((intent.get("metadata") or {}).get("instalment", "1"))
        _instalment_dunning(checkout, position, reason)
        detail = f"échéance de la commande {checkout.order_reference} refusée : {reason} (relance)"
    checkout.save(update_fields=["status", "failure_reason", "updated_at"])
    audit.record(actor=None, action="payment.online_failed", organisation=checkout.organisation,
                 obj=checkout, before=before, after=audit.snapshot(checkout, fields=["status", "failure_reason"]))
    return checkout.organisation, detail


def _instalment_dunning(checkout: OnlineCheckout, position: int, reason: str) -> None:
    """A later instalment refused: the sale stands (the first payment validated it), the
    debt is collected: a reminder step with its clause, and its own audit row."""
    Instalment.objects.filter(checkout=checkout, position=position).update(
        failure_reason=reason[:255])
    if checkout.invoice_id is None:
        return
    invoice = checkout.invoice
    step, created = DunningStep.objects.get_or_create(
        invoice=invoice, step=DunningStepKind.REMINDER,
        defaults={"organisation_id": checkout.organisation_id, "reached_on": clock.today(),
                  "rule": "PAY-L1",
                  "explanation": f"Échéance {position}/{checkout.instalment_count} de la commande "
                                 f"{checkout.order_reference} refusée par la banque ({reason}) : "
                                 "relance du client, la commande reste valable"})
    if created:
        audit.record(actor=None, action="dunning.step", organisation=checkout.organisation,
                     obj=step, after=audit.snapshot(step, fields=["step", "reached_on", "rule",
                                                                  "explanation"]))


def instalments_charge_due(*, as_of: date, gateway: PaymentGateway | None = None) -> dict[str, int]:
    """Daily, idempotent: charge each later instalment due by `as_of`, once, off-session.

    The provider's answer goes through the same handlers as its webhook (which may come
    later and then finds the payment already recorded).
    """
    from .gateways import default_gateway

    gateway = gateway or default_gateway()
    report = {"charged": 0, "failed": 0}
    due = (Instalment.objects.filter(paid=False, attempted_on__isnull=True, due_on__lte=as_of,
                                     position__gt=1, checkout__status=CheckoutStatus.OPEN)
           .exclude(checkout__payment_method_reference="")
           .select_related("checkout").order_by("due_on", "id"))
    for instalment in due:
        checkout = instalment.checkout
        with transaction.atomic():
            locked = Instalment.objects.select_for_update().get(pk=instalment.pk)
            if locked.attempted_on is not None or locked.paid:
                continue
            key = f"ofelia-{checkout.organisation_id}-{checkout.pk}-{locked.position}"
            intent = gateway.charge_off_session(
                amount=locked.amount, customer=checkout.customer_reference,
                payment_method=checkout.payment_method_reference, idempotency_key=key,
                description=f"Commande {checkout.order_reference} — échéance {locked.position}/"
                            f"{checkout.instalment_count}",
                metadata={"checkout_id": str(checkout.pk),
                          "organisation_id": str(checkout.organisation_id),
                          "instalment": str(locked.position),
                          "order_reference": checkout.order_reference})
            locked.attempted_on = as_of
            locked.provider_reference = str(intent.get("id", ""))[:120]
            locked.save(update_fields=["attempted_on", "provider_reference", "updated_at"])
            if intent.get("status") == "succeeded":
                _payment_succeeded(intent)
                report["charged"] += 1
            else:
                _payment_failed(intent)
                report["failed"] += 1
    return report


# --- refunds to a card or a SEPA debit ------------------------------------------------------


def _provider_payment(invoice_id: int | None) -> Payment | None:
    """The invoice's card or SEPA payment taken through the provider (locked): the refund
    goes back the way the money came."""
    if invoice_id is None:
        return None
    return (Payment.objects.select_for_update(of=("self",))
            .filter(allocations__invoice_id=invoice_id, provider_reference__isnull=False,
                    method__in=(PaymentMethod.CARD, PaymentMethod.SEPA))
            .order_by("-received_on", "-id").first())


def _refunded_through(payment: Payment) -> Decimal:
    return sum(Refund.objects.filter(reference=payment.provider_reference, status=RefundStatus.PAID)
               .values_list("amount", flat=True), ZERO)


@transaction.atomic
def refund_online(*, actor: Any, refund: Refund, gateway: PaymentGateway | None = None) -> Refund:
    """A refund due on an invoice paid by card or SEPA, sent through the provider.

    Recorded once with the provider's refund id: the `charge.refunded` webhook that follows
    finds it and does nothing. The idempotency key makes a retried call refund only once.
    """
    from .gateways import default_gateway
    from .refunds import refund_record_paid

    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.PAID:
        raise BillingError(f"{refund} est déjà effectué.")
    payment = _provider_payment(refund.invoice_id)
    if payment is None:
        raise BillingError("Aucun paiement par carte ou prélèvement SEPA sur cette facture : "
                           "rembourser par virement ou par chèque.")
    left = payment.amount - _refunded_through(payment)
    if refund.amount > left:
        raise BillingError(f"Remboursement de {fmt_eur(refund.amount)} supérieur à ce qui reste "
                           f"remboursable sur le paiement {payment.provider_reference} ({fmt_eur(left)}).")
    answer = (gateway or default_gateway()).refund(
        payment_intent=str(payment.provider_reference), amount=refund.amount,
        metadata={"refund_id": str(refund.pk), "organisation_id": str(refund.organisation_id)},
        idempotency_key=f"ofelia-refund-{refund.organisation_id}-{refund.pk}")
    if answer.get("status") not in ("succeeded", "pending"):
        why = answer.get("failure_reason") or answer.get("status") or "refus"
        raise BillingError(f"Remboursement refusé par Stripe : {why}.")
    return refund_record_paid(actor=actor, refund=refund, method=payment.method,
                              paid_on=clock.today(), reference=str(payment.provider_reference),
                              provider_reference=str(answer["id"]))


def _charge_refunded(charge: dict[str, Any]) -> tuple[Any, str]:
    """`charge.refunded`: each refund of the charge is recorded once. Ours (refund_online)
    is already there or, if our call's answer was lost, is marked paid now; one made in the
    Stripe dashboard is recorded so that no money leaves unrecorded."""
    from .refunds import refund_record_paid

    intent = charge.get("payment_intent")
    payment = (Payment.objects.select_for_update().filter(provider_reference=intent).first()
               if intent else None)
    if payment is None:
        return None, "remboursement d'un paiement inconnu d'Ofelia : ignoré"
    allocation = payment.allocations.select_related("invoice").first()
    invoice = allocation.invoice if allocation else None
    listed = (charge.get("refunds") or {}).get("data")
    if listed is None:
        # Without the list (recent API versions), the total refunded tells what is missing.
        missing = cents(Decimal(int(charge.get("amount_refunded") or 0)) / 100) - _refunded_through(payment)
        listed = ([{"id": None, "amount": int(missing * 100), "status": "succeeded"}]
                  if missing > 0 else [])
    recorded = []
    for item in listed:
        provider_id = str(item["id"]) if item.get("id") else None
        if item.get("status") not in ("succeeded", "pending") or (
                provider_id and Refund.objects.filter(provider_reference=provider_id).exists()):
            continue
        amount = cents(Decimal(int(item.get("amount") or 0)) / 100)
        ours = (item.get("metadata") or {}).get("refund_id")
        refund = (Refund.objects.select_for_update()
                  .filter(pk=ours, organisation_id=payment.organisation_id,
                          status=RefundStatus.DUE).first() if ours else None)
        if refund is None:
            refund = Refund.objects.create(
                organisation_id=payment.organisation_id, invoice=invoice, amount=amount,
                payee_name=payment.payer_name or (invoice.buyer_name if invoice else ""),
                due_on=clock.today(), source_reference=invoice.source_reference if invoice else "",
                explanation="Remboursement fait directement dans Stripe, enregistré à sa notification")
        refund_record_paid(actor=None, refund=refund, method=payment.method, paid_on=clock.today(),
                           reference=str(intent), provider_reference=provider_id)
        recorded.append(fmt_eur(amount))
    if not recorded:
        return payment.organisation, "remboursement déjà enregistré"
    return payment.organisation, f"remboursement enregistré : {', '.join(recorded)}"


HANDLERS = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": _payment_failed,
    "charge.refunded": _charge_refunded,
}


def stripe_event_process(event: dict[str, Any]) -> StripeEvent:
    """Process a verified event once: its id is stored with the outcome in the same transaction."""
    event_id, event_type = str(event["id"]), str(event.get("type", ""))
    existing = StripeEvent.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    handler = HANDLERS.get(event_type)
    try:
        with transaction.atomic():
            if handler is None:
                logger.info("Stripe event %s of type %s ignored", event_id, event_type)
                organisation, status, detail = None, StripeEventStatus.IGNORED, "type d'événement non traité"
            else:
                try:
                    with transaction.atomic():
                        organisation, detail = handler(event["data"]["object"])
                    status = StripeEventStatus.PROCESSED
                except BillingError as refused:
                    # Nothing written but the event row: staff sees why; Stripe stops retrying.
                    logger.error("Stripe event %s refused: %s", event_id, refused)
                    organisation, status, detail = None, StripeEventStatus.REJECTED, str(refused)
            return StripeEvent.objects.create(
                event_id=event_id, event_type=event_type, status=status,
                organisation=organisation, received_at=clock.now(), detail=detail[:500],
            )
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it.
        existing = StripeEvent.objects.filter(event_id=event_id).first()
        if existing is None:
            raise
        return existing
