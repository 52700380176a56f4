from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ofelia.catalogue.models import Enrolment, Training, TrainingSession
from ofelia.organisations.models import Learner, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Organisation:
    return Organisation.objects.create(legal_name="OF Test", slug="of-test", siret="73282932000074")


@pytest.fixture
def training(org: Organisation) -> Training:
    return Training.objects.create(
        organisation=org, title="Excel", reference="EXC1", duration_hours=Decimal("14"),
        price_excl_vat=Decimal("900.00"),
    )


def test_cpf_eligible_training_needs_a_certification_code(org: Organisation) -> None:
    training = Training(
        organisation=org, title="Anglais", reference="ANG", duration_hours=Decimal("21"),
        price_excl_vat=Decimal("1200"), cpf_eligible=True,
    )
    with pytest.raises(ValidationError) as error:
        training.full_clean()
    assert "certification_code" in error.value.message_dict
    training.certification_code = "RS5908"
    training.full_clean()
    training.certification_code = "5908"
    with pytest.raises(ValidationError):
        training.full_clean()


def test_training_reference_is_unique_within_an_organisation(org: Organisation, training: Training) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Training.objects.create(
            organisation=org, title="Autre", reference="EXC1", duration_hours=7, price_excl_vat=1
        )
    other = Organisation.objects.create(legal_name="Autre OF", slug="autre", siret="73282932000074")
    Training.objects.create(organisation=other, title="Excel", reference="EXC1", duration_hours=7, price_excl_vat=1)


def test_session_cannot_end_before_it_starts(org: Organisation, training: Training) -> None:
    session = TrainingSession(
        organisation=org, training=training, start_date=date(2026, 3, 2), end_date=date(2026, 3, 1), capacity=10
    )
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "end_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()
    session.end_date = date(2026, 3, 2)  # a one-day session is fine
    session.full_clean()


def test_session_of_another_organisations_training_is_refused(training: Training) -> None:
    other = Organisation.objects.create(legal_name="Autre OF", slug="autre", siret="73282932000074")
    session = TrainingSession(
        organisation=other, training=training, start_date=date(2026, 3, 2), end_date=date(2026, 3, 3), capacity=5
    )
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "training" in error.value.message_dict


def test_a_learner_is_enrolled_once_per_session(org: Organisation, training: Training) -> None:
    session = TrainingSession.objects.create(
        organisation=org, training=training, start_date=date(2026, 3, 2), end_date=date(2026, 3, 3), capacity=5
    )
    learner = Learner.objects.create(
        organisation=org, civility="mme", first_name="Léa", last_name="Martin", email="lea@example.fr"
    )
    Enrolment.objects.create(organisation=org, session=session, learner=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            organisation=org, session=session, learner=learner, status=Enrolment.Status.WAITLISTED
        )
