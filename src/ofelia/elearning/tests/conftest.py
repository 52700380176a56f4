"""A LA PORTE e-learning course with a self-funded consumer (online order, paid) and a
CPF-funded learner (contrat funded by the CPF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.elearning import services
from ofelia.elearning.models import Course, LearnerCourse, Module
from ofelia.organisations.models import ConsumerClient, Learner, Role
from ofelia.sales import orders
from ofelia.sales import services as sales_services
from ofelia.sales.models import Order, TermsAcceptance
from ofelia.sales.tests.conftest import make_organisation, make_user
from ofelia.sales.tests.test_orders import _published_session

ORDER_AT = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    org: Any
    course: Course
    modules: list[Module]
    staff: Any
    self_user: Any
    self_lc: LearnerCourse
    order: Order
    cpf_user: Any
    cpf_lc: LearnerCourse


def _consumer(org: Any, name: str) -> tuple[Any, ConsumerClient, Learner]:
    user = make_user(org, Role.CONSUMER)
    consumer = ConsumerClient.objects.create(
        organisation=org, user=user, civility="mme", first_name=name, last_name="Martin",
        email=user.email, address_line1="2 rue des Écoles", postal_code="75005", city="Paris")
    learner = Learner.objects.create(organisation=org, consumer=consumer, user=user,
                                     first_name=name, last_name="Martin", email=user.email)
    return user, consumer, learner


def build_world(*, core: int = 3, extra: int = 1) -> World:
    org = make_organisation("laporte", "laporte")
    staff = make_user(org, Role.STAFF)
    session = _published_session(org, price="900.00", modality="elearning",
                                 start=date(2026, 3, 2))
    course = services.course_create(actor=staff, organisation=org, training=session.training)
    draft = course.versions.get()
    for n in range(1, core + 1):
        services.module_add(actor=staff, version=draft, kind="page", title=f"Module {n}", body="…")
    for n in range(1, extra + 1):
        services.module_add(actor=staff, version=draft, kind="page", title=f"Bonus {n}",
                            is_core=False, body="…")
    services.version_publish(actor=staff, version=draft)
    with clock.frozen(ORDER_AT):
        self_user, consumer, _ = _consumer(org, "Léa")
        order = orders.order_create(actor=self_user, organisation=org, consumer=consumer,
                                    session=session, accept_terms=True)
        orders.order_mark_paid(actor=None, organisation=org, order_reference=order.number)
        cpf_user, cpf_consumer, cpf_learner = _consumer(org, "Camille")
        enrolment = sales_services.enrolment_create(actor=None, organisation=org, session=session,
                                                    learner=cpf_learner)
        contract = sales_services.contract_create(
            actor=None, organisation=org, session=session, consumer=cpf_consumer,
            enrolments=[enrolment], at_distance=True,
            funding=[{"payer": "cpf", "rights": session.training.price_excl_vat, "exempt": True}])
        sales_services.contract_sign(actor=None, contract=contract,
                                     method=TermsAcceptance.Method.ONLINE_CHECKBOX,
                                     accepted_by_name="Camille Martin", user=cpf_user)
        self_enrolment = Enrolment.objects.get(session=session, learner__consumer=consumer)
        self_lc = services.learner_course_start(actor=self_user, enrolment=self_enrolment, course=course)
        cpf_lc = services.learner_course_start(actor=cpf_user, enrolment=enrolment, course=course)
    order.refresh_from_db()
    return World(org=org, course=course, modules=list(draft.modules.order_by("position")),
                 staff=staff, self_user=self_user, self_lc=self_lc, order=order,
                 cpf_user=cpf_user, cpf_lc=cpf_lc)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()
