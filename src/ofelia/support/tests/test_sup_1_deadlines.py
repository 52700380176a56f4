"""SUP-1 and SUP-2 on the real desk: a ticket's deadlines are those of `ofelia simulate` for
the same `ticket` case (business hours of CAL-5, weekends and French holidays skipped),
breaches are the core's, each step is audited and mailed, each organisation sees its own."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import make_member, make_organisation
from ofelia.simcli import run_case
from ofelia.support import selectors, services
from ofelia.support.models import Ticket

PARIS = clock.PARIS


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.fixture
def virtualeo(db: Any) -> Organisation:
    return make_organisation(legal_name="VIRTUALEO test", slug="virtualeo-test", policy_id="virtualeo")


def _contact(org: Organisation, name: str = "Client SA", email: str | None = None) -> Any:
    company = org_services.client_company_create(actor=None, organisation=org, name=name)
    user = make_member(org, Role.CLIENT_CONTACT, company=company,
                       **({"email": email} if email else {}))
    return user


@pytest.fixture
def contact(virtualeo: Organisation) -> Any:
    return _contact(virtualeo, email="admin-client@client.test")


@pytest.fixture
def staff(virtualeo: Organisation) -> Any:
    return make_member(virtualeo, Role.STAFF, email="support@virtualeo.test")


def _membership(org: Organisation, user: Any) -> Any:
    return user.memberships.get(organisation=org)


def _open(org: Organisation, user: Any, when: datetime, priority: str = "critical") -> Ticket:
    with clock.frozen(when):
        return services.ticket_open(actor=user, organisation=org, membership=_membership(org, user),
                                    priority=priority, subject="La plateforme ne répond plus",
                                    description="Aucune classe ne démarre.")


def _simulated(priority: str, opened_at: datetime, events: list[dict[str, str]] | None = None,
               as_of: str | None = None) -> dict[str, Any]:
    """The case a person types in `ofelia simulate` (the CLI's own function, shipped terms)."""
    case: dict[str, Any] = {"case": "ticket", "policy": "virtualeo",
                            "ticket": {"priority": priority, "opened_at": opened_at.isoformat()}}
    if events:
        case["events"] = events
    if as_of:
        case["as_of"] = as_of
    return run_case(json.loads(json.dumps(case)), today=opened_at.date())


CASES = [
    # (priority, declared at) — across a weekend, a holiday (Friday 8 May 2026), a night.
    ("critical", at(2026, 3, 6, 17, 50)),   # Friday evening → Monday
    ("important", at(2026, 3, 6, 16, 0)),
    ("minor", at(2026, 3, 6, 11, 0)),
    ("critical", at(2026, 5, 7, 17, 55)),   # Thursday before the 8 May holiday
    ("important", at(2026, 5, 7, 17, 0)),
    ("minor", at(2026, 5, 7, 9, 0)),
    ("critical", at(2026, 3, 7, 10, 0)),    # Saturday: counts from Monday 08:30
    ("minor", at(2026, 12, 24, 15, 0)),     # Christmas and New Year's Day in the way
]


@pytest.mark.parametrize(("priority", "opened_at"), CASES)
def test_sup_1_deadlines_equal_the_simulation_of_the_same_ticket(
        virtualeo: Organisation, contact: Any, priority: str, opened_at: datetime) -> None:
    ticket = _open(virtualeo, contact, opened_at, priority)
    outcome = _simulated(priority, opened_at)
    assert ticket.policy_id == "virtualeo" and ticket.policy_version == outcome["policy_version"]
    stored = {name: getattr(ticket, name) for name in ("take_charge_by", "workaround_by", "resolution_by")}
    expected = {name: datetime.fromisoformat(outcome["deadlines"][name]) if name in outcome["deadlines"]
                else None for name in stored}
    assert stored == expected
    assert (ticket.workaround_by is None) == (priority == "minor")
    ticket.refresh_from_db()
    assert {n: getattr(ticket, n) for n in stored} == expected


def test_sup_1_critical_on_friday_1750_is_taken_in_charge_by_monday(virtualeo: Organisation,
                                                                    contact: Any) -> None:
    ticket = _open(virtualeo, contact, at(2026, 3, 6, 17, 50))
    # 10 minutes on Friday, the last 5 on Monday morning.
    assert ticket.take_charge_by == at(2026, 3, 9, 8, 35)
    assert ticket.take_charge_by.astimezone(PARIS).weekday() == 0
    # 2 h: 10 min Friday + 1 h 50 Monday; 12 h: 10 min + 9 h 30 Monday + 2 h 20 Tuesday.
    assert ticket.workaround_by == at(2026, 3, 9, 10, 20)
    assert ticket.resolution_by == at(2026, 3, 10, 10, 50)


def test_sup_1_the_8_may_holiday_is_skipped(virtualeo: Organisation, contact: Any) -> None:
    ticket = _open(virtualeo, contact, at(2026, 5, 7, 17, 55))
    assert ticket.take_charge_by == at(2026, 5, 11, 8, 40)


def test_sup_2_breaches_are_the_cores_and_reported_per_client_and_month(
        virtualeo: Organisation, contact: Any, staff: Any) -> None:
    late = _open(virtualeo, contact, at(2026, 3, 6, 17, 50))
    other = _contact(virtualeo, "Autre client SA")
    on_time = _open(virtualeo, other, at(2026, 3, 10, 9, 0), "minor")
    with clock.frozen(at(2026, 3, 9, 9, 0)):  # 25 minutes after the take-charge deadline
        services.ticket_step(actor=staff, organisation=virtualeo, ticket_id=late.pk, step="take")
    with clock.frozen(at(2026, 3, 10, 9, 30)):
        services.ticket_step(actor=staff, organisation=virtualeo, ticket_id=on_time.pk, step="take")
        services.ticket_step(actor=staff, organisation=virtualeo, ticket_id=on_time.pk,
                             step="resolve", note="Réponse envoyée.")
    as_of = at(2026, 3, 31, 12, 0)
    report = selectors.breach_report(organisation=virtualeo, as_of=as_of)
    late.refresh_from_db()
    expected = _simulated("critical", late.opened_at,
                          [{"type": "taken", "at": late.taken_at.isoformat()}], as_of.isoformat())
    # Taken late; workaround and resolution never came: three breaches, all in March 2026.
    assert sorted(expected["breaches"]) == ["resolution_by", "take_charge_by", "workaround_by"]
    assert [(r.company, r.month, r.count) for r in report.rows] == [("Client SA", "2026-03", 3)]
    assert report.months == [("2026-03", "mars 2026", 3)]
    # Before the take-charge deadline nothing is a breach yet.
    assert selectors.breach_report(organisation=virtualeo, as_of=at(2026, 3, 9, 8, 34)).rows == []


def test_sup_2_staff_steps_are_audited_mailed_and_seen_by_the_client(
        virtualeo: Organisation, contact: Any, staff: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    def step(when: datetime, name: str, note: str = "") -> None:
        with clock.frozen(when), django_capture_on_commit_callbacks(execute=True):
            services.ticket_step(actor=staff, organisation=virtualeo, ticket_id=ticket.pk,
                                 step=name, note=note)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = _open(virtualeo, contact, at(2026, 3, 9, 9, 0))
    assert "déclaré" in mail.outbox[-1].subject
    assert "prise en charge au plus tard le 9 mars 2026 à 09:15" in mail.outbox[-1].body
    step(at(2026, 3, 9, 9, 10), "take")
    with pytest.raises(ValidationError):
        step(at(2026, 3, 9, 9, 11), "take")
    with pytest.raises(ValidationError) as refused:
        step(at(2026, 3, 9, 9, 12), "workaround", "  ")
    assert "Décrivez" in str(refused.value)
    step(at(2026, 3, 9, 10, 0), "workaround", "Utilisez le serveur de secours.")
    step(at(2026, 3, 9, 15, 0), "resolve", "Serveur réparé.")
    actions = list(AuditEntry.objects.filter(object_id=str(ticket.pk), action__startswith="ticket.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["ticket.open", "ticket.take", "ticket.workaround", "ticket.resolve"]
    assert [m.subject.rsplit(": ", 1)[1] for m in mail.outbox] == [
        "déclaré", "pris en charge", "contournement donné", "résolu"]
    assert all("admin-client@client.test" in m.to for m in mail.outbox)
    page = Client()
    page.force_login(contact)
    html = page.get(f"/espace/support/{ticket.pk}/").content.decode()
    for text in ("Résolu", "Utilisez le serveur de secours.", "Serveur réparé.",
                 'datetime="2026-03-09T09:15:00+01:00"', "lundi 9 mars 2026 à 09:15"):
        assert text in html


def test_sup_1_templates_carry_no_inline_script() -> None:
    # The countdowns run from a static file (strict CSP coming); the base layout is not ours.
    from pathlib import Path

    for template in (Path(__file__).parents[1] / "templates" / "support").glob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and " on" + "click=" not in text, template.name


def test_sup_2_only_client_contacts_of_a_company_open_tickets(virtualeo: Organisation, staff: Any) -> None:
    loose = make_member(virtualeo, Role.CLIENT_CONTACT)  # no company
    for user in (staff, loose):
        with pytest.raises(ValidationError):
            _open(virtualeo, user, at(2026, 3, 9, 9, 0))
    assert not Ticket.objects.exists()


def test_sup_1_bad_input_is_refused_with_the_field_and_nothing_changes(virtualeo: Organisation,
                                                                       contact: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.ticket_open(actor=contact, organisation=virtualeo,
                             membership=_membership(virtualeo, contact), priority="urgentissime",
                             subject="", description="x")
    assert set(refused.value.error_dict) == {"priority", "subject"}
    web = Client()
    web.force_login(contact)
    response = web.post("/espace/support/", {"priority": "zzz", "subject": "", "description": ""})
    assert response.status_code == 200
    assert "Priorité inconnue" in response.content.decode()
    assert not Ticket.objects.exists()


def test_sup_1_a_policy_without_sup_1_opens_tickets_without_deadlines(db: Any) -> None:
    mi4 = make_organisation(policy_id="mi4")
    user = _contact(mi4)
    ticket = _open(mi4, user, at(2026, 3, 9, 9, 0))
    assert (ticket.policy_id, ticket.take_charge_by, ticket.resolution_by) == ("", None, None)


def test_sup_2_pages_are_scoped_and_role_checked(virtualeo: Organisation, contact: Any, staff: Any) -> None:
    ticket = _open(virtualeo, contact, at(2026, 3, 9, 9, 0))
    other_org = make_organisation(policy_id="virtualeo")
    outsider_staff = make_member(other_org, Role.STAFF)
    outsider_contact = _contact(other_org)
    same_org_other_client = _contact(virtualeo, "Concurrent SA")
    learner = make_member(virtualeo, Role.LEARNER)

    def get(user: Any, url: str) -> int:
        web = Client()
        web.force_login(user)
        return web.get(url).status_code

    assert get(staff, f"/gestion/support/{ticket.pk}/") == 200
    assert get(staff, "/gestion/support/") == 200
    assert get(staff, "/gestion/support/manquements/") == 200
    assert get(contact, f"/espace/support/{ticket.pk}/") == 200
    assert get(outsider_staff, f"/gestion/support/{ticket.pk}/") == 404
    assert get(outsider_contact, f"/espace/support/{ticket.pk}/") == 404
    assert get(same_org_other_client, f"/espace/support/{ticket.pk}/") == 404
    assert get(contact, "/gestion/support/") == 403
    assert get(learner, "/espace/support/") == 403
    web = Client()
    web.force_login(staff)
    assert web.post(f"/gestion/support/{ticket.pk}/", {"step": "nope"}).status_code == 200
    assert web.post("/gestion/support/999999/", {"step": "take"}).status_code == 404


def test_sup_2_demo_tickets_give_virtualeo_one_breach_and_are_loaded_once(db: Any) -> None:
    from ofelia.organisations.demo import load_demo
    from ofelia.support.demo import load_support

    load_demo()
    virtualeo = Organisation.objects.get(slug="virtualeo")
    with clock.frozen(at(2026, 3, 20, 12, 0)):
        assert load_support(virtualeo) == 2
        assert load_support(virtualeo) == 0
        assert load_support(Organisation.objects.get(slug="dixneuf")) == 0  # no SUP-1 there
        report = selectors.breach_report(organisation=virtualeo)
    assert [(r.month, r.count, r.by_deadline) for r in report.rows] == [("2026-02", 1, {"take_charge_by": 1})]
    assert not mail.outbox
