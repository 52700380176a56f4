"""Mi4 personal extranet link: one per person, expiring, revocable, loss reported by the person."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.sales import access
from ofelia.sales.models import AccessLink

from .conftest import make_organisation, make_user

ISSUED = datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def mi4(db: Any) -> Any:
    return make_organisation("mi4", "mi4")


def _issue(org: Any, actor: Any, user: Any) -> tuple[AccessLink, str]:
    with clock.frozen(ISSUED):
        return access.access_link_issue(actor=actor, organisation=org, user=user)


def test_acc_2_link_logs_the_person_into_their_extranet_and_only_the_hash_is_stored(mi4: Any) -> None:
    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    link, secret = _issue(mi4, admin, learner)
    assert secret not in link.token_hash and len(link.token_hash) == 64
    web = Client()
    with clock.frozen(ISSUED + timedelta(days=1)):
        response = web.get(f"/acces/{secret}/")
        assert response.status_code == 302 and response["Location"] == "/espace/"
        assert web.get("/espace/formations/").status_code == 200
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_acc_2_one_live_link_per_person_regenerating_revokes_the_previous(mi4: Any) -> None:
    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    first, first_secret = _issue(mi4, admin, learner)
    second, second_secret = _issue(mi4, admin, learner)
    first.refresh_from_db()
    assert first.revoked_reason == access.REVOKED_REPLACED
    assert AccessLink.objects.filter(user=learner, revoked_at__isnull=True).get() == second
    with clock.frozen(ISSUED), pytest.raises(IntegrityError), transaction.atomic():
        AccessLink.objects.create(organisation=mi4, user=learner, token_hash="x" * 64,
                                  expires_at=clock.now())
    assert Client().get(f"/acces/{first_secret}/").status_code == 410
    with clock.frozen(ISSUED):
        assert Client().get(f"/acces/{second_secret}/").status_code == 302


def test_acc_2_link_expires_after_90_days(mi4: Any) -> None:
    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    _link, secret = _issue(mi4, admin, learner)
    with clock.frozen(ISSUED + access.VALIDITY - timedelta(minutes=1)):
        assert access.access_link_use(secret) is not None
    with clock.frozen(ISSUED + access.VALIDITY):
        assert access.access_link_use(secret) is None
        assert Client().get(f"/acces/{secret}/").status_code == 410


def test_acc_2_staff_revokes_and_person_reports_loss_which_revokes_at_once(mi4: Any) -> None:
    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    link, secret = _issue(mi4, admin, learner)
    access.access_link_revoke(actor=admin, link=link)
    assert access.access_link_use(secret) is None
    _link, secret = _issue(mi4, admin, learner)
    web = Client()
    web.force_login(learner)
    response = web.post("/espace/lien-perdu/", follow=True)
    assert "lettre recommandée" in response.content.decode()
    lost = AccessLink.objects.get(token_hash=access._hash(secret))
    assert lost.revoked_reason == access.REVOKED_LOSS_REPORTED
    assert access.access_link_use(secret) is None


def test_acc_2_staff_page_issues_the_link_once_and_only_for_extranet_members(mi4: Any) -> None:
    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    membership = learner.memberships.get()
    web = Client()
    web.force_login(admin)
    with clock.frozen(ISSUED):
        page = web.post("/ventes/liens-acces/", {"membership": membership.pk, "action": "issue"})
        text = page.content.decode()
        assert "il ne sera plus affiché" in text and "/acces/" in text
        again = web.get("/ventes/liens-acces/").content.decode()
    assert "/acces/" not in again and "actif jusqu'au" in again
    with pytest.raises(ValidationError):
        access.access_link_issue(actor=admin, organisation=mi4, user=admin)


def test_tenancy_staff_of_another_organisation_cannot_issue_links_for_ours(mi4: Any) -> None:
    other = make_organisation("autre", "dixneuf")
    learner = make_user(mi4, Role.LEARNER)
    web = Client()
    web.force_login(make_user(other, Role.ADMINISTRATOR))
    response = web.post("/ventes/liens-acces/", {"membership": learner.memberships.get().pk,
                                                 "action": "issue"})
    assert response.status_code == 404
    assert not AccessLink.objects.exists()


def test_acc_2_a_suspended_account_cannot_use_its_personal_link(mi4: Any) -> None:
    from ofelia.organisations import services as people

    admin, learner = make_user(mi4, Role.ADMINISTRATOR), make_user(mi4, Role.LEARNER)
    _link, secret = _issue(mi4, admin, learner)
    people.membership_suspend(actor=admin, membership=learner.memberships.get(),
                              reason="Soupçon de fraude")
    with clock.frozen(ISSUED + timedelta(days=1)):
        assert access.access_link_use(secret) is None
