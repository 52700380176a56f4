"""Invitations by e-mail link: single use, expiring, resending revokes, only the SHA-256 of the
secret is stored, staff invited by administrators only, scoped to the organisation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.accounts import invitations
from ofelia.accounts.models import Invitation
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations import services
from ofelia.organisations.models import Learner, Membership, Organisation, Role
from ofelia.organisations.testing import PASSWORD, make_member

NEW_PASSWORD = "un-mot-de-passe-solide-42"


def _link(message: Any) -> str:
    found = re.search(r"https?://\S+(/invitation/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def _invite(org: Organisation, actor: Any, **kwargs: Any) -> Invitation:
    return invitations.invitation_send(actor=actor, actor_role=kwargs.pop("actor_role", Role.ADMINISTRATOR),
                                       organisation=org, site_url="http://testserver", **kwargs)


def _accept(client: Client, path: str, **extra: str) -> Any:
    return client.post(path, {"first_name": "David", "last_name": "Acheteur", "password1": NEW_PASSWORD,
                              "password2": NEW_PASSWORD, **extra})


def test_invitation_client_contact_link_works_once_and_lands_on_the_extranet(org_a: Organisation, admin_a: Any) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    contact = services.company_contact_create(actor=None, company=company, first_name="David",
                                              last_name="Acheteur", email="david@acme.fr")
    invitation = _invite(org_a, admin_a, email="", role=Role.CLIENT_CONTACT, contact=contact)
    assert invitation.email == "david@acme.fr" and invitation.company == company
    path = _link(mail.outbox[-1])
    secret = path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(Invitation.objects.values_list().get())  # the clear secret is never stored
    client = Client()
    assert "Rejoindre Organisme A" in client.get(path).content.decode()
    response = _accept(client, path)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("extranet-home")
    membership = Membership.objects.get(user__email="david@acme.fr")
    assert (membership.organisation, membership.role, membership.company) == (org_a, Role.CLIENT_CONTACT, company)
    contact.refresh_from_db()
    assert contact.user == membership.user
    assert AuditEntry.objects.filter(action="invitation.accept").count() == 1
    # Second use: refused, nothing changes.
    again = Client()
    assert again.get(path).status_code == 410
    assert _accept(again, path).status_code == 410
    assert get_user_model().objects.filter(email="david@acme.fr").count() == 1


def test_invitation_expires(org_a: Organisation, admin_a: Any) -> None:
    _invite(org_a, admin_a, email="formateur@ex.fr", role=Role.TRAINER)
    path = _link(mail.outbox[-1])
    later = clock.now() + invitations.INVITATION_VALIDITY + timedelta(minutes=1)
    with clock.frozen(later):
        assert _accept(Client(), path).status_code == 410
    assert not get_user_model().objects.filter(email="formateur@ex.fr").exists()


def test_invitation_resend_revokes_the_previous_link(org_a: Organisation, admin_a: Any) -> None:
    first = _invite(org_a, admin_a, email="Formateur@Ex.fr", role=Role.TRAINER)
    old_path = _link(mail.outbox[-1])
    second = _invite(org_a, admin_a, email="formateur@ex.fr", role=Role.TRAINER)
    new_path = _link(mail.outbox[-1])
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert _accept(Client(), old_path).status_code == 410
    assert _accept(Client(), new_path).status_code == 302
    assert Membership.objects.get(user__email="formateur@ex.fr").role == Role.TRAINER


def test_invitation_learner_links_the_learner_record(org_a: Organisation, admin_a: Any) -> None:
    learner = services.learner_create(actor=None, organisation=org_a, civility="mme", first_name="Émilie",
                                      last_name="Roy", email="emilie@ex.fr")
    _invite(org_a, admin_a, email="", role=Role.LEARNER, learner=learner, actor_role=Role.STAFF)
    assert _accept(Client(), _link(mail.outbox[-1])).status_code == 302
    learner.refresh_from_db()
    assert learner.user is not None and learner.user.email == "emilie@ex.fr"
    with pytest.raises(ValidationError, match="déjà un compte"):
        _invite(org_a, admin_a, email="", role=Role.LEARNER, learner=learner)


def test_invitation_staff_only_by_administrators_and_refusals(org_a: Organisation, org_b: Organisation,
                                                              admin_a: Any) -> None:
    with pytest.raises(ValidationError, match="administrateur"):
        _invite(org_a, admin_a, email="x@ex.fr", role=Role.STAFF, actor_role=Role.STAFF)
    with pytest.raises(ValidationError, match="entreprise"):
        _invite(org_a, admin_a, email="x@ex.fr", role=Role.CLIENT_CONTACT)
    foreign = services.client_company_create(actor=None, organisation=org_b, name="Ailleurs")
    with pytest.raises(ValidationError, match="autre organisme"):
        _invite(org_a, admin_a, email="x@ex.fr", role=Role.CLIENT_CONTACT, company=foreign)
    with pytest.raises(ValidationError, match="déjà un compte actif"):
        _invite(org_a, admin_a, email=admin_a.email, role=Role.STAFF)
    assert not Invitation.objects.exists() and not mail.outbox


def test_invitation_pages_roles_and_wrong_organisation(org_a: Organisation, org_b: Organisation, admin_a: Any,
                                                       staff_b: Any) -> None:
    staff_a = make_member(org_a, Role.STAFF)
    client = Client()
    client.login(username=staff_a.email, password=PASSWORD)
    page = client.get(reverse("invitation-list")).content.decode()
    assert 'value="trainer"' in page and 'value="staff"' not in page  # staff cannot invite staff
    response = client.post(reverse("invitation-list"), {"email": "x@ex.fr", "role": "staff"})
    assert response.status_code == 200 and not Invitation.objects.exists()
    response = client.post(reverse("invitation-list"), {"email": "f@ex.fr", "role": "trainer"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    # Org B's staff sees nothing of org A's invitations and cannot resend them.
    other = Client()
    other.login(username=staff_b.email, password=PASSWORD)
    assert "f@ex.fr" not in other.get(reverse("invitation-list")).content.decode()
    assert other.post(reverse("invitation-resend", args=[invitation.pk])).status_code == 404
    learner = services.learner_create(actor=None, organisation=org_a, civility="m", first_name="P",
                                      last_name="Q", email="pq@ex.fr")
    assert other.get(reverse("invitation-list"), {"apprenant": learner.pk}).status_code == 404
    # The accepted link gives a membership in org A only.
    _accept(Client(), _link(mail.outbox[-1]))
    user = get_user_model().objects.get(email="f@ex.fr")
    assert list(Membership.objects.filter(user=user).values_list("organisation", flat=True)) == [org_a.pk]
    assert Learner.objects.filter(user=user).count() == 0


def test_invitation_existing_account_must_sign_in_first(org_a: Organisation, org_b: Organisation,
                                                        admin_a: Any, staff_b: Any) -> None:
    _invite(org_a, admin_a, email=staff_b.email, role=Role.TRAINER)
    path = _link(mail.outbox[-1])
    anonymous = Client()
    assert "connectez-vous avec ce compte" in anonymous.get(path).content.decode()
    anonymous.post(path, {})
    assert not Membership.objects.filter(user=staff_b, organisation=org_a).exists()
    signed_in = Client()
    signed_in.login(username=staff_b.email, password=PASSWORD)
    assert signed_in.post(path, {}).status_code == 302
    assert Membership.objects.get(user=staff_b, organisation=org_a).role == Role.TRAINER
    staff_b.refresh_from_db()
    assert staff_b.check_password(PASSWORD)  # the invitation never changes an existing password


def test_invitation_client_contact_without_record_becomes_a_contact_of_the_company(org_a: Organisation,
                                                                                   admin_a: Any) -> None:
    company = services.client_company_create(actor=None, organisation=org_a, name="Acme")
    _invite(org_a, admin_a, email="rh@acme.fr", role=Role.CLIENT_CONTACT, company=company)
    assert _accept(Client(), _link(mail.outbox[-1])).status_code == 302
    contact = company.contacts.get()
    assert (contact.email, contact.first_name, contact.user.email) == ("rh@acme.fr", "David", "rh@acme.fr")
    # Invited again by address: the existing contact record is found, not duplicated.
    other = services.client_company_create(actor=None, organisation=org_a, name="Beta")
    services.company_contact_create(actor=None, company=other, first_name="Z", last_name="Y", email="z@beta.fr")
    invitation = _invite(org_a, admin_a, email="Z@beta.fr", role=Role.CLIENT_CONTACT, company=other)
    assert invitation.contact == other.contacts.get()
