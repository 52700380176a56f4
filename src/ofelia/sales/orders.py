"""Online orders of consumers (LA PORTE ACADÉMIE style) and their hand-over to billing.

Interface with billing (ofelia.billing, built separately):
- `order_create(...)` leaves an `Order` in status `awaiting_payment`, with its contrat de
  formation signed online (terms version + hash accepted by checkbox) and the seat taken.
- Billing collects it with `orders_awaiting_payment(organisation=...)` and
  `order_ready_for_payment(order) -> PaymentRequest`: every fact the checkout needs (amounts,
  instalments already validated by the rules core against PAY-L1, the schedule of the
  instalments as the core computed it, the policy governing the order).
- Billing reports back with `order_mark_paid` / `order_void`; `apps.SalesConfig.ready`
  connects them to billing's `order_paid` / `order_voided` signals, matching the checkout's
  `order_reference` with `Order.number`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from ofelia.catalogue.models import Enrolment, Modality, TrainingSession
from ofelia.catalogue.seats import (
    enrolment_cancel,
    enrolment_create,
    free_seats,
    locked_session,
    waitlist_position,
)
from ofelia.core import audit, clock
from ofelia.organisations.models import ConsumerClient, Organisation
from ofelia.organisations.services import learner_for_consumer
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.money import cents

from . import rules_io
from .mentions import MissingMention
from .models import Contract, Order, TermsAcceptance
from .services.contracts import _next_number, contract_create, contract_sign

DIGITAL_CONSENT_TEXT = (
    "Je demande à accéder immédiatement à la formation en ligne, avant la fin du délai de "
    "rétractation, et je reconnais perdre mon droit de rétractation dès mon premier accès au "
    "contenu (Code de la consommation L221-28, 13°)."
)


def is_digital_content(session: TrainingSession) -> bool:
    return session.training.modality == Modality.ELEARNING


def instalment_options(organisation: Organisation, *, amount_excl_vat: Decimal, on: date) -> tuple[int, ...]:
    """1, plus the counts PAY-L1 of the policy in force offers at this amount (data, not code)."""
    if not organisation.policy_id:
        return (1,)
    try:
        policy = rules_io.policy_for_signature(organisation, organisation.policy_id, on)
    except RulesError:
        return (1,)
    clause = policy.clause("PAY-L1")
    if clause is None or amount_excl_vat < Decimal(str(clause.get("instalment_threshold", "0"))):
        return (1,)
    return (1, *(int(n) for n in clause.get("instalment_counts", ())))


def vat_rate_of(organisation: Organisation) -> Decimal:
    """The VAT rate of an online order: 20 % unless the training exemption applies."""
    return _vat_rate(organisation)


def _vat_rate(organisation: Organisation) -> Decimal:
    return Decimal("20") if organisation.vat_status == Organisation.VatStatus.SUBJECT else Decimal("0")


@transaction.atomic
def order_create(
    *,
    actor: Any,
    organisation: Organisation,
    consumer: ConsumerClient,
    session: TrainingSession,
    accept_terms: bool,
    digital_consent: bool = False,
    instalments: int = 1,
    ip_address: str | None = None,
) -> Order:
    """The consumer orders a seat online: contrat signed by checkbox, seat taken, order left
    awaiting payment. Anything refused changes nothing (one transaction)."""
    if consumer.organisation_id != organisation.pk or session.organisation_id != organisation.pk:
        raise ValidationError("Cet élément appartient à un autre organisme.")
    training = session.training
    if not (training.is_published and training.is_active):
        raise ValidationError("Cette formation n'est pas proposée à la commande en ligne.")
    now = clock.now()
    if session.start_date < now.date():
        raise ValidationError("Cette session a déjà commencé.")
    if not accept_terms:
        raise ValidationError("Pour commander, acceptez les conditions générales de vente.")
    session = locked_session(organisation=organisation, session_id=session.pk)
    learner = learner_for_consumer(actor=actor, consumer=consumer)
    # Promoted from the waiting list: the seat is already theirs, the order takes it.
    enrolment = (Enrolment.objects.filter(session=session, learner=learner, contracts__isnull=True)
                 .exclude(status=Enrolment.Status.CANCELLED).first())
    if enrolment is not None and enrolment.status == Enrolment.Status.WAITLISTED:
        raise ValidationError("Vous êtes sur la liste d'attente de cette session : vous serez "
                              "prévenu(e) par e-mail dès qu'une place se libère.")
    if enrolment is None and not free_seats(session):
        raise ValidationError("Cette session est complète : inscrivez-vous sur la liste d'attente "
                              "ou choisissez une autre date.")
    if enrolment is None:
        enrolment = enrolment_create(actor=actor, organisation=organisation, session=session,
                                     learner=learner)
    contract = contract_create(
        actor=actor, organisation=organisation, session=session, consumer=consumer,
        enrolments=[enrolment], at_distance=True, vat_rate=_vat_rate(organisation),
        instalments=instalments if instalments > 1 else None,
    )
    try:
        contract = contract_sign(actor=actor, contract=contract, accepted_by_name=str(consumer),
                                 method=TermsAcceptance.Method.ONLINE_CHECKBOX, user=actor,
                                 ip_address=ip_address)
        # The rules core checks the instalments against PAY-L1 (CaseError naming the rule).
        rules_io.evaluate_contract(contract, as_of=now.date())
    except MissingMention as exc:
        raise ValidationError(str(exc)) from exc
    except RulesError as exc:
        raise ValidationError(f"Commande refusée : {exc}") from exc
    consent_at = now if (digital_consent and is_digital_content(session)) else None
    order = Order.objects.create(
        organisation=organisation,
        number=_next_number(Order, organisation, "CMD", now.year),
        consumer=consumer, contract=contract, ordered_at=now,
        amount_excl_vat=contract.price, amount_incl_vat=cents(contract.price + contract.vat_amount),
        instalments=instalments,
        terms_acceptance=contract.acceptances.order_by("-accepted_at").first(),
        digital_consent_at=consent_at,
        digital_consent_text=DIGITAL_CONSENT_TEXT if consent_at else "",
    )
    audit.record(actor=actor, action="order.create", organisation=organisation, obj=order,
                 after={**audit.snapshot(order, ["number", "status", "amount_excl_vat",
                                                 "amount_incl_vat", "instalments",
                                                 "digital_consent_at"]),
                        "contract": contract.number, "policy_version": contract.policy_version,
                        "policy_sha256": contract.policy_sha256})
    return order


@dataclass(frozen=True)
class PaymentRequest:
    """What billing needs to collect an online order."""

    organisation_id: int
    order_reference: str
    ordered_on: date
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal
    instalments: int
    # (due_on, amount) per instalment, as the rules core computed them (PAY-L1).
    schedule: tuple[tuple[date, Decimal], ...]
    policy_id: str
    policy_version: str
    payer_name: str
    payer_email: str
    contract_number: str


def orders_awaiting_payment(*, organisation: Organisation) -> QuerySet[Order]:
    return (Order.objects.for_organisation(organisation)
            .filter(status=Order.Status.AWAITING_PAYMENT)
            .select_related("consumer", "contract").order_by("ordered_at", "id"))


def order_ready_for_payment(order: Order) -> PaymentRequest:
    """The payment request of an order awaiting payment; refused for any other status."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        raise ValidationError(f"La commande {order.number} est « {order.get_status_display()} ».")
    contract = order.contract
    ordered_on = order.ordered_at.date()
    outcome = rules_io.evaluate_contract(contract, as_of=ordered_on)
    schedule = tuple(
        (date.fromisoformat(c["due_on"]), Decimal(c["amount"]))
        for c in outcome.get("charges", []) if c.get("kind") == "instalment" and c.get("due_on")
    )
    if not schedule:
        schedule = ((ordered_on, order.amount_incl_vat),)
    return PaymentRequest(
        organisation_id=order.organisation_id, order_reference=order.number, ordered_on=ordered_on,
        amount_excl_vat=order.amount_excl_vat, amount_incl_vat=order.amount_incl_vat,
        instalments=order.instalments, schedule=schedule, policy_id=contract.policy_id,
        policy_version=contract.policy_version, payer_name=str(order.consumer),
        payer_email=order.consumer.email, contract_number=contract.number,
    )


