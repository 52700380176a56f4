"""Staff create and edit learners, consumer clients and company contacts; one person per
e-mail and kind within an organisation (case-insensitive); another organisation's records
are never visible."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from ofelia.core.models import AuditEntry
from ofelia.organisations import services
from ofelia.organisations.forms import LearnerForm
from ofelia.organisations.models import CompanyContact, ConsumerClient, Learner, Organisation, Role
from ofelia.organisations.testing import PASSWORD, make_member

PROFILE = {"civility": "mme", "first_name": "Claire", "last_name": "Martin", "email": "claire.martin@example.fr"}


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def staff_a(org_a: Organisation) -> Any:
    return make_member(org_a, Role.STAFF, email="staff@org-a.test")


def test_people_learner_create_and_update_record_audit_rows(org_a: Organisation, admin_a: Any) -> None:
    company = services.client_company_create(actor=admin_a, organisation=org_a, name="Acme")
    learner = services.learner_create(actor=admin_a, organisation=org_a, company=company, **PROFILE)
    services.learner_update(actor=admin_a, learner=learner, phone="06 12 34 56 78")
    learner.refresh_from_db()
    assert learner.phone == "06 12 34 56 78"
    update = AuditEntry.objects.get(action="learner.update", object_id=str(learner.pk))
    assert update.before == {"phone": ""} and update.after == {"phone": "06 12 34 56 78"}


def test_people_email_unique_per_organisation_and_kind_case_insensitive(org_a: Organisation, org_b: Organisation) -> None:
    services.learner_create(actor=None, organisation=org_a, **PROFILE)
    with pytest.raises(ValidationError) as refused:
        services.learner_create(actor=None, organisation=org_a, **{**PROFILE, "email": "Claire.MARTIN@example.fr"})
    assert "a déjà l'adresse" in refused.value.message_dict["email"][0]
    # Same address: allowed in another organisation, and as a consumer client of the same one.
    services.learner_create(actor=None, organisation=org_b, **PROFILE)
    services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    assert Learner.objects.filter(organisation=org_a).count() == 1


def test_people_email_unique_update_refused_names_the_other_record(org_a: Organisation) -> None:
    services.learner_create(actor=None, organisation=org_a, **PROFILE)
    other = services.learner_create(actor=None, organisation=org_a, **{**PROFILE, "email": "autre@example.fr"})
    with pytest.raises(ValidationError) as refused:
        services.learner_update(actor=None, learner=other, email="CLAIRE.martin@example.fr")
    assert "Claire Martin" in refused.value.message_dict["email"][0]
    other.refresh_from_db()
    assert other.email == "autre@example.fr"


def test_people_email_unique_backed_by_the_database(org_a: Organisation) -> None:
    Learner.objects.create(organisation=org_a, **PROFILE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Learner.objects.create(organisation=org_a, **{**PROFILE, "email": PROFILE["email"].upper()})
    ConsumerClient.objects.create(organisation=org_a, **PROFILE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsumerClient.objects.create(organisation=org_a, **{**PROFILE, "email": PROFILE["email"].upper()})


def test_people_learner_form_refuses_duplicate_email_and_company_of_another_org(
        org_a: Organisation, org_b: Organisation) -> None:
    services.learner_create(actor=None, organisation=org_a, **PROFILE)
    foreign = services.client_company_create(actor=None, organisation=org_b, name="Ailleurs")
    form = LearnerForm({**PROFILE, "email": "CLAIRE.martin@example.fr", "company": foreign.pk},
                       organisation=org_a)
    assert not form.is_valid()
    assert "adresse e-mail ne peut servir qu'à une fiche" in form.errors["email"][0]
    assert "company" in form.errors  # not in the choices of org A


def test_people_learner_cannot_be_for_a_company_and_a_consumer(org_a: Organisation) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    consumer = services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    form = LearnerForm({**PROFILE, "company": company.pk, "consumer": consumer.pk}, organisation=org_a)
    assert not form.is_valid() and "pas des deux" in form.errors["consumer"][0]


def test_people_company_contact_unique_email_per_company(org_a: Organisation) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    contact = services.company_contact_create(actor=None, company=company, first_name="David",
                                              last_name="Acheteur", email="david@acme.fr", function="Acheteur")
    assert contact.organisation_id == org_a.pk
    with pytest.raises(ValidationError):
        services.company_contact_create(actor=None, company=company, first_name="D", last_name="A",
                                        email="DAVID@acme.fr")
    with pytest.raises(ValidationError):
        services.company_contact_update(actor=None, contact=contact, phone="12")
    assert AuditEntry.objects.filter(action="company_contact.create").count() == 1


def test_people_staff_create_learner_consumer_and_contact_through_the_pages(org_a: Organisation, staff_a: Any) -> None:
    client = _client(staff_a)
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    response = client.post(reverse("company-contact-create", args=[company.pk]), {
        "civility": "m", "first_name": "David", "last_name": "Acheteur", "email": "david@acme.fr",
        "phone": "01 23 45 67 89", "function": "Responsable formation"})
    assert response.status_code == 302
    detail = client.get(reverse("client-company-detail", args=[company.pk]))
    assert "Responsable formation" in detail.content.decode()
    response = client.post(reverse("learner-create"), {**PROFILE, "company": company.pk})
    learner = Learner.objects.get(organisation=org_a)
    assert response["Location"] == reverse("learner-detail", args=[learner.pk])
    # Duplicate address: the page answers 200 with the error, nothing is created.
    response = client.post(reverse("learner-create"), {**PROFILE, "email": "CLAIRE.MARTIN@example.fr"})
    assert response.status_code == 200 and "ne peut servir qu&#x27;à une fiche" in response.content.decode()
    assert Learner.objects.filter(organisation=org_a).count() == 1
    response = client.post(reverse("learner-edit", args=[learner.pk]), {**PROFILE, "last_name": "Martin-Durand"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.last_name == "Martin-Durand" and learner.company is None
    response = client.post(reverse("consumer-client-create"), {**PROFILE, "civility": "m", "first_name": "Paul"})
    assert response.status_code == 302 and ConsumerClient.objects.filter(organisation=org_a).count() == 1
    listing = client.get(reverse("learner-list"), {"q": "martin"})
    assert "Martin-Durand" in listing.content.decode()


def test_people_other_organisation_records_are_404(org_a: Organisation, org_b: Organisation, staff_b: Any) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    learner = services.learner_create(actor=None, organisation=org_a, **PROFILE)
    consumer = services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    contact = services.company_contact_create(actor=None, company=company, first_name="D", last_name="A")
    client = _client(staff_b)
    for url in (reverse("learner-detail", args=[learner.pk]), reverse("learner-edit", args=[learner.pk]),
                reverse("consumer-client-detail", args=[consumer.pk]),
                reverse("consumer-client-edit", args=[consumer.pk]),
                reverse("company-contact-create", args=[company.pk]),
                reverse("company-contact-edit", args=[company.pk, contact.pk])):
        assert client.get(url).status_code == 404, url
    assert "Claire" not in client.get(reverse("learner-list")).content.decode()
    assert client.post(reverse("learner-edit", args=[learner.pk]), {**PROFILE, "last_name": "X"}).status_code == 404
    assert Learner.objects.get(pk=learner.pk).last_name == "Martin"
    assert CompanyContact.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER])
def test_people_pages_refused_to_non_staff_roles(org_a: Organisation, role: str) -> None:
    client = _client(make_member(org_a, role))
    for name in ("learner-list", "learner-create", "consumer-client-create", "people-import", "person-duplicates"):
        assert client.get(reverse(name)).status_code == 403, name


def test_people_learner_list_queries_do_not_grow_with_rows(org_a: Organisation, staff_a: Any,
                                                          django_assert_max_num_queries: Any) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    consumer = services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    for n in range(30):
        Learner.objects.create(organisation=org_a, civility="m", first_name=f"P{n}", last_name="N",
                               email=f"p{n}@example.fr", company=company if n % 2 else None,
                               consumer=None if n % 2 else consumer)
    client = _client(staff_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("learner-list")).status_code == 200


def test_people_learner_for_consumer_reuses_the_learner_with_the_same_email(org_a: Organisation) -> None:
    consumer = services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    staff_entered = services.learner_create(actor=None, organisation=org_a,
                                            **{**PROFILE, "email": PROFILE["email"].upper()})
    assert services.learner_for_consumer(actor=None, consumer=consumer) == staff_entered
    staff_entered.refresh_from_db()
    assert staff_entered.consumer == consumer
    other = services.consumer_client_create(actor=None, organisation=org_a, **{**PROFILE, "email": "x@ex.fr"})
    created = services.learner_for_consumer(actor=None, consumer=other)
    assert (created.consumer, created.email) == (other, "x@ex.fr")
    assert services.learner_for_consumer(actor=None, consumer=other) == created


def test_people_consumer_for_learner_reuses_the_consumer_with_the_same_email(org_a: Organisation) -> None:
    consumer = services.consumer_client_create(actor=None, organisation=org_a, **PROFILE)
    learner = services.learner_create(actor=None, organisation=org_a, **{**PROFILE, "email": "Claire.Martin@example.fr"})
    assert services.consumer_for_learner(actor=None, learner=learner) == consumer
    learner.refresh_from_db()
    assert learner.consumer == consumer
    alone = services.learner_create(actor=None, organisation=org_a, **{**PROFILE, "email": "seule@ex.fr"})
    made = services.consumer_for_learner(actor=None, learner=alone)
    assert made.email == "seule@ex.fr" and services.consumer_for_learner(actor=None, learner=alone) == made
