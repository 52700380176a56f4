import pytest
from django.test import override_settings
from django.urls import reverse

from ofelia.organisations.models import Role
from ofelia.organisations.testing import PASSWORD, make_member

pytestmark = pytest.mark.django_db

WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion"


def _login(client, username, password, ip="198.51.100.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_fields_and_button(client):
    body = client.get(reverse("login")).content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert ">Se connecter</button>" in body
    assert 'for="id_username"' in body and 'for="id_password"' in body


def test_login_wrong_password_shows_french_error(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    response = _login(client, user.email, "pas-le-bon")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_unknown_user_shows_same_french_error(client, db):
    assert WRONG in _login(client, "personne@example.test", "x").content.decode()


def test_login_with_email_in_any_case_or_username(client, org_a):
    user = make_member(org_a, Role.TRAINER, email="Claire@Example.test")
    response = _login(client, "CLAIRE@example.TEST", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    client.logout()
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_login_inactive_account_is_refused(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    user.is_active = False
    user.save()
    assert WRONG in _login(client, user.email, PASSWORD).content.decode()


@override_settings(LOGIN_THROTTLE_FAILURES=5)
def test_login_throttled_after_5_failures_per_username_and_ip(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    for _attempt in range(4):
        assert WRONG in _login(client, user.email, "faux").content.decode()
    # The fifth failure is still an ordinary error ...
    assert WRONG in _login(client, user.email, "faux").content.decode()
    # ... then even the right password is refused for this username and address.
    body = _login(client, user.email, PASSWORD).content.decode()
    assert THROTTLED in body
    assert "_auth_user_id" not in client.session
    # Another address, or another username, is not blocked.
    assert _login(client, user.email, PASSWORD, ip="198.51.100.2").status_code == 302


@override_settings(LOGIN_THROTTLE_FAILURES=5)
def test_login_success_before_the_limit_resets_the_count(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    for _attempt in range(4):
        _login(client, user.email, "faux")
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        _login(client, user.email, "faux")
    assert _login(client, user.email, PASSWORD).status_code == 302


@override_settings(LOGIN_THROTTLE_FAILURES=5, LOGIN_THROTTLE_WINDOW=900)
def test_login_throttle_window_expires(client, org_a, monkeypatch):
    from ofelia.accounts import throttling

    user = make_member(org_a, Role.LEARNER)
    for _attempt in range(5):
        _login(client, user.email, "faux")
    assert throttling.is_blocked(user.email, "198.51.100.1")
    # Expiry is the cache's job: removing the key is what the 15 minutes do.
    throttling.clear(user.email, "198.51.100.1")
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_user_without_membership_gets_clear_french_page(client, db):
    from ofelia.organisations.services import user_create

    user_create(actor=None, organisation=None, email="seul@example.test", password=PASSWORD)
    response = _login(client, "seul@example.test", PASSWORD)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 403
    assert "Votre compte n'est rattaché à aucun organisme" in page.content.decode()


def test_logout_requires_post_and_signs_out(client, org_a):
    client.force_login(make_member(org_a, Role.LEARNER))
    assert "Voulez-vous vous déconnecter" in client.get(reverse("logout")).content.decode()
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_next_parameter_brings_back_to_requested_page(client, org_a):
    user = make_member(org_a, Role.STAFF)
    response = client.get(reverse("client-company-list"))
    assert response.status_code == 302
    login_url = response["Location"]
    response = client.post(login_url, {"username": user.email, "password": PASSWORD, "next": reverse("client-company-list")})
    assert response["Location"] == reverse("client-company-list")
