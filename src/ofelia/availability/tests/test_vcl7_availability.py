"""Availability (issue 13 item 5): VCL-7's monthly figure and credit, ACC-3's 48-hour notice,
idempotent probes and credits, and the report equal to `ofelia simulate` on the same facts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ofelia.billing.models import DocumentKind, Invoice
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.notifications.models import SentMail
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import make_member
from ofelia.simcli import run_case

from .. import probes, selectors, services
from ..models import Credit, Incident, Probe, ProbeMonth
from . import factories

PARIS = clock.PARIS
pytestmark = pytest.mark.django_db
APRIL = date(2026, 4, 1)  # 30 days: 43 200 minutes


@pytest.fixture
def world(db: Any) -> Any:
    org = factories.hosting_organisation()
    acme = factories.company(org, "Acme", 1)
    zeta = factories.company(org, "Zeta", 2)
    contact = make_member(org, Role.CLIENT_CONTACT, company=acme, email="admin@acme.test")
    make_member(org, Role.CLIENT_CONTACT, company=zeta, email="admin@zeta.test")
    staff = make_member(org, Role.STAFF)
    return org, acme, zeta, contact, staff


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def outage(org: Organisation, staff: Any, start: datetime, minutes: int, **more: Any) -> Incident:
    return services.incident_declare(actor=staff, organisation=org, start=start,
                                     end=start + timedelta(minutes=minutes), cause="outage", **more)


def maintenance(org: Organisation, staff: Any, *, announced: datetime, start: datetime, minutes: int) -> Any:
    with clock.frozen(announced):
        return services.maintenance_announce(actor=staff, organisation=org, start=start,
                                             end=start + timedelta(minutes=minutes), all_clients=True)


def row_of(org: Organisation, company: Any, month: date = APRIL) -> selectors.ClientMonth:
    report = selectors.monthly_report(organisation=org, month=month, now=datetime(2027, 1, 1, tzinfo=PARIS),
                                      company_ids={company.pk})
    return report.rows[0]


def test_vcl7_credit_threshold_exactly_99_95_percent_is_kept(world: Any) -> None:
    """43 200 minutes, 3 200 excluded by an announced maintenance: 40 000 counted; 20 minutes
    down is exactly 99.95 % (no credit), 21 minutes is below (credit, breach)."""
    org, acme, _zeta, _contact, staff = world
    factories.consumption_invoice(org, acme, service_end=date(2026, 4, 30), amount="4000.00")
    maintenance(org, staff, announced=at(1, 8), start=at(10, 0), minutes=3200)
    incident = outage(org, staff, at(20, 9), 20)
    row = row_of(org, acme)
    assert row.measure == {"month": "2026-04", "minutes": 43200, "downtime_minutes": 20, "excluded_minutes": 3200,
                           "measured": "99.9500", "target": "99.95"}
    assert row.proposed_credit == Decimal("0.00") and row.outcome["breaches"] == []
    services.incident_update(actor=staff, organisation=org, pk=incident.pk, start=incident.start,
                             end=incident.start + timedelta(minutes=21), cause="outage")
    row = row_of(org, acme)
    assert row.measure["measured"] == "99.9475"
    # 4 000.00 × 21 / 40 000 = 2.10 (VCL-7, pro rata of the downtime)
    assert row.proposed_credit == Decimal("2.10")
    assert row.credit_charge is not None and row.credit_charge["rule"] == "VCL-7"
    assert "peut être accordé" in row.credit_charge["explanation"]
    assert "availability" in json.dumps(row.outcome["breaches"])


def test_acc3_vcl7_maintenance_announced_exactly_48_hours_ahead_is_excluded(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    done = maintenance(org, staff, announced=at(8, 22), start=at(10, 22), minutes=240)
    assert done.excluded and done.notice_hours == Decimal("48.0")
    row = row_of(org, acme)
    assert (row.measure["downtime_minutes"], row.measure["excluded_minutes"]) == (0, 240)


def test_acc3_vcl7_maintenance_announced_one_minute_late_counts_as_downtime(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    done = maintenance(org, staff, announced=at(8, 22, 1), start=at(10, 22), minutes=240)
    assert not done.excluded
    row = row_of(org, acme)
    assert (row.measure["downtime_minutes"], row.measure["excluded_minutes"]) == (240, 0)
    assert row.measure["measured"] == "99.4444"


def test_maintenance_mails_the_clients_concerned_with_the_new_kind(world: Any) -> None:
    org, acme, zeta, _contact, staff = world
    with clock.frozen(at(1, 9)):
        done = services.maintenance_announce(actor=staff, organisation=org, start=at(10, 22), end=at(11, 2),
                                             services="classes virtuelles", companies=[zeta])
    assert done.recipients == ("admin@zeta.test",)
    mail = SentMail.objects.get(kind="maintenance_announced")
    assert mail.to == "admin@zeta.test"
    assert "10 avril 2026 à 22:00" in mail.body and "11 avril 2026 à 02:00" in mail.body
    assert "classes virtuelles" in mail.body
    # Zeta's maintenance does not touch Acme's month.
    assert row_of(org, acme).measure["excluded_minutes"] == 0
    assert row_of(org, zeta).measure["excluded_minutes"] == 240


@pytest.mark.parametrize(("month", "minutes"), [
    (date(2026, 2, 1), 40320),  # 28 days
    (date(2026, 3, 1), 44580),  # 31 days, one hour less (summer time on 29 March)
    (date(2026, 10, 1), 44700),  # 31 days, one hour more (winter time on 25 October)
])
def test_vcl7_month_has_its_real_number_of_minutes(world: Any, month: date, minutes: int) -> None:
    org, acme, _zeta, _contact, staff = world
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    # An outage across the month's end counts only inside the month.
    outage(org, staff, datetime(last.year, last.month, last.day, 23, 30, tzinfo=PARIS), 90)
    row = row_of(org, acme, month)
    assert row.measure["minutes"] == minutes and row.measure["downtime_minutes"] == 30


def test_only_what_has_happened_counts_in_a_month_under_way(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    outage(org, staff, at(3, 10), 60)
    open_ = services.incident_declare(actor=staff, organisation=org, start=at(20, 9), end=None, cause="outage")
    maintenance(org, staff, announced=at(1, 8), start=at(25, 22), minutes=120)
    report = selectors.monthly_report(organisation=org, month=APRIL, now=at(20, 9, 30), company_ids={acme.pk})
    measure = report.rows[0].measure
    assert (measure["downtime_minutes"], measure["excluded_minutes"]) == (90, 0)
    assert open_.end is None


def test_suspected_and_dismissed_incidents_do_not_count_until_confirmed(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    incident = Incident.objects.create(organisation=org, start=at(3, 10), end=at(3, 11), cause="outage",
                                       status=Incident.Status.SUSPECTED)
    assert row_of(org, acme).measure["downtime_minutes"] == 0
    services.incident_review(actor=staff, organisation=org, pk=incident.pk, confirm=True)
    assert row_of(org, acme).measure["downtime_minutes"] == 60
    with pytest.raises(ValidationError):
        services.incident_review(actor=staff, organisation=org, pk=incident.pk, confirm=False)


def test_incident_edit_keeps_an_audit_trail_and_overlaps_count_once(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    first = outage(org, staff, at(5, 10), 60, services="extranet")
    outage(org, staff, at(5, 10, 30), 60, all_clients=False, companies=[acme])
    services.incident_update(actor=staff, organisation=org, pk=first.pk, start=at(5, 10), end=at(5, 10, 45),
                             cause="third_party", services="hébergeur")
    entry = AuditEntry.objects.filter(action="availability.incident_update").get()
    assert entry.before["cause"] == "outage" and entry.after["cause"] == "third_party"
    row = row_of(org, acme)  # 10:00–10:45 excluded (third party), 10:45–11:30 down
    assert (row.measure["downtime_minutes"], row.measure["excluded_minutes"]) == (45, 45)
    with pytest.raises(ValidationError):
        outage(org, staff, at(5, 10), 0)


def test_report_equals_ofelia_simulate_on_the_same_facts(world: Any) -> None:
    org, acme, _zeta, _contact, staff = world
    factories.consumption_invoice(org, acme, service_end=date(2026, 4, 17), amount="2400.00")
    outage(org, staff, at(10, 9), 40)
    maintenance(org, staff, announced=at(11, 10), start=at(14, 22), minutes=240)
    maintenance(org, staff, announced=at(13, 10), start=at(14, 23), minutes=120)  # late, overlapping
    row = row_of(org, acme)
    typed_by_hand = {
        "case": "availability", "policy": "virtualeo", "month": "2026-04", "services_amount": "2400.00",
        "incidents": [
            {"from": "2026-04-10T09:00:00+02:00", "to": "2026-04-10T09:40:00+02:00", "cause": "outage"},
            {"from": "2026-04-14T22:00:00+02:00", "to": "2026-04-15T02:00:00+02:00", "cause": "maintenance",
             "announced_at": "2026-04-11T10:00:00+02:00"},
            {"from": "2026-04-14T23:00:00+02:00", "to": "2026-04-15T01:00:00+02:00", "cause": "maintenance",
             "announced_at": "2026-04-13T10:00:00+02:00"}]}
    assert row.case == typed_by_hand
    expected = run_case(json.loads(json.dumps(typed_by_hand)), today=date(2026, 6, 1))
    expected.pop("as_of")  # the evaluation day the CLI echoes; the month does not depend on it
    assert row.outcome == expected
    assert row.services_amount == Decimal("2400.00")
    assert row.measure["downtime_minutes"] == 40  # the late window lies inside the announced one
    assert row.proposed_credit == Decimal(expected["charges"][0]["amount"]).copy_abs()


def test_credit_granted_twice_issues_one_credit_note_citing_the_clause(world: Any) -> None:
    org, acme, zeta, _contact, staff = world
    invoice = factories.consumption_invoice(org, acme, service_end=date(2026, 4, 30), amount="2400.00")
    outage(org, staff, at(10, 9), 120)
    with clock.frozen(at(30, 23, 59)), pytest.raises(ValidationError, match="n'est pas terminé"):
        services.credit_grant(actor=staff, organisation=org, company_id=acme.pk, month=APRIL)
    with clock.frozen(at(1, 0, month=5)):
        first = services.credit_grant(actor=staff, organisation=org, company_id=acme.pk, month=APRIL)
        again = services.credit_grant(actor=staff, organisation=org, company_id=acme.pk, month=date(2026, 4, 17))
    assert first.pk == again.pk and Credit.objects.count() == 1
    notes = Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE, credited_invoice=invoice)
    assert notes.count() == 1
    note = notes.get()
    # 2 400.00 × 120 / 43 200 = 6.67 HT, VAT at the invoice's 20 %
    assert first.amount == Decimal("6.67") and note.total_excl_vat == Decimal("6.67")
    assert note.total_incl_vat == Decimal("8.00")
    line = note.lines.get()
    assert line.rule == "VCL-7" and "art. 7.1" in line.explanation
    assert row_of(org, acme).credit == first
    # No credit proposed (nothing invoiced to Zeta): refused, nothing issued.
    with pytest.raises(ValidationError, match="Aucun avoir"):
        services.credit_grant(actor=staff, organisation=org, company_id=zeta.pk, month=APRIL)
    assert Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE).count() == 1


def test_probe_is_idempotent_per_minute_and_opens_then_closes_a_suspected_incident(
        world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    org, *_ = world
    bad = [probes.Check("http", True, 3, "HTTP 200"), probes.Check("database", False, 2, "erreur : OperationalError"),
           probes.Check("broker", True, 1, "eager")]
    monkeypatch.setattr(probes, "run_checks", lambda: bad)
    assert probes.probe_minute(at(3, 10, 0) + timedelta(seconds=5)) is True
    assert probes.probe_minute(at(3, 10, 0) + timedelta(seconds=40)) is False  # retried: nothing added
    assert Probe.objects.count() == 3
    suspected = Incident.objects.get(organisation=org)
    assert suspected.status == Incident.Status.SUSPECTED and suspected.start == at(3, 10)
    assert "Base de données" in suspected.services
    probes.probe_minute(at(3, 10, 1))
    assert Incident.objects.filter(organisation=org).count() == 1  # still the same one
    monkeypatch.setattr(probes, "run_checks", lambda: [probes.Check(c.service, True, 1, "ok") for c in bad])
    probes.probe_minute(at(3, 10, 7))
    suspected.refresh_from_db()
    assert suspected.end == at(3, 10, 7)


def test_real_probe_checks_the_health_view_database_and_broker(db: Any) -> None:
    checks = {c.service: c for c in probes.run_checks()}
    assert set(checks) == {"http", "database", "broker"} and all(c.ok for c in checks.values())


def test_compact_folds_old_probes_into_monthly_aggregates_once(db: Any) -> None:
    for minute in range(3):
        probes.record(datetime(2026, 1, 5, 10, minute, tzinfo=PARIS), [probes.Check("http", minute != 1, 1, "")])
    probes.record(datetime(2026, 5, 5, 10, 0, tzinfo=PARIS), [probes.Check("http", True, 1, "")])
    assert probes.compact(date(2026, 5, 20)) == 3
    assert probes.compact(date(2026, 5, 20)) == 0
    aggregate = ProbeMonth.objects.get()
    assert (aggregate.month, aggregate.probes, aggregate.failures) == (date(2026, 1, 1), 3, 1)
    assert Probe.objects.count() == 1


def test_http_probe_of_an_unreachable_health_url_is_a_failure(db: Any, settings: Any) -> None:
    settings.OFELIA_HEALTH_URL = "http://127.0.0.1:9/healthz"  # nothing listens on the discard port
    checks = {c.service: c for c in probes.run_checks()}
    assert not checks["http"].ok and checks["http"].detail.startswith("erreur : ")
    assert checks["database"].ok
