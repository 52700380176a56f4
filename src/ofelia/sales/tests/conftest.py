"""Fixtures of the sales tests: two organisations, people, a training and its session."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from ofelia.catalogue.models import Training, TrainingSession
from ofelia.organisations.models import (
    ClientCompany,
    ConsumerClient,
    Learner,
    Membership,
    Organisation,
    Role,
)

_seq = itertools.count(1)


def make_organisation(slug: str = "dixneuf", policy_id: str = "dixneuf") -> Organisation:
    return Organisation.objects.create(
        legal_name=f"Organisme {slug}", slug=slug, siret="73282932000074",
        nda_number="11755555575", address_line1="1 rue de la Paix", postal_code="75002",
        city="Paris", policy_id=policy_id, email=f"contact@{slug}.example",
    )


def make_learner(organisation: Organisation, **fields: Any) -> Learner:
    n = next(_seq)
    data = {"civility": "mme", "first_name": f"Prénom{n}", "last_name": f"Nom{n}",
            "email": f"learner{n}@example.org"}
    data.update(fields)
    return Learner.objects.create(organisation=organisation, **data)


def make_session(
    organisation: Organisation, *, capacity: int = 12, start: date = date(2026, 3, 16),
    end: date | None = None, price: str = "2400.00", hours: str = "21",
) -> TrainingSession:
    n = next(_seq)
    training = Training.objects.create(
        organisation=organisation, title="Management d'équipe", reference=f"MGT-{n}",
        duration_hours=Decimal(hours), price_excl_vat=Decimal(price),
    )
    return TrainingSession.objects.create(
        organisation=organisation, training=training, start_date=start, end_date=end or start,
        place="Paris 2e", capacity=capacity,
    )


def make_user(organisation: Organisation, role: str = Role.ADMINISTRATOR, **extra: Any) -> Any:
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=f"user{n}", email=f"user{n}@example.org", password="pw-for-tests-only"
    )
    Membership.objects.create(user=user, organisation=organisation, role=role, **extra)
    return user


@pytest.fixture
def org(db: Any) -> Organisation:
    return make_organisation()


@pytest.fixture
def other_org(db: Any) -> Organisation:
    return make_organisation("formagogy", "formagogy")


@pytest.fixture
def admin(org: Organisation) -> Any:
    return make_user(org, Role.ADMINISTRATOR)


@pytest.fixture
def staff(org: Organisation) -> Any:
    return make_user(org, Role.STAFF)


@pytest.fixture
def company(org: Organisation) -> ClientCompany:
    return ClientCompany.objects.create(
        organisation=org, name="Acme Industrie", siret="73282932000074",
        address_line1="3 avenue des Lilas", postal_code="69003", city="Lyon",
        email="rh@acme.example", contact_name="Claire Martin",
    )


@pytest.fixture
def consumer(org: Organisation) -> ConsumerClient:
    return ConsumerClient.objects.create(
        organisation=org, civility="m", first_name="Paul", last_name="Durand",
        email="paul.durand@example.org", address_line1="8 rue Haute", postal_code="35000",
        city="Rennes",
    )


DOCUMENT_FIELDS = {
    "objectives": "Savoir animer une équipe et conduire un entretien annuel.",
    "programme": "Jour 1 : rôles du manager. Jour 2 : communication. Jour 3 : entretiens.",
    "means": "Salle équipée, vidéoprojecteur, supports remis à chaque stagiaire.",
    "follow_up": "Feuilles d'émargement signées par demi-journée.",
    "assessment": "Évaluation des acquis par mise en situation ; certificat de réalisation.",
    "trainers": "Anne Leroy, consultante, master en psychologie du travail.",
    "prerequisites": "Encadrer au moins une personne.",
}


def make_contract(
    organisation: Organisation, actor: Any, *, client: Any, session: Any = None,
    sign: bool = True, funding: Any = (), **fields: Any,
) -> Any:
    """A contract built through the services, signed when asked (clock frozen by the caller)."""
    from ofelia.sales import services

    session = session or make_session(organisation)
    kind_arg = "client_company" if isinstance(client, ClientCompany) else "consumer"
    contract = services.contract_create(
        actor=actor, organisation=organisation, session=session, funding=funding,
        **{kind_arg: client}, **{**DOCUMENT_FIELDS, **fields},
    )
    if sign:
        contract = services.contract_sign(
            actor=actor, contract=contract, accepted_by_name=str(client), method="signed_document"
        )
    return contract
