"""Account creation for consumer clients (RULES.md ACC-1 mandatory fields)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ofelia.core.models import AuditEntry
from ofelia.organisations.models import ConsumerClient, Membership, Role

pytestmark = pytest.mark.django_db

VALID = {
    "civility": "mme",
    "first_name": "Jeanne",
    "last_name": "Durand",
    "email": "jeanne.durand@example.test",
    "phone": "06 11 22 33 44",
    "address_line1": "12 rue des Lilas",
    "postal_code": "49000",
    "city": "Angers",
    "billing_same": "on",
    "password1": "Formation-2026!",
    "password2": "Formation-2026!",
    "accept_terms": "on",
}
MANDATORY = ["civility", "first_name", "last_name", "email", "phone", "address_line1", "postal_code", "city"]


def _counts():
    return (
        get_user_model().objects.count(),
        ConsumerClient.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


def test_acc_1_signup_creates_account_profile_membership_and_signs_in(client, org_a):
    response = client.post(reverse("signup", args=[org_a.slug]), VALID)
    assert response.status_code == 302
    consumer = ConsumerClient.objects.for_organisation(org_a).get()
    assert (consumer.civility, consumer.first_name, consumer.last_name) == ("mme", "Jeanne", "Durand")
    assert consumer.billing_line1 == "12 rue des Lilas" and consumer.billing_city == "Angers"
    assert consumer.terms_accepted_at is not None and consumer.terms_policy == org_a.policy_id
    membership = Membership.objects.get(user=consumer.user)
    assert membership.organisation == org_a and membership.role == Role.CONSUMER
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "user.create", "membership.grant", "consumer_client.create"
    }
    body = client.get("/", follow=True).content.decode()
    assert "Espace client" in body and "Jeanne" in body


@pytest.mark.parametrize("missing", MANDATORY)
def test_acc_1_signup_missing_mandatory_field_french_error_nothing_written(client, org_a, missing):
    before = _counts()
    data = {k: v for k, v in VALID.items() if k != missing}
    response = client.post(reverse("signup", args=[org_a.slug]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ce champ est obligatoire." in body
    assert "Veuillez corriger les points suivants" in body
    assert _counts() == before


def test_acc_1_signup_terms_not_accepted_is_refused(client, org_a):
    before = _counts()
    data = {k: v for k, v in VALID.items() if k != "accept_terms"}
    body = client.post(reverse("signup", args=[org_a.slug]), data).content.decode()
    assert "Vous devez accepter les conditions générales pour créer un compte." in body
    assert _counts() == before


def test_acc_1_signup_separate_billing_address_requires_its_fields(client, org_a):
    data = {k: v for k, v in VALID.items() if k != "billing_same"}
    body = client.post(reverse("signup", args=[org_a.slug]), data).content.decode()
    assert "Ce champ est obligatoire lorsque l&#x27;adresse de facturation est différente." in body
    data.update(billing_line1="1 place du Marché", billing_postal_code="75001", billing_city="Paris")
    assert client.post(reverse("signup", args=[org_a.slug]), data).status_code == 302
    assert ConsumerClient.objects.get().billing_city == "Paris"


def test_acc_1_signup_bad_values_french_messages(client, org_a):
    data = dict(VALID, email="pas-une-adresse", postal_code="4900", phone="12", password2="autre")
    body = client.post(reverse("signup", args=[org_a.slug]), data).content.decode()
    assert "Saisissez une adresse e-mail valide." in body
    assert "Un code postal français comporte 5 chiffres." in body
    assert "Saisissez un numéro de téléphone valide." in body
    assert "Les deux mots de passe ne correspondent pas." in body


def test_acc_1_signup_weak_password_french_message(client, org_a):
    data = dict(VALID, password1="12345678", password2="12345678")
    body = client.post(reverse("signup", args=[org_a.slug]), data).content.decode()
    assert "Ce mot de passe est entièrement numérique." in body


def test_acc_1_signup_existing_email_is_refused(client, org_a):
    client.post(reverse("signup", args=[org_a.slug]), VALID)
    client.logout()
    before = _counts()
    data = dict(VALID, email="Jeanne.Durand@example.test")
    body = client.post(reverse("signup", args=[org_a.slug]), data).content.decode()
    assert "Un compte existe déjà avec cette adresse e-mail." in body
    assert _counts() == before


def test_signup_unknown_organisation_is_404(client, db):
    assert client.get(reverse("signup", args=["inconnu"])).status_code == 404


def test_signup_failure_midway_rolls_everything_back(client, org_a, monkeypatch):
    from ofelia.accounts import services

    def broken(**kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(services, "consumer_client_create", broken)
    before = _counts()
    client.raise_request_exception = False
    response = client.post(reverse("signup", args=[org_a.slug]), VALID)
    assert response.status_code == 500
    assert _counts() == before
