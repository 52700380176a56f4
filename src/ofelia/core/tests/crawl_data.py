"""A populated demo organisation for the page crawl and the screenshots.

The demo of ofelia.organisations (people, one client company, one consumer) plus, built
through the services: a training and its session, the demo learner enrolled, a signed
convention with the company, a signed contrat de formation with the consumer, a quote,
an issued invoice per client, an API token and an access link.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ofelia.catalogue.models import Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.demo import load_demo
from ofelia.organisations.models import ClientCompany, ConsumerClient, Learner, Organisation

DOCUMENT = {
    "objectives": "Conduire un entretien annuel.",
    "programme": "Jour 1 : rôles. Jour 2 : communication. Jour 3 : entretiens.",
    "means": "Salle équipée et supports remis.",
    "follow_up": "Feuilles d'émargement par demi-journée.",
    "assessment": "Mise en situation ; certificat de réalisation.",
    "trainers": "Anne Leroy, consultante.",
    "prerequisites": "Aucun.",
}


def populated_demo(slug: str = "dixneuf") -> Organisation:
    from ofelia.billing.services import invoice_create_draft, invoice_issue
    from ofelia.sales import services as sales

    load_demo()
    organisation = Organisation.objects.get(slug=slug)
    company = ClientCompany.objects.for_organisation(organisation).first()
    consumer = ConsumerClient.objects.for_organisation(organisation).first()
    learner = Learner.objects.for_organisation(organisation).filter(company=company).first()
    assert company and consumer and learner
    start = clock.today() + timedelta(days=60)
    training = Training.objects.create(
        organisation=organisation, title="Management d'équipe", reference="MGT-1",
        duration_hours=Decimal("21"), price_excl_vat=Decimal("2400.00"),
    )
    session = TrainingSession.objects.create(
        organisation=organisation, training=training, start_date=start,
        end_date=start + timedelta(days=2), place="Angers", capacity=10,
    )
    enrolment = sales.enrolment_create(actor=None, organisation=organisation, session=session, learner=learner)
    convention = sales.contract_create(actor=None, organisation=organisation, session=session,
                                       client_company=company, enrolments=[enrolment], **DOCUMENT)
    sales.contract_sign(actor=None, contract=convention, accepted_by_name=str(company),
                        method="signed_document")
    contrat = sales.contract_create(actor=None, organisation=organisation, session=session,
                                    consumer=consumer, **DOCUMENT)
    sales.contract_sign(actor=None, contract=contrat, accepted_by_name=str(consumer),
                        method="signed_document")
    sales.quote_create(actor=None, organisation=organisation, client_company=company, session=session,
                       valid_until=clock.today() + timedelta(days=30),
                       lines=[{"description": "Management d'équipe", "quantity": "1",
                               "unit_price": "2400.00"}])
    for buyer in (company, consumer):
        fields: dict[str, Any] = {
            "buyer_kind": "professional", "client_company": buyer, "late_penalty_rule": "PEN-D2",
            "payment_delay_days": 30,
        }
        if isinstance(buyer, ConsumerClient):
            fields.update(buyer_kind="consumer", client_company=None, consumer_client=buyer,
                          late_penalty_rule="PEN-D1", payment_delay_days=0)
        draft = invoice_create_draft(
            actor=None, organisation=organisation, buyer_name=str(buyer),
            buyer_address="5 place de la Gare\n49000 Angers", policy_id=organisation.policy_id,
            service_start=start, service_end=start + timedelta(days=2),
            payment_terms="Paiement à 30 jours date de facture (CGV)",
            late_penalty_mention="Pénalités de retard : 3 fois le taux d'intérêt légal (CGV)",
            lines=[{"description": "Management d'équipe", "quantity": "1", "unit_price": "1200.00"}],
            **fields,
        )
        invoice_issue(actor=None, invoice=draft, issue_date=clock.today())
    return organisation
