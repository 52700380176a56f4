"""Issue 14, item 3 (in one process; tests/worker/test_shared_throttling.py proves it across
gunicorn workers): sign-in limited per account, per address (spraying) and per pair;
password-reset e-mails and convocations rate-limited."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from ofelia.organisations.models import Role
from ofelia.organisations.testing import PASSWORD, make_member

THROTTLED = "Trop de tentatives"


def _login(client, login, password, ip="198.51.100.1"):
    return client.post(reverse("login"), {"username": login, "password": password}, REMOTE_ADDR=ip)


@override_settings(LOGIN_THROTTLE_ADDRESS_FAILURES=10)
def test_i14_password_sprayed_over_many_accounts_from_one_address_is_stopped(client, org_a):
    users = [make_member(org_a, Role.LEARNER) for _ in range(12)]
    checked = [THROTTLED not in _login(client, u.email, "Printemps2026!").content.decode()
               for u in users]
    assert checked == [True] * 10 + [False] * 2
    # The right password of an untouched account is refused from that address too ...
    assert THROTTLED in _login(client, users[-1].email, PASSWORD).content.decode()
    # ... and works from another one.
    assert _login(client, users[-1].email, PASSWORD, ip="198.51.100.9").status_code == 302


@override_settings(LOGIN_THROTTLE_ACCOUNT_FAILURES=10, LOGIN_THROTTLE_FAILURES=5)
def test_i14_guesses_at_one_account_from_many_addresses_are_stopped(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    checked = [THROTTLED not in _login(client, user.email, "faux", ip=f"203.0.113.{i}").content.decode()
               for i in range(14)]
    assert checked == [True] * 10 + [False] * 4
    assert THROTTLED in _login(client, user.email, PASSWORD, ip="203.0.113.200").content.decode()


def test_i14_successful_sign_ins_do_not_count_against_a_shared_address(client, org_a):
    users = [make_member(org_a, Role.LEARNER) for _ in range(15)]
    for user in users:  # an office behind one NAT address: everyone signs in
        assert _login(client, user.email, PASSWORD).status_code == 302
        client.logout()


@override_settings(PASSWORD_RESET_PER_EMAIL=3, PASSWORD_RESET_PER_IP=5)
def test_i14_password_reset_mails_are_limited_per_mailbox_and_per_address(client, org_a):
    user = make_member(org_a, Role.LEARNER)
    url = reverse("password_reset")
    answers = [client.post(url, {"email": user.email}, REMOTE_ADDR=f"192.0.2.{i}")
               for i in range(20)]
    # Every requester sees the same page; the mailbox receives 3 mails, not 20.
    assert all(a.status_code == 302 for a in answers)
    assert len(mail.outbox) == 3
    mail.outbox.clear()
    other = make_member(org_a, Role.LEARNER)
    from_one = [client.post(url, {"email": other.email}, REMOTE_ADDR="192.0.2.250") for _ in range(7)]
    assert [a.status_code for a in from_one] == [302] * 5 + [200] * 2
    assert "Trop de demandes de réinitialisation" in from_one[-1].content.decode()
    assert len(mail.outbox) == 3


def test_i14_convocation_sends_are_rate_limited_per_user(client, org_a, admin_a):
    client.force_login(admin_a)
    url = reverse("sales:contract-convocations", args=[999999])
    codes = [client.post(url).status_code for _ in range(32)]
    assert codes == [404] * 30 + [429] * 2
    assert "Trop de demandes" in client.post(url).content.decode()


def test_i14_throttle_counters_give_back_and_reset(db):
    from ofelia.core import throttle

    assert [throttle.take("t", "x", limit=2, window=60) for _ in range(3)] == [True, True, False]
    throttle.give_back("t", "x")
    assert throttle.count("t", "x") == 2
    throttle.reset("t", "x")
    throttle.give_back("t", "x")
    assert throttle.count("t", "x") == 0
