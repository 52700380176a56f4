"""The availability pages: staff report (month chooser, chart, CSV, grant), incidents,
maintenance form; the client contact's own report; roles and organisations kept apart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ofelia.billing.models import DocumentKind, Invoice
from ofelia.core import clock
from ofelia.notifications.models import SentMail
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member, member_client

from .. import services
from ..models import Incident
from . import factories

PARIS = clock.PARIS
pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=PARIS)


@pytest.fixture
def world(db: Any) -> Any:
    org = factories.hosting_organisation()
    acme = factories.company(org, "Acme", 1)
    contact = make_member(org, Role.CLIENT_CONTACT, company=acme, email="admin@acme.test")
    staff = make_member(org, Role.STAFF)
    factories.consumption_invoice(org, acme, service_end=date(2026, 4, 30), amount="2400.00")
    services.incident_declare(actor=staff, organisation=org, start=datetime(2026, 4, 10, 9, 0, tzinfo=PARIS),
                              end=datetime(2026, 4, 10, 11, 0, tzinfo=PARIS), cause="outage")
    with clock.frozen(NOW):
        yield org, acme, contact, staff


def test_staff_report_chart_csv_and_grant(world: Any) -> None:
    org, acme, _contact, staff = world
    web = member_client(staff, org)
    page = web.get("/gestion/disponibilite/?mois=2026-04")
    text = page.content.decode()
    assert page.status_code == 200 and "Disponibilité du service — avril 2026" in text
    assert "99,7222 %" in text and "<svg" in text and "Accorder l'avoir de 6,67" in text
    csv = web.get("/gestion/disponibilite/?mois=2026-04&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "Acme" in body and "99,7222" in body and "VCL-7" in body
    for _ in range(2):
        answer = web.post("/gestion/disponibilite/avoir/", {"company": acme.pk, "mois": "2026-04"})
        assert answer.status_code == 302 and answer["Location"].endswith("?mois=2026-04")
    assert Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE).count() == 1
    assert "Accordé" in web.get("/gestion/disponibilite/?mois=2026-04").content.decode()


def test_incident_declared_reviewed_and_maintenance_announced_through_the_pages(world: Any) -> None:
    org, acme, _contact, staff = world
    web = member_client(staff, org)
    answer = web.post("/gestion/disponibilite/incidents/nouveau/", {
        "start": "2026-05-03T08:00", "end": "2026-05-03T08:30", "cause": "outage", "services": "extranet",
        "description": "Disque plein", "all_clients": "on"})
    assert answer.status_code == 302
    refused = web.post("/gestion/disponibilite/incidents/nouveau/", {
        "start": "2026-05-03T08:00", "end": "2026-05-03T07:00", "cause": "outage", "all_clients": "on"})
    assert "La fin doit suivre le début." in refused.content.decode()
    suspected = Incident.objects.create(organisation=org, start=NOW, cause="outage", status="suspected")
    web.post("/gestion/disponibilite/incidents/", {"incident": suspected.pk, "action": "dismiss"})
    suspected.refresh_from_db()
    assert suspected.status == "dismissed"
    answer = web.post("/gestion/disponibilite/maintenance/", {
        "start": "2026-05-06T22:00", "end": "2026-05-07T01:00", "services": "classes virtuelles",
        "companies": [acme.pk]})
    assert answer.status_code == 302
    assert SentMail.objects.filter(kind="maintenance_announced", to="admin@acme.test").count() == 1
    listing = web.get("/gestion/disponibilite/incidents/").content.decode()
    assert "Maintenance programmée" in listing and "Disque plein" in listing
    edit = web.get(f"/gestion/disponibilite/incidents/{Incident.objects.get(description='Disque plein').pk}/")
    assert edit.status_code == 200


def test_client_sees_own_report_and_not_the_staff_pages(world: Any) -> None:
    org, acme, contact, staff = world
    services.credit_grant(actor=staff, organisation=org, company_id=acme.pk, month=date(2026, 4, 1))
    web = member_client(contact, org)
    page = web.get("/espace/disponibilite/").content.decode()
    assert "Avril 2026" in page and "99,7222 %" in page and "accordé" in page
    assert web.get("/gestion/disponibilite/").status_code in (302, 403)
    other = factories.hosting_organisation("autre-org")
    outsider = make_member(other, Role.STAFF)
    foreign = member_client(outsider, other).get("/gestion/disponibilite/?mois=2026-04").content.decode()
    assert "Acme" not in foreign
