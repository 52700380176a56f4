"""A fixture year (2026) for the BPF whose figures the tests compute by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from ofelia.attendance.models import AttendanceSheet, Mark
from ofelia.attendance.tests.conftest import World, make_user, make_world
from ofelia.billing.models import Invoice
from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, ConsumerClient, Learner, Role
from ofelia.sales.models import Contract, FundingEntry

YEAR = 2026


def invoice(org: Any, number: str, amount: str, *, payer: str = "client", buyer: str = "professional",
            company: Any = None, on: date = date(2026, 6, 1), kind: str = "invoice",
            status: str = "issued") -> Invoice:
    return Invoice.objects.create(
        organisation=org, kind=kind, status=status, number=number, issue_date=on,
        buyer_kind=buyer, payer_kind=payer, buyer_name=company.name if company else f"Client {number}",
        client_company=company, total_excl_vat=Decimal(amount), total_incl_vat=Decimal(amount))


def contract(org: Any, number: str, session: Any, *, company: Any = None, consumer: Any = None,
             enrolments: list[Any] = ()) -> Contract:  # type: ignore[assignment]
    c = Contract.objects.create(
        organisation=org, kind="convention" if company else "contrat", number=number,
        status="signed", client_company=company, consumer=consumer, session=session,
        format="inter", price=Decimal("900"), hours=Decimal("7"), start_date=session.start_date,
        end_date=session.end_date, policy_id="dixneuf", title=session.training.title,
        signed_on=date(2026, 1, 10))
    c.enrolments.set(enrolments)
    return c


@dataclass
class Year:
    world: World
    company_a: ClientCompany
    company_b: ClientCompany
    consumer: ConsumerClient
    consumer_user: Any
    contact_user: Any
    conv_a: Contract
    learner3: Learner
    session2: TrainingSession


def make_year() -> Year:
    w = make_world("bpf")
    org = w.org
    w.session.training.bpf_objective = "rncp_5"
    w.session.training.save()
    company_a = ClientCompany.objects.create(organisation=org, name="Alpha SA")
    company_b = ClientCompany.objects.create(organisation=org, name="Beta Formation",
                                             bpf_category="training_organisation")
    consumer_user = make_user(org, Role.CONSUMER)
    consumer = ConsumerClient.objects.create(organisation=org, civility="m", first_name="Paul",
                                             last_name="Durand", email="paul@example.org",
                                             user=consumer_user)
    contact_user = make_user(org, Role.CLIENT_CONTACT, company=company_a)
    l0, l1, l2 = w.learners
    for learner in (l0, l1):
        learner.company = company_a
        learner.save()
    e0, e1, e2 = w.enrolments
    conv_a = contract(org, "C-1", w.session, company=company_a, enrolments=[e0, e1])
    contrat = contract(org, "C-2", w.session, consumer=consumer, enrolments=[e2])
    FundingEntry.objects.create(contract=contrat, payer="france_travail", amount=Decimal("900"))
    # Morning closed: L0 present 3.5 h, L1 late from 10:00 (2.5 h), L2 absent. Afternoon unsigned.
    sheet = AttendanceSheet.objects.create(organisation=org, slot=w.morning, status="closed",
                                           nonce="x")
    Mark.objects.create(organisation=org, sheet=sheet, enrolment=e0, status="present")
    Mark.objects.create(organisation=org, sheet=sheet, enrolment=e1, status="late",
                        arrived_at=time(10), reason="train")
    Mark.objects.create(organisation=org, sheet=sheet, enrolment=e2, status="absent", reason="malade")
    # A second session: 24 h, no half-days planned, remote, delivered by a subcontractor,
    # for a training organisation's learner; its training has no BPF objective.
    training2 = Training.objects.create(organisation=org, title="Bilan à distance", reference="BIL-1",
                                        duration_hours=Decimal("24"), price_excl_vat=Decimal("1200"),
                                        modality="remote")
    session2 = TrainingSession.objects.create(organisation=org, training=training2,
                                              start_date=date(2026, 5, 4), end_date=date(2026, 5, 6),
                                              capacity=5, subcontractor="Partenaire Formation")
    learner3 = Learner.objects.create(organisation=org, civility="m", first_name="Hugo",
                                      last_name="Martin", email="hugo@example.org", company=company_b)
    e3 = Enrolment.objects.create(organisation=org, session=session2, learner=learner3)
    contract(org, "C-3", session2, company=company_b, enrolments=[e3])
    # Outside the year or not counted.
    old = TrainingSession.objects.create(organisation=org, training=training2, start_date=date(2025, 5, 4),
                                         end_date=date(2025, 5, 6), capacity=5)
    Enrolment.objects.create(organisation=org, session=old, learner=learner3)
    Enrolment.objects.create(organisation=org, session=session2, learner=l0, status="cancelled")
    i1 = invoice(org, "F-1", "1000.00", company=company_a)
    invoice(org, "A-1", "250.00", company=company_a, kind="credit_note").credited_invoice = i1
    invoice(org, "F-2", "2100.00", payer="opco", company=company_a)
    invoice(org, "F-3", "1500.00", payer="cpf", buyer="consumer")
    invoice(org, "F-4", "800.00", buyer="consumer")
    invoice(org, "F-5", "1200.00", company=company_b)
    invoice(org, "F-6", "900.00", payer="france_travail")
    invoice(org, "", "5000.00", status="draft")
    invoice(org, "F-0", "333.00", on=date(2025, 12, 31))
    return Year(w, company_a, company_b, consumer, consumer_user, contact_user, conv_a, learner3,
                session2)


@pytest.fixture(autouse=True)
def after_the_year() -> Iterator[None]:
    """The BPF is filed in the spring after the year: every half-day of 2026 is past."""
    with clock.frozen(datetime(2027, 3, 1, 10, 0)):
        yield


@pytest.fixture
def year(db: Any) -> Year:
    return make_year()
