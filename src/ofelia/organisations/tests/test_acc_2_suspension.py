"""ACC-2: an administrator suspends an account on legitimate suspicion of fraud, and
reactivates it; the reason is kept and audited; nobody else can."""

from __future__ import annotations

from typing import Any

from django.test import Client

from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Membership, Role
from ofelia.organisations.testing import make_member


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def test_acc_2_admin_suspends_with_a_reason_the_person_loses_access_then_is_reactivated(
    org_a: Any, admin_a: Any
) -> None:
    learner = make_member(org_a, Role.LEARNER)
    membership = learner.memberships.get()
    assert _web(learner).get("/espace/").status_code == 200
    page = _web(admin_a).post(f"/utilisateurs/{membership.pk}/suspension/",
                              {"action": "suspend", "reason": "Soupçon de partage du compte"},
                              follow=True)
    assert "est suspendu" in page.content.decode()
    assert "suspendu : Soupçon de partage du compte" in page.content.decode()
    membership.refresh_from_db()
    assert not membership.is_active and membership.suspension_reason == "Soupçon de partage du compte"
    assert _web(learner).get("/espace/").status_code == 403
    entry = AuditEntry.objects.get(action="membership.suspend")
    assert entry.actor_id == admin_a.pk and entry.organisation_id == org_a.pk
    _web(admin_a).post(f"/utilisateurs/{membership.pk}/suspension/", {"action": "reactivate"})
    membership.refresh_from_db()
    assert membership.is_active and membership.suspension_reason == ""
    assert _web(learner).get("/espace/").status_code == 200


def test_acc_2_suspension_without_reason_is_refused_and_changes_nothing(org_a: Any, admin_a: Any) -> None:
    membership = make_member(org_a, Role.LEARNER).memberships.get()
    before = AuditEntry.objects.count()
    page = _web(admin_a).post(f"/utilisateurs/{membership.pk}/suspension/",
                              {"action": "suspend", "reason": "  "}, follow=True)
    assert "Indiquez le motif de la suspension" in page.content.decode()
    membership.refresh_from_db()
    assert membership.is_active and AuditEntry.objects.count() == before


def test_acc_2_an_admin_cannot_suspend_themself(org_a: Any, admin_a: Any) -> None:
    own = admin_a.memberships.get()
    page = _web(admin_a).post(f"/utilisateurs/{own.pk}/suspension/",
                              {"action": "suspend", "reason": "test"}, follow=True)
    assert "votre propre compte" in page.content.decode()
    assert Membership.objects.get(pk=own.pk).is_active


def test_acc_2_only_administrators_and_only_their_organisation(org_a: Any, org_b: Any, admin_a: Any,
                                                              staff_b: Any) -> None:
    target = make_member(org_a, Role.LEARNER).memberships.get()
    staff_a = make_member(org_a, Role.STAFF)
    url = f"/utilisateurs/{target.pk}/suspension/"
    assert _web(staff_a).post(url, {"action": "suspend", "reason": "x"}).status_code == 403
    assert "Suspendre" not in _web(staff_a).get("/utilisateurs/").content.decode()
    admin_b = make_member(org_b, Role.ADMINISTRATOR)
    assert _web(admin_b).post(url, {"action": "suspend", "reason": "x"}).status_code == 404
    assert _web(admin_a).get(url).status_code == 405
    target.refresh_from_db()
    assert target.is_active