def _order_by_reference(organisation: Any, reference: str) -> Order | None:
    return (Order.objects.select_for_update().filter(organisation=organisation, number=reference)
            .first())


@transaction.atomic
def order_mark_paid(*, actor: Any, organisation: Any, order_reference: str) -> Order | None:
    """Billing accepted the (first) payment: the order is validated (PAY-L1). Idempotent."""
    order = _order_by_reference(organisation, order_reference)
    if order is None or order.status == Order.Status.PAID:
        return order
    if order.status != Order.Status.AWAITING_PAYMENT:
        raise ValidationError(f"La commande {order.number} est « {order.get_status_display()} ».")
    order.status = Order.Status.PAID
    order.paid_at = clock.now()
    order.save(update_fields=["status", "paid_at"])
    audit.record(actor=actor, action="order.paid", organisation=order.organisation, obj=order,
                 after={"status": order.status})
    return order


def _order_cancel(*, actor: Any, order: Order, status: str, reason: str, action: str) -> Order:
    """The order (locked) ends unpaid: contract cancelled, its seats given back through the
    seat door (the first of the waiting list is promoted there)."""
    order.status = status
    order.voided_reason = reason[:255]
    order.save(update_fields=["status", "voided_reason"])
    contract = Contract.objects.select_for_update().get(pk=order.contract_id)
    contract.status = Contract.Status.CANCELLED
    contract.save(update_fields=["status"])
    for enrolment in contract.enrolments.exclude(status=Enrolment.Status.CANCELLED):
        enrolment_cancel(actor=actor, organisation=order.organisation, enrolment=enrolment)
    audit.record(actor=actor, action=action, organisation=order.organisation, obj=order,
                 after={"status": order.status, "reason": order.voided_reason,
                        "contract": contract.number, "contract_status": contract.status})
    return order


