"""Demo e-learning of LA PORTE ACADÉMIE: a published course on the certifying Premiere Pro
training, a self-funded consumer who ordered online (paid, no consent yet: RET-5 asks before
the first access) and a CPF-funded learner (LRN-2: modules one after the other)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations import services as org_services
from ofelia.organisations.models import ConsumerClient, Learner, Organisation, Role
from ofelia.sales import orders
from ofelia.sales import services as sales_services
from ofelia.sales.models import TermsAcceptance

from . import services
from .models import Course

DEMO_TRAINING = "LPA-PRM-CPF"
CPF_EMAIL = "cpf@laporte.demo"
DEMO_PASSWORD = "ofelia-demo"

MODULES: list[dict[str, Any]] = [
    {"kind": "page", "title": "Module 1 : interface et organisation des rushes",
     "body": "Bienvenue ! Ce module présente l'interface de Premiere Pro et l'organisation des rushes."},
    {"kind": "quiz", "title": "Module 2 : montage et transitions",
     "questions": [{"question": "Quel raccourci coupe un plan sous la tête de lecture ?",
                    "choices": ["Ctrl+K", "Ctrl+P", "Ctrl+E"], "answer": 0}], "pass_mark": 100},
    {"kind": "page", "title": "Module 3 : son et musique",
     "body": "Niveaux, ducking et habillage sonore."},
    {"kind": "page", "title": "Module 4 : étalonnage", "body": "Lumetri, correction et look."},
    {"kind": "page", "title": "Module 5 : titrage et export", "body": "Titres, sous-titres, export."},
    {"kind": "page", "title": "Bonus : les raccourcis des pros", "is_core": False,
     "body": "Une sélection de raccourcis pour gagner du temps."},
]


def _future_session(training: Training) -> TrainingSession | None:
    return (TrainingSession.objects.filter(training=training, start_date__gt=clock.today())
            .order_by("-start_date").first())


def _cpf_consumer(organisation: Organisation) -> ConsumerClient:
    User = get_user_model()
    user = User.objects.filter(email__iexact=CPF_EMAIL).first() or org_services.user_create(
        actor=None, organisation=organisation, email=CPF_EMAIL, password=DEMO_PASSWORD,
        first_name="Camille", last_name="Financée")
    org_services.membership_grant(actor=None, organisation=organisation, user=user, role=Role.CONSUMER)
    consumer = ConsumerClient.objects.for_organisation(organisation).filter(user=user).first()
    if consumer is None:
        profile = {"civility": "mme", "first_name": "Camille", "last_name": "Financée",
                   "email": CPF_EMAIL, "phone": "06 12 34 56 78", "address_line1": "5 place de la Gare",
                   "postal_code": "49000", "city": "Angers", "user": user}
        consumer = org_services.consumer_client_create(actor=None, organisation=organisation,
                                                       terms_accepted=True, **profile)
        org_services.learner_create(actor=None, organisation=organisation, consumer=consumer, **profile)
    return consumer


@transaction.atomic
def load_elearning(organisation: Organisation) -> Course | None:
    """None when this organisation has no demo course or it is already there."""
    training = Training.objects.for_organisation(organisation).filter(reference=DEMO_TRAINING).first()
    if training is None or Course.objects.filter(training=training).exists():
        return None
    course = services.course_create(actor=None, organisation=organisation, training=training)
    draft = course.versions.get()
    for spec in MODULES:
        services.module_add(actor=None, version=draft, **spec)
    services.version_publish(actor=None, version=draft)
    session = _future_session(training)
    if session is None:
        return course
    # The self-funded consumer orders online and pays; consent is asked at the first access.
    consumer = ConsumerClient.objects.for_organisation(organisation).filter(
        email="particulier@laporte.demo").first()
    if consumer is not None:
        order = orders.order_create(actor=consumer.user, organisation=organisation,
                                    consumer=consumer, session=session, accept_terms=True)
        orders.order_mark_paid(actor=None, organisation=organisation, order_reference=order.number)
    # The CPF-funded learner: a contrat whose funding is the CPF (no online order).
    cpf = _cpf_consumer(organisation)
    learner = Learner.objects.for_organisation(organisation).get(consumer=cpf)
    enrolment = Enrolment.objects.filter(session=session, learner=learner).first() or \
        sales_services.enrolment_create(actor=None, organisation=organisation, session=session,
                                        learner=learner)
    contract = sales_services.contract_create(
        actor=None, organisation=organisation, session=session, consumer=cpf,
        enrolments=[enrolment], at_distance=True,
        funding=[{"payer": "cpf", "rights": training.price_excl_vat, "exempt": True}])
    sales_services.contract_sign(actor=None, contract=contract,
                                 method=TermsAcceptance.Method.ONLINE_CHECKBOX,
                                 accepted_by_name="Camille Financée", user=cpf.user)
    return course
