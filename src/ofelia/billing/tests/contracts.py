"""Signed contracts for the billing tests, built through the sales services (own fixtures)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ofelia.catalogue.models import Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import ClientCompany, ConsumerClient

_seq = itertools.count(1)

DOCUMENT = {
    "objectives": "Conduire un entretien annuel.",
    "programme": "Jour 1 : rôles. Jour 2 : communication. Jour 3 : entretiens.",
    "means": "Salle équipée et supports remis.",
    "follow_up": "Feuilles d'émargement par demi-journée.",
    "assessment": "Mise en situation ; certificat de réalisation.",
    "trainers": "Anne Leroy, consultante.",
    "prerequisites": "Aucun.",
    "early_termination": "Abandon : heures suivies facturées au prorata (CGV).",
}


def company(organisation: Any) -> ClientCompany:
    return ClientCompany.objects.create(
        organisation=organisation, name="Acme Industrie", siret="73282932000074",
        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon",
        email="rh@acme.example")


def consumer(organisation: Any, **fields: Any) -> ConsumerClient:
    n = next(_seq)
    values = {"civility": "m", "first_name": "Paul", "last_name": f"Durand{n}",
              "email": f"paul{n}@example.org", "address_line1": "8 rue Haute",
              "postal_code": "35000", "city": "Rennes"}
    values.update(fields)
    return ConsumerClient.objects.create(organisation=organisation, **values)


def signed_contract(organisation: Any, *, client: Any, signed: date, start: date,
                    price: str = "2400.00", funding: Any = (), **fields: Any) -> Any:
    from ofelia.sales import services

    n = next(_seq)
    training = Training.objects.create(
        organisation=organisation, title="Management d'équipe", reference=f"B-{n}",
        duration_hours=Decimal("21"), price_excl_vat=Decimal(price))
    session = TrainingSession.objects.create(
        organisation=organisation, training=training, start_date=start, end_date=start,
        place="Angers", capacity=10)
    key = "client_company" if isinstance(client, ClientCompany) else "consumer"
    with clock.frozen(datetime(signed.year, signed.month, signed.day, 9, 0)):
        contract = services.contract_create(actor=None, organisation=organisation, session=session,
                                            funding=funding, **{key: client}, **DOCUMENT, **fields)
        return services.contract_sign(actor=None, contract=contract, accepted_by_name=str(client),
                                      method="signed_document")
