"""Staff and extranet pages: French, tenant-scoped, thin over the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import mail
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.sales import services

from .conftest import make_contract, make_learner, make_session, make_user


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed(org: Any, admin: Any, client: Any, **kwargs: Any) -> Any:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        return make_contract(org, admin, client=client, **kwargs)


def test_staff_pages_render_in_french(org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    services.enrolment_create(actor=admin, organisation=org, session=session, learner=make_learner(org))
    contract = _signed(org, admin, company, session=session)
    web = _client_for(admin)
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        pipeline = web.get("/ventes/")
        detail = web.get(f"/ventes/contrats/{contract.pk}/")
        sessions = web.get("/ventes/sessions/")
        roster = web.get(f"/ventes/sessions/{session.pk}/")
    assert pipeline.status_code == 200 and "Conventions et contrats" in pipeline.content.decode()
    body = detail.content.decode()
    assert detail.status_code == 200
    assert "Chronologie" in body and "Si le client annulait aujourd'hui" in body
    assert "CAN-D1" in body  # the estimate names its rule
    assert "&quot;case&quot;: &quot;training&quot;" in body  # the prefilled simulation case
    assert sessions.status_code == 200 and "Management d&#x27;équipe" in sessions.content.decode()
    assert roster.status_code == 200 and "1 / 12" in roster.content.decode()


def test_simulation_panel_opened_from_the_contract_gives_the_same_figure(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _signed(org, admin, company, session=make_session(org, start=date(2026, 3, 16)))
    from ofelia.sales import rules_io

    case = rules_io.contract_case(contract, as_of=date(2026, 3, 6))
    case["events"] = [{"type": "cancellation", "by": "client", "on": "2026-03-06", "reason": "other"}]
    import json

    response = _client_for(admin).post("/simulation/run/", {"mode": "json",
                                                            "case_json": json.dumps(case)})
    assert response.status_code == 200
    assert "1 200,00" in response.content.decode() or "1200.00" in response.content.decode()


def test_refused_provider_cancellation_shows_rule_and_changes_nothing(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _signed(org, admin, company, session=make_session(org, start=date(2026, 3, 16)))
    staff = make_user(org, Role.STAFF)
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        response = _client_for(staff).post(
            f"/ventes/contrats/{contract.pk}/evenement/",
            {"type": "cancellation", "on": "2026-03-06", "by": "provider", "reason": "other"},
            follow=True,
        )
    assert "Refusé (PRV-D1)" in response.content.decode()
    assert contract.events.count() == 0


def test_recording_an_event_through_the_page_stores_the_outcome(
    org: Any, admin: Any, company: Any
) -> None:
    contract = _signed(org, admin, company, session=make_session(org, start=date(2026, 3, 16)))
    with clock.frozen(datetime(2026, 3, 6, 9, 0)):
        response = _client_for(admin).post(
            f"/ventes/contrats/{contract.pk}/evenement/",
            {"type": "cancellation", "on": "2026-03-06", "by": "client", "reason": "other"},
            follow=True,
        )
    assert response.status_code == 200
    event = contract.events.get()
    fee = [c for c in event.outcome["charges"] if c["kind"] == "cancellation_fee" and c["payer"] == "client"]
    assert [c["amount"] for c in fee] == ["1200.00"]
    assert "1\xa0200,00\xa0€" in response.content.decode()  # shown the French way


def test_organisation_b_gets_404_on_organisation_a_pages(
    org: Any, admin: Any, company: Any, other_org: Any
) -> None:
    contract = _signed(org, admin, company)
    outsider = _client_for(make_user(other_org, Role.ADMINISTRATOR))
    assert outsider.get(f"/ventes/contrats/{contract.pk}/").status_code == 404
    assert outsider.get(f"/ventes/contrats/{contract.pk}/document.pdf").status_code == 404
    assert outsider.get(f"/ventes/sessions/{contract.session_id}/").status_code == 404
    assert contract.number not in outsider.get("/ventes/").content.decode()


def test_learners_and_clients_cannot_open_staff_pages(org: Any, admin: Any, company: Any) -> None:
    contract = _signed(org, admin, company)
    contact = make_user(org, Role.CLIENT_CONTACT, company=company)
    assert _client_for(contact).get(f"/ventes/contrats/{contract.pk}/").status_code == 403


def test_extranet_consumer_sees_own_contract_documents_and_cancellation_cost(
    org: Any, admin: Any, consumer: Any, company: Any
) -> None:
    user = make_user(org, Role.CONSUMER)
    consumer.user = user
    consumer.save()
    own = _signed(org, admin, consumer, session=make_session(org, start=date(2026, 3, 16),
                                                             price="3000.00", hours="60"))
    other = _signed(org, admin, company)
    web = _client_for(user)
    with clock.frozen(datetime(2026, 2, 1, 9, 0)):
        page = web.get("/espace/formations/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f"/espace/formations/{own.pk}/contrat.pdf" in body
    assert f"/espace/formations/{other.pk}/" not in body
    assert "Combien me coûterait une annulation aujourd" in body
    pdf = web.get(f"/espace/formations/{own.pk}/contrat.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert web.get(f"/espace/formations/{other.pk}/contrat.pdf").status_code == 404
    ics = web.get(f"/espace/formations/{own.pk}/convocation.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_convocation_email_carries_pdf_and_ics(org: Any, admin: Any, company: Any,
                                              django_capture_on_commit_callbacks: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    enrolment = services.enrolment_create(actor=admin, organisation=org, session=session,
                                          learner=make_learner(org, email="anne@example.org"))
    contract = _signed(org, admin, company, session=session)
    contract.enrolments.add(enrolment)
    with django_capture_on_commit_callbacks(execute=True), clock.frozen(datetime(2026, 3, 1, 9, 0)):
        sent = services.convocation_send(actor=admin, contract=contract)
    assert sent == 1
    message = mail.outbox[-1]
    assert message.to == ["anne@example.org"]
    names = {name: mimetype for name, _content, mimetype in message.attachments}
    assert names[f"convocation-{contract.number}.pdf"] == "application/pdf"
    assert names[f"formation-{contract.number}.ics"].startswith("text/calendar")
    assert Decimal(contract.price) == Decimal("2400.00")