@transaction.atomic
def order_void(*, actor: Any, organisation: Any, order_reference: str, reason: str) -> Order | None:
    """A refused payment voids the sale (PAY-L1): contract cancelled, seat given back."""
    order = _order_by_reference(organisation, order_reference)
    if order is None or order.status == Order.Status.VOIDED:
        return order
    if order.status != Order.Status.AWAITING_PAYMENT:
        raise ValidationError(f"La commande {order.number} est « {order.get_status_display()} ».")
    return _order_cancel(actor=actor, order=order, status=Order.Status.VOIDED, reason=reason,
                         action="order.void")


@transaction.atomic
def order_expire(*, actor: Any, order: Order, today: date) -> Order | None:
    """An order still unpaid after the organisation's delay frees its seat. Idempotent: an
    order paid, voided or expired meanwhile, or still within its delay, is left as it is
    (returns None)."""
    order = Order.objects.select_for_update().select_related("organisation", "contract").get(
        pk=order.pk, organisation=order.organisation_id)
    if order.status != Order.Status.AWAITING_PAYMENT:
        return None
    deadline = order.payment_deadline
    if not today > deadline.due_on:
        return None
    reason = (f"non payée au {fr_date(deadline.due_on)}, terme du délai de paiement fixé par "
              "l'organisme : commande annulée, place libérée")
    order = _order_cancel(actor=actor, order=order, status=Order.Status.EXPIRED, reason=reason,
                          action="order.expire")
    audit.record(actor=actor, action="order.expire_deadline", organisation=order.organisation,
                 obj=order, after={"due_on": deadline.due_on, "source": deadline.source,
                                   "explanation": deadline.explanation})
    return order


def orders_past_deadline(*, today: date) -> QuerySet[Order]:
    """Orders awaiting payment long enough to be checked (each is re-checked when locked)."""
    from datetime import timedelta

    return (Order.objects.filter(status=Order.Status.AWAITING_PAYMENT,
                                 ordered_at__date__lt=today - timedelta(days=1))
            .select_related("organisation", "contract").order_by("ordered_at", "id"))


def shop_seat(*, session: TrainingSession, consumer: ConsumerClient) -> tuple[str, int]:
    """What the shop offers this consumer for this session: "free" (order), "promoted"
    (their waiting-list turn came: order), "waitlisted" (with their position) or "full"
    (join the waiting list)."""
    mine = (Enrolment.objects.filter(session=session, learner__consumer=consumer,
                                     contracts__isnull=True)
            .exclude(status=Enrolment.Status.CANCELLED).first())
    if mine is not None and mine.status == Enrolment.Status.WAITLISTED:
        return "waitlisted", waitlist_position(mine)
    if mine is not None:
        return "promoted", 0
    return ("free" if free_seats(session) else "full"), 0


@transaction.atomic
def waitlist_join(*, actor: Any, organisation: Organisation, consumer: ConsumerClient,
                  session: TrainingSession) -> Enrolment:
    """A full session in the shop: the consumer joins its waiting list (nothing to pay, no
    contract yet); a freed seat goes to the first in line through the seat door."""
    if consumer.organisation_id != organisation.pk or session.organisation_id != organisation.pk:
        raise ValidationError("Cet élément appartient à un autre organisme.")
    if session.start_date < clock.now().date():
        raise ValidationError("Cette session a déjà commencé.")
    session = locked_session(organisation=organisation, session_id=session.pk)
    if free_seats(session):
        raise ValidationError("Une place est libre dans cette session : vous pouvez la commander.")
    learner = learner_for_consumer(actor=actor, consumer=consumer)
    return enrolment_create(actor=actor, organisation=organisation, session=session,
                            learner=learner)


def on_billing_order_paid(sender: Any, checkout: Any, **kwargs: Any) -> None:
    order_mark_paid(actor=None, organisation=checkout.organisation_id,
                    order_reference=checkout.order_reference)


@transaction.atomic
def order_refund_record(*, actor: Any, contract_id: int, amount: Decimal, on: date) -> Order | None:
    """Billing paid money back on the order's contract: the consumer's card says how much and
    when (the refund itself lives in billing)."""
    order = Order.objects.select_for_update().filter(contract_id=contract_id).first()
    if order is None:
        return None
    order.refunded_amount += amount
    order.refunded_on = on
    order.save(update_fields=["refunded_amount", "refunded_on"])
    audit.record(actor=actor, action="order.refunded", organisation=order.organisation, obj=order,
                 after={"refunded_amount": str(order.refunded_amount), "refunded_on": on.isoformat()})
    return order


def on_billing_refund_paid(sender: Any, refund: Any, **kwargs: Any) -> None:
    contract_id = refund.contract_id or (refund.invoice.contract_id if refund.invoice else None)
    if contract_id:
        order_refund_record(actor=None, contract_id=contract_id, amount=refund.amount,
                            on=refund.paid_on)


def on_billing_order_voided(sender: Any, checkout: Any, reason: str = "", **kwargs: Any) -> None:
    order_void(actor=None, organisation=checkout.organisation_id,
               order_reference=checkout.order_reference, reason=reason or "paiement refusé")
