from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse

from ofelia.core import audit, clock
from ofelia.core.models import AuditEntry, AuditLogImmutable
from ofelia.organisations import services
from ofelia.organisations.models import Role
from ofelia.organisations.testing import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def test_audit_service_write_records_actor_instant_object_and_change(org_a, admin_a):
    with clock.frozen(datetime(2026, 3, 2, 9, 30)):
        company = services.client_company_create(
            actor=admin_a, organisation=org_a, name="ACME", city="Lyon"
        )
    entry = AuditEntry.objects.for_organisation(org_a).get(action="client_company.create")
    assert entry.actor == admin_a
    assert entry.actor_repr == admin_a.username
    assert entry.object_type == "organisations.clientcompany"
    assert entry.object_id == str(company.pk)
    assert entry.object_repr == "ACME"
    assert entry.before is None
    assert entry.after["name"] == "ACME" and entry.after["city"] == "Lyon"
    assert entry.instant == datetime(2026, 3, 2, 9, 30, tzinfo=clock.PARIS)


def test_audit_update_records_only_changed_fields(org_a, admin_a):
    company = services.client_company_create(actor=admin_a, organisation=org_a, name="ACME")
    services.client_company_update(actor=admin_a, company=company, name="ACME SAS", city="Lyon")
    entry = AuditEntry.objects.get(action="client_company.update")
    assert entry.before == {"name": "ACME", "city": ""}
    assert entry.after == {"name": "ACME SAS", "city": "Lyon"}


def test_audit_no_row_when_nothing_changed(org_a, admin_a):
    company = services.client_company_create(actor=admin_a, organisation=org_a, name="ACME")
    before = AuditEntry.objects.count()
    services.client_company_update(actor=admin_a, company=company, name="ACME")
    assert AuditEntry.objects.count() == before


def test_audit_entries_are_immutable_at_model_and_queryset_level(org_a, admin_a):
    entry = audit.record(actor=admin_a, organisation=org_a, action="test.action")
    entry.action = "tampered"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_audit_failed_service_leaves_no_row_and_no_object(org_a, admin_a):
    count = AuditEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - the validation error type is Django's
        services.client_company_create(actor=admin_a, organisation=org_a, name="X", siret="123")
    assert AuditEntry.objects.count() == count
    assert not org_a.memberships.filter(company__name="X").exists()


def test_audit_records_client_ip_from_request(client, org_a, admin_a):
    client.login(username=admin_a.username, password=PASSWORD)
    response = client.post(
        reverse("client-company-create"), {"name": "Par la page"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="client_company.create", object_repr="Par la page")
    assert entry.ip_address == "203.0.113.7"


def test_audit_log_page_visible_to_administrator_only(client, org_a, admin_a):
    staff = make_member(org_a, Role.STAFF)
    audit.record(actor=admin_a, organisation=org_a, action="visible.action")
    client.force_login(admin_a)
    response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    assert "visible.action" in response.content.decode()
    client.force_login(staff)
    response = client.get(reverse("audit-log"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_audit_log_page_shows_only_own_organisation(client, org_a, org_b, admin_a):
    audit.record(actor=None, organisation=org_b, action="secret.of.b")
    client.force_login(admin_a)
    body = client.get(reverse("audit-log")).content.decode()
    assert "secret.of.b" not in body


def test_audit_log_filter_and_csv_export(client, org_a, admin_a):
    with clock.frozen(datetime(2026, 1, 10, 12, 0)):
        audit.record(actor=admin_a, organisation=org_a, action="alpha.one", object_repr="Premier")
    with clock.frozen(datetime(2026, 2, 10, 12, 0)):
        audit.record(actor=admin_a, organisation=org_a, action="beta.two", object_repr="Deuxième")
    client.force_login(admin_a)
    body = client.get(reverse("audit-log"), {"action": "beta.two"}).content.decode()
    assert "Deuxième" in body and "Premier" not in body
    body = client.get(reverse("audit-log"), {"date_to": "2026-01-31"}).content.decode()
    assert "Premier" in body and "Deuxième" not in body
    response = client.get(reverse("audit-log"), {"action": "alpha.one", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["instant", "actor_repr", "action"]
    assert [row[2] for row in rows[1:]] == ["alpha.one"]
    assert rows[1][0] == "2026-01-10T12:00:00+01:00"
