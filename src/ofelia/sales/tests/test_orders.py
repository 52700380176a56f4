"""Online orders of consumers (LA PORTE ACADÉMIE): account, terms, retraction, RET-5 consent,
PAY-L1 instalments through the rules core, hand-over to billing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.catalogue.models import Enrolment, Trainer, Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import ConsumerClient, Membership, Role
from ofelia.rules.money import split_instalments
from ofelia.sales import orders, rules_io
from ofelia.sales.models import Contract, Order, TermsAcceptance

from .conftest import DOCUMENT_FIELDS, make_organisation, make_user

ORDER_DAY = datetime(2026, 2, 2, 10, 0)


@pytest.fixture
def laporte(db: Any) -> Any:
    return make_organisation("laporte", "laporte")


def _published_session(org: Any, *, price: str = "1200.00", modality: str = "classroom",
                       capacity: int = 10, start: date = date(2026, 4, 13)) -> TrainingSession:
    trainer_user = make_user(org, Role.TRAINER)
    trainer = Trainer.objects.create(organisation=org, titles="Master en sciences de l'éducation",
                                     membership=Membership.objects.get(user=trainer_user))
    fields = {k: v for k, v in DOCUMENT_FIELDS.items() if k != "trainers"}
    training = Training.objects.create(
        organisation=org, title="Prise de parole en public", reference=f"PPP-{price}-{modality}",
        duration_hours=Decimal("14"), price_excl_vat=Decimal(price), modality=modality,
        is_published=True, **fields)
    training.trainers.add(trainer)
    return TrainingSession.objects.create(organisation=org, training=training, start_date=start,
                                          end_date=start, place="Paris", capacity=capacity)


def _consumer_user(org: Any) -> tuple[Any, ConsumerClient]:
    user = make_user(org, Role.CONSUMER)
    consumer = ConsumerClient.objects.create(
        organisation=org, user=user, civility="mme", first_name="Léa", last_name="Martin",
        email=user.email, address_line1="2 rue des Écoles", postal_code="75005", city="Paris")
    return user, consumer


def _order(org: Any, user: Any, consumer: Any, session: Any, **kwargs: Any) -> Order:
    with clock.frozen(ORDER_DAY):
        return orders.order_create(actor=user, organisation=org, consumer=consumer,
                                   session=session, **{"accept_terms": True, **kwargs})


def test_acc4_order_signs_the_contrat_online_with_the_policy_version_and_hash(laporte: Any) -> None:
    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session)
    contract = order.contract
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert contract.kind == "contrat" and contract.status == "signed" and contract.at_distance
    acceptance = order.terms_acceptance
    assert acceptance.method == TermsAcceptance.Method.ONLINE_CHECKBOX and acceptance.user == user
    assert (acceptance.policy_id, acceptance.policy_version) == ("laporte", contract.policy_version)
    assert acceptance.policy_sha256 == rules_io.policy_sha256(laporte, "laporte", contract.policy_version)
    assert len(acceptance.policy_sha256) == 64
    assert "Master en sciences de l'éducation" in contract.trainers
    assert Enrolment.objects.get(session=session).status == Enrolment.Status.CONFIRMED


def test_order_without_terms_acceptance_is_refused_and_changes_nothing(laporte: Any) -> None:
    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    with pytest.raises(ValidationError, match="acceptez les conditions générales"):
        _order(laporte, user, consumer, session, accept_terms=False)
    assert not Order.objects.exists() and not Contract.objects.exists()
    assert not Enrolment.objects.exists()


def test_pay_l1_instalments_offered_from_1000_and_scheduled_by_the_rules_core(laporte: Any) -> None:
    session = _published_session(laporte, price="1000.00")
    cheap = _published_session(laporte, price="999.99")
    assert orders.instalment_options(laporte, amount_excl_vat=Decimal("1000.00"),
                                     on=ORDER_DAY.date()) == (1, 3, 4)
    assert orders.instalment_options(laporte, amount_excl_vat=Decimal("999.99"),
                                     on=ORDER_DAY.date()) == (1,)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session, instalments=3)
    request = orders.order_ready_for_payment(order)
    assert request.instalments == 3 and request.order_reference == order.number
    assert tuple(amount for _due, amount in request.schedule) == split_instalments(
        order.amount_incl_vat, 3)
    assert [due for due, _amount in request.schedule] == [
        date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 2)]
    with pytest.raises(ValidationError, match="PAY-L1"):
        _order(laporte, user, consumer, cheap, instalments=3)
    assert Order.objects.count() == 1


def test_ret5_express_consent_recorded_with_its_instant_only_for_digital_content(laporte: Any) -> None:
    elearning = _published_session(laporte, modality="elearning")
    classroom = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    digital = _order(laporte, user, consumer, elearning, digital_consent=True)
    # Recorded at the order instant, i.e. before any access to the content.
    assert digital.digital_consent_at is not None and digital.digital_consent_at == digital.ordered_at
    assert "perdre mon droit de rétractation" in digital.digital_consent_text
    other = _order(laporte, user, consumer, classroom, digital_consent=True)
    assert other.digital_consent_at is None and other.digital_consent_text == ""


def test_full_session_cannot_be_ordered(laporte: Any) -> None:
    session = _published_session(laporte, capacity=1)
    first_user, first = _consumer_user(laporte)
    _order(laporte, first_user, first, session)
    user, consumer = _consumer_user(laporte)
    with pytest.raises(ValidationError, match="complète"):
        _order(laporte, user, consumer, session)


def test_billing_hand_over_paid_then_void_refused_and_void_frees_the_seat(laporte: Any) -> None:
    from ofelia.billing.online import order_voided

    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session)
    assert list(orders.orders_awaiting_payment(organisation=laporte)) == [order]

    class Checkout:
        organisation_id = laporte.pk
        order_reference = order.number

    order_voided.send(sender=None, checkout=Checkout(), reason="carte refusée")
    order.refresh_from_db()
    assert order.status == Order.Status.VOIDED and order.voided_reason == "carte refusée"
    assert order.contract.status == Contract.Status.CANCELLED
    assert Enrolment.objects.get(session=session).status == Enrolment.Status.CANCELLED
    with pytest.raises(ValidationError):
        orders.order_ready_for_payment(order)


def test_billing_paid_signal_validates_the_order_once(laporte: Any) -> None:
    from ofelia.billing.online import order_paid

    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session)

    class Checkout:
        organisation_id = laporte.pk
        order_reference = order.number

    order_paid.send(sender=None, checkout=Checkout())
    order_paid.send(sender=None, checkout=Checkout())
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert orders.order_void(actor=None, organisation=laporte, order_reference="CMD-inconnue",
                             reason="x") is None


def test_order_pages_anonymous_then_signup_with_next_then_order(laporte: Any) -> None:
    session = _published_session(laporte)
    web = Client()
    url = f"/o/laporte/commander/{session.pk}/"
    with clock.frozen(ORDER_DAY):
        anonymous = web.get(url)
        assert anonymous.status_code == 200
        page = anonymous.content.decode()
        assert "Créer mon compte" in page and "/o/laporte/inscription/?next=" in page
        signup = web.post(f"/o/laporte/inscription/?next={url}", {
            "civility": "mme", "first_name": "Inès", "last_name": "Roy", "email": "ines@example.org",
            "phone": "0601020304", "address_line1": "1 place du Marché", "postal_code": "44000",
            "city": "Nantes", "billing_same": "on", "password1": "Un-mot-de-passe-solide-42",
            "password2": "Un-mot-de-passe-solide-42", "accept_terms": "on",
        })
        assert signup.status_code == 302 and signup["Location"] == url, signup.content.decode()[:3000]
        form = web.get(url).content.decode()
        assert "Conditions générales de vente" in form and "SHA-256" in form
        assert "formulaire-retractation.pdf" in form and "en 3 fois sans frais" in form
        refused = web.post(url, {"instalments": "1"}, follow=True)
        assert "acceptez les conditions générales" in refused.content.decode()
        assert not Order.objects.exists()
        done = web.post(url, {"instalments": "4", "accept_terms": "on"})
    order = Order.objects.get()
    # Straight to paying it (billing finds the invoice to pay).
    assert done.status_code == 302 and done["Location"] == f"/espace/commandes/{order.pk}/payer/"
    assert order.instalments == 4 and order.consumer.email == "ines@example.org"


def test_retraction_form_pdf_is_public(laporte: Any) -> None:
    response = Client().get("/o/laporte/formulaire-retractation.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_ret_online_retraction_button_records_the_event_and_frees_the_seat(laporte: Any) -> None:
    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session)
    web = Client()
    web.force_login(user)
    with clock.frozen(datetime(2026, 2, 10, 9, 0)):
        page = web.get("/espace/formations/").content.decode()
        assert "Me rétracter en ligne" in page
        response = web.post(f"/espace/formations/{order.contract_id}/retractation/", follow=True)
    body = response.content.decode()
    assert "rétractation est enregistrée" in body
    # Nothing was paid: the card says so rather than « en attente de paiement ».
    assert "rien n'a été payé, rien n'est à rembourser" in body
    assert "en attente de paiement" not in body
    contract = Contract.objects.get(pk=order.contract_id)
    assert contract.status == Contract.Status.RETRACTED
    event = contract.events.get()
    assert event.type == "retraction" and event.on == date(2026, 2, 10)
    assert Enrolment.objects.get(session=session).status == Enrolment.Status.CANCELLED


def test_ret_online_retraction_after_the_deadline_is_refused_in_french_and_changes_nothing(
        laporte: Any) -> None:
    session = _published_session(laporte)
    user, consumer = _consumer_user(laporte)
    order = _order(laporte, user, consumer, session)
    web = Client()
    web.force_login(user)
    # Ordered on 2 February: the fourteen days ended on 16 February; the session is in April.
    with clock.frozen(datetime(2026, 3, 2, 9, 0)):
        page = web.get("/espace/formations/").content.decode()
        assert "Me rétracter en ligne" not in page  # no button once the period is over
        response = web.post(f"/espace/formations/{order.contract_id}/retractation/", follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "rétractation est enregistrée" not in body
    assert "délai de rétractation" in body
    assert "RET-" not in body  # the clause is explained, its code is not shown to the client
    contract = Contract.objects.get(pk=order.contract_id)
    assert contract.status == Contract.Status.SIGNED and not contract.events.exists()
    assert Enrolment.objects.get(session=session).status != Enrolment.Status.CANCELLED
