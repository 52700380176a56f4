"""Complaints register and improvement actions (issue 11 item 5): lodged from the extranet,
recorded by staff, answered, closed; every change audited; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.attendance.tests.conftest import make_user, make_world
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Membership, Role
from ofelia.quality import services
from ofelia.quality.models import Complaint, ImprovementAction
from ofelia.sales.models import ContractEvent

from .conftest import Year


def _membership(user: Any) -> Membership:
    return user.memberships.get()


def test_client_lodges_from_the_extranet_and_it_lands_in_the_register(year: Year, client: Client) -> None:
    client.force_login(year.contact_user)
    page = client.get("/espace/reclamations/")
    assert page.status_code == 200 and "C-1" in page.content.decode()
    response = client.post("/espace/reclamations/", {
        "subject": "Formateur absent", "description": "Le formateur est arrivé à 11 h.",
        "contract": str(year.conv_a.pk), "concerns_delivery": "on"})
    assert response.status_code == 302
    complaint = Complaint.objects.get(organisation=year.world.org)
    assert (complaint.number, complaint.channel, complaint.contract_id, complaint.client_company_id) == (
        1, "extranet", year.conv_a.pk, year.company_a.pk)
    assert complaint.answer_due_on == complaint.received_on + timedelta(days=services.DEFAULT_ANSWER_DAYS)
    assert AuditEntry.objects.filter(action="complaint.create", object_id=str(complaint.pk)).exists()
    assert "Formateur absent" in client.get("/espace/reclamations/").content.decode()


def test_client_cannot_name_another_clients_contract(year: Year) -> None:
    other = year.session2.contracts.get()  # Beta Formation's convention
    with pytest.raises(ValidationError) as refused:
        services.complaint_lodge(actor=year.contact_user, organisation=year.world.org,
                                 membership=_membership(year.contact_user), subject="x",
                                 description="y", contract=other.pk)
    assert "pas le vôtre" in str(refused.value)
    assert not Complaint.objects.exists()


def test_consumer_lodges_and_sees_only_their_own(year: Year, client: Client) -> None:
    services.complaint_lodge(actor=year.contact_user, organisation=year.world.org,
                             membership=_membership(year.contact_user), subject="Société",
                             description="...")
    client.force_login(year.consumer_user)
    client.post("/espace/reclamations/", {"subject": "Salle trop froide", "description": "Brr."})
    mine = client.get("/espace/reclamations/").content.decode()
    assert "Salle trop froide" in mine and "Société" not in mine
    assert Complaint.objects.get(subject="Salle trop froide").consumer_client == year.consumer


def test_staff_answer_set_deadline_and_close_each_audited(year: Year, client: Client) -> None:
    org, admin = year.world.org, year.world.admin
    ContractEvent.objects.create(organisation=org, contract=year.conv_a, type="delivery",
                                 on=date(2026, 3, 16))
    complaint = services.complaint_record(
        actor=admin, organisation=org, complainant="M. Client", channel="phone",
        subject="Retard de livraison", description="Support non reçu.", received_on=date(2026, 3, 20),
        contract_number="C-1", concerns_delivery=True)
    client.force_login(admin)
    page = client.get(f"/gestion/qualite/reclamations/{complaint.pk}/").content.decode()
    assert "PRV-F1" in page and "16/03/2026" in page  # the contract's delivery fact
    # closing before an answer is refused, nothing changes
    client.post(f"/gestion/qualite/reclamations/{complaint.pk}/", {"step": "close"})
    complaint.refresh_from_db()
    assert complaint.status == "received"
    client.post(f"/gestion/qualite/reclamations/{complaint.pk}/",
                {"step": "deadline", "answer_due_on": "2026-03-25"})
    client.post(f"/gestion/qualite/reclamations/{complaint.pk}/",
                {"step": "answer", "answer": "Le support vous est renvoyé."})
    client.post(f"/gestion/qualite/reclamations/{complaint.pk}/", {
        "step": "action", "title": "Vérifier les envois", "owner": "Responsable qualité",
        "due_on": "2026-04-30", "status": "planned"})
    client.post(f"/gestion/qualite/reclamations/{complaint.pk}/",
                {"step": "close", "closing_note": "Client satisfait."})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.answer_due_on, complaint.answered_by) == (
        "closed", date(2026, 3, 25), admin)
    action = ImprovementAction.objects.get(complaint=complaint)
    assert action.owner == "Responsable qualité"
    actions = set(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True))
    assert {"complaint.create", "complaint.deadline", "complaint.answer", "complaint.close",
            "improvement_action.create"} <= actions
    with pytest.raises(ValidationError):
        services.complaint_answer(actor=admin, organisation=org, pk=complaint.pk, answer="Encore")
    response = client.post(f"/gestion/qualite/actions/{action.pk}/", {
        "title": action.title, "owner": action.owner, "due_on": "2026-04-30", "status": "done",
        "outcome": "Contrôle ajouté."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.done_on is not None
    assert AuditEntry.objects.filter(action="improvement_action.update").exists()


def test_bad_input_is_refused_in_french_and_changes_nothing(year: Year, client: Client) -> None:
    org, admin = year.world.org, year.world.admin
    with pytest.raises(ValidationError) as refused:
        services.complaint_record(actor=admin, organisation=org, complainant=" ", channel="pigeon",
                                  subject="", description="x", received_on=date(2999, 1, 1),
                                  contract_number="NOPE")
    assert set(refused.value.message_dict) == {"complainant", "channel", "subject", "received_on",
                                               "contract_number"}
    client.force_login(admin)
    response = client.post("/gestion/qualite/reclamations/nouvelle/", {"complainant": "A"})
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_register_is_for_administrators_and_scoped_to_the_organisation(year: Year, client: Client) -> None:
    org = year.world.org
    complaint = services.complaint_record(actor=year.world.admin, organisation=org, complainant="X",
                                          channel="email", subject="S", description="D",
                                          received_on=date(2026, 3, 1))
    staff = make_user(org, Role.STAFF)
    client.force_login(staff)
    assert client.get("/gestion/qualite/reclamations/").status_code == 403
    assert client.get("/gestion/qualite/bpf/").status_code == 200
    other = make_world("autre")
    client.force_login(other.admin)
    assert client.get(f"/gestion/qualite/reclamations/{complaint.pk}/").status_code == 404
    assert "S" not in [c.subject for c in Complaint.objects.for_organisation(other.org)]
    client.force_login(other.learner_user)
    assert client.get("/espace/reclamations/").status_code == 403
