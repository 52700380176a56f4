"""`/api/v1/tickets`: a client's administrator opens and lists tickets, with the deadlines of
the simulation; staff record steps; nobody sees another organisation's or company's tickets."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.test import Client

from ofelia.core import clock
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member, make_organisation
from ofelia.support.models import Ticket

PARIS = clock.PARIS


def _client_contact(org: Any, name: str) -> Any:
    company = org_services.client_company_create(actor=None, organisation=org, name=name)
    return make_member(org, Role.CLIENT_CONTACT, company=company)


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def _post(web: Client, url: str, body: dict[str, Any]) -> Any:
    return web.post(url, json.dumps(body), content_type="application/json")


def test_sup_2_api_create_list_steps_and_scoping(db: Any) -> None:
    org = make_organisation(policy_id="virtualeo")
    contact = _client_contact(org, "Client SA")
    staff = make_member(org, Role.STAFF)
    web = _web(contact)
    with clock.frozen(datetime(2026, 3, 6, 17, 50, tzinfo=PARIS)):
        created = _post(web, "/api/v1/tickets", {"priority": "critical", "subject": "Panne",
                                                 "description": "Plus rien ne marche."})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["take_charge_by"].startswith("2026-03-09T08:35:00")
    assert body["policy"] == "virtualeo" and body["breaches"] == []

    refused = _post(web, "/api/v1/tickets", {"priority": "bloquante", "subject": "x", "description": "y"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "priority" and "SUP-1" in refused.json()["detail"]
    assert Ticket.objects.count() == 1

    listed = web.get("/api/v1/tickets")
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [body["id"]]

    # Staff may not declare; they record the steps.
    assert _post(_web(staff), "/api/v1/tickets", {"priority": "minor", "subject": "a",
                                                  "description": "b"}).status_code == 403
    with clock.frozen(datetime(2026, 3, 9, 8, 30, tzinfo=PARIS)):
        taken = _post(_web(staff), f"/api/v1/tickets/{body['id']}/steps", {"step": "take"})
    assert taken.status_code == 200 and taken.json()["taken_at"].startswith("2026-03-09T08:30")
    assert _post(web, f"/api/v1/tickets/{body['id']}/steps", {"step": "take"}).status_code == 403

    # Another company of the same organisation, another organisation: nothing visible.
    neighbour = _web(_client_contact(org, "Voisin SA"))
    assert neighbour.get("/api/v1/tickets").json() == []
    assert neighbour.get(f"/api/v1/tickets/{body['id']}").status_code == 404
    other = make_organisation(policy_id="virtualeo")
    outsider = _web(make_member(other, Role.STAFF))
    assert outsider.get("/api/v1/tickets").json() == []
    assert outsider.get(f"/api/v1/tickets/{body['id']}").status_code == 404
    assert _post(outsider, f"/api/v1/tickets/{body['id']}/steps", {"step": "take"}).status_code == 404
