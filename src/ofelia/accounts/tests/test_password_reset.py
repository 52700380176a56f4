import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse

from ofelia.organisations.models import Role
from ofelia.organisations.testing import PASSWORD, make_member

pytestmark = pytest.mark.django_db

EXPIRED = "Le lien de réinitialisation du mot de passe a expiré ou a déjà été utilisé."


def _ask_link(client, email):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    return re.search(r"https?://\S+/mot-de-passe/nouveau/\S+/", mail.outbox[-1].body).group(0)


def test_password_reset_email_in_french_and_new_password_works(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    link = _ask_link(client, user.email)
    message = mail.outbox[-1]
    assert message.to == [user.email]
    assert "nouveau mot de passe" in message.subject
    assert "Bonjour," in message.body
    response = client.get(link, follow=True)
    assert "Choisissez un nouveau mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Nouveau-secret-2026", "new_password2": "Nouveau-secret-2026"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    assert client.login(username=user.email, password="Nouveau-secret-2026")
    assert not client.login(username=user.email, password=PASSWORD)


def test_password_reset_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "inconnu@example.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_invalid_link_shows_french_message(client, db):
    body = client.get("/mot-de-passe/nouveau/MQ/abc-def/", follow=True).content.decode()
    assert "Ce lien n'est plus valide" in body and EXPIRED in body


def test_password_reset_expired_link_shows_french_message(client, org_a, settings, monkeypatch):
    user = make_member(org_a, Role.LEARNER)
    settings.PASSWORD_RESET_TIMEOUT = 3600
    issued = datetime(2026, 3, 1, 10, 0)
    monkeypatch.setattr(default_token_generator, "_now", lambda: issued)
    link = _ask_link(client, user.email)
    monkeypatch.setattr(default_token_generator, "_now", lambda: issued + timedelta(hours=1, seconds=1))
    body = client.get(link, follow=True).content.decode()
    assert EXPIRED in body
    assert 'name="new_password1"' not in body


def test_password_reset_link_works_only_once(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    link = _ask_link(client, user.email)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Nouveau-secret-2026", "new_password2": "Nouveau-secret-2026"})
    client.logout()
    assert EXPIRED in client.get(link, follow=True).content.decode()


def test_password_reset_mismatch_french_error(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    link = _ask_link(client, user.email)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    body = client.post(form_url, {"new_password1": "Nouveau-secret-2026", "new_password2": "autre"}).content.decode()
    assert "Les deux mots de passe ne correspondent pas." in body
