"""ACC-6: personal data rights. The person sees what the organisation holds, takes a JSON
copy and files requests answered within the RGPD deadline; invoices outlive an erasure for
their legal period; staff answer once, refusals carry a reason; each side sees its own."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import make_member
from ofelia.privacy import services
from ofelia.privacy.models import DataRequest
from ofelia.rules.accounts import DATA_RIGHTS

MY_DATA = "/espace/mes-donnees/"
EXPORT = "/espace/mes-donnees/mes-donnees.json"
STAFF_LIST = "/gestion/donnees-personnelles/"


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


def _file(org: Organisation, user: Any, right: str = "access", message: str = "",
          on: datetime = datetime(2026, 1, 10, 10, 0)) -> DataRequest:
    with clock.frozen(on):
        return services.data_request_file(actor=user, organisation=org, user=user, right=right,
                                          message=message)


def _consumer_with_invoice(org: Organisation, issued_on: date) -> Any:
    from ofelia.billing.services import invoice_create_draft, invoice_issue

    org_services.organisation_update(actor=None, organisation=org, address_line1="1 quai Ligny",
                                     postal_code="49000", city="Angers")
    user = make_member(org, Role.CONSUMER, email="claire@exemple.test", first_name="Claire",
                       last_name="Martin")
    consumer = org_services.consumer_client_create(
        actor=None, organisation=org, user=user, civility="mme", first_name="Claire",
        last_name="Martin", email="claire@exemple.test", phone="06 12 34 56 78",
        address_line1="3 rue des Lices", postal_code="49100", city="Angers")
    draft = invoice_create_draft(
        actor=None, organisation=org, buyer_kind="consumer", consumer_client=consumer,
        buyer_name=str(consumer), buyer_address="3 rue des Lices\n49100 Angers",
        policy_id=org.policy_id, late_penalty_rule="PEN-D1", payment_delay_days=0,
        service_start=issued_on, service_end=issued_on, payment_terms="Paiement à réception", late_penalty_mention="Pénalités de retard (CGV)",
        lines=[{"description": "Formation bureautique", "quantity": "1", "unit_price": "600.00"}])
    invoice = invoice_issue(actor=None, invoice=draft, issue_date=issued_on)
    return user, invoice


def test_acc_6_rights_are_those_of_the_rules_core_with_french_labels() -> None:
    assert tuple(DataRequest.Right.values) == DATA_RIGHTS
    assert DataRequest.Right.ERASURE.label == "Effacement"
    assert DataRequest.Right.PORTABILITY.label == "Portabilité"


def test_acc_6_filing_sets_the_rgpd_deadlines_from_the_reception_day_and_is_audited(org_a: Any) -> None:
    learner = make_member(org_a, Role.LEARNER)
    with clock.frozen(datetime(2026, 1, 31, 9, 0)):
        page = _web(learner).post(MY_DATA, {"right": "erasure", "message": "Merci d'effacer mon compte."},
                                  follow=True)
    body = page.content.decode()
    assert "réponse au plus tard le 28 février 2026" in body  # one month, clamped to month end
    request = DataRequest.objects.get()
    assert (request.organisation_id, request.user_id, request.right) == (org_a.pk, learner.pk, "erasure")
    assert request.received_on == date(2026, 1, 31)
    assert request.answer_by == date(2026, 2, 28)
    assert request.extended_answer_by == date(2026, 4, 30)  # plus two months (RGPD art. 12.3)
    assert request.status == DataRequest.Status.OPEN and request.person_email == learner.email
    entry = AuditEntry.objects.get(action="data_request.file")
    assert entry.actor_id == learner.pk and entry.organisation_id == org_a.pk
    assert entry.after["right"] == "erasure"
    assert "prolongeable jusqu'au 30 avril 2026" in body and "Effacement" in body


def test_acc_6_unknown_right_is_refused_in_french_and_nothing_is_written(org_a: Any) -> None:
    learner = make_member(org_a, Role.LEARNER)
    before = AuditEntry.objects.count()
    page = _web(learner).post(MY_DATA, {"right": "forget-me", "message": "x"})
    assert page.status_code == 200
    assert "Droit inconnu : choisissez accès, rectification, effacement" in page.content.decode()
    with pytest.raises(ValidationError, match="Droit inconnu"):
        services.data_request_file(actor=learner, organisation=org_a, user=learner, right="forget-me")
    assert not DataRequest.objects.exists() and AuditEntry.objects.count() == before


def test_acc_6_rectification_needs_a_message_other_rights_do_not(org_a: Any) -> None:
    learner = make_member(org_a, Role.LEARNER)
    page = _web(learner).post(MY_DATA, {"right": "rectification", "message": "   "})
    assert "Pour une rectification, indiquez les données inexactes" in page.content.decode()
    assert not DataRequest.objects.exists()
    for right in ("access", "erasure", "restriction", "objection", "portability"):
        assert _web(learner).post(MY_DATA, {"right": right}).status_code == 302
    _web(learner).post(MY_DATA, {"right": "rectification", "message": "Mon nom s'écrit Lefèvre."})
    assert DataRequest.objects.count() == 6


def test_acc_6_the_page_shows_held_data_and_invoices_kept_until_their_legal_period(org_a: Any) -> None:
    user, invoice = _consumer_with_invoice(org_a, date(2026, 3, 15))
    body = _web(user).get(MY_DATA).content.decode()
    for held in ("Claire Martin", "claire@exemple.test", "06 12 34 56 78", "3 rue des Lices",
                 "Fiche client particulier", invoice.number, "Télécharger mes données (JSON)"):
        assert held in body, held
    assert f"n° {invoice.number} : conservée jusqu'au 15 mars 2036" in body  # 10 years
    assert "ACC-6" in body and "L123-22" in body


def test_acc_6_json_download_is_an_attachment_with_the_persons_data_and_is_audited(org_a: Any) -> None:
    user, invoice = _consumer_with_invoice(org_a, date(2026, 3, 15))
    neighbour = make_member(org_a, Role.CONSUMER, email="voisin@exemple.test")
    _file(org_a, neighbour, "access")
    _file(org_a, user, "portability")
    response = _web(user).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-org-a-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "claire@exemple.test"
    assert data["consumer_records"][0]["phone"] == "06 12 34 56 78"
    assert data["invoices"] == [{"number": invoice.number, "kind": "Facture", "issue_date": "2026-03-15",
                                 "total_incl_vat": "600.00", "kept_until": "2036-03-15"}]
    assert [r["right"] for r in data["data_requests"]] == ["Portabilité"]
    assert "voisin@exemple.test" not in response.content.decode()
    entry = AuditEntry.objects.get(action="personal_data.export")
    assert entry.actor_id == user.pk and entry.object_id == str(user.pk)


def test_acc_6_staff_list_flags_open_requests_past_their_deadline_and_filters(org_a: Any, admin_a: Any) -> None:
    person = make_member(org_a, Role.LEARNER, first_name="Paul", last_name="Durand")
    late = _file(org_a, person, "access", on=datetime(2026, 1, 10, 9, 0))      # due 10/02
    due_today = _file(org_a, person, "objection", on=datetime(2026, 1, 11, 9, 0))  # due 11/02
    answered = _file(org_a, person, "restriction", on=datetime(2026, 1, 5, 9, 0))
    services.data_request_answer(actor=admin_a, request=answered, status="answered", answer="Fait.")
    today = date(2026, 2, 11)
    assert late.is_overdue(today) and not due_today.is_overdue(today)
    answered.refresh_from_db()
    assert not answered.is_overdue(today)  # answered requests are never late
    with clock.frozen(datetime(2026, 2, 11, 9, 0)):
        page = _web(admin_a).get(STAFF_LIST)
        everything = _web(admin_a).get(STAFF_LIST + "?etat=toutes").content.decode()
    rows = {row["request"].pk: row["overdue"] for row in page.context["rows"]}
    assert rows == {late.pk: True, due_today.pk: False}
    assert page.content.decode().count("en retard") == 1 and "Paul Durand" in page.content.decode()
    assert "Limitation du traitement" in everything and "Répondue le" in everything


def test_acc_6_csv_export_lists_the_requests_with_the_overdue_flag(org_a: Any, admin_a: Any) -> None:
    person = make_member(org_a, Role.LEARNER, first_name="Paul", last_name="Durand")
    request = _file(org_a, person, "erasure", on=datetime(2026, 1, 10, 9, 0))
    with clock.frozen(datetime(2026, 3, 1, 9, 0)):
        response = _web(admin_a).get(STAFF_LIST + "?etat=toutes&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="demandes-rgpd-org-a-')
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["n°", "personne", "courriel", "droit"]
    assert rows[1] == [str(request.pk), "Paul Durand", person.email, "Effacement", "2026-01-10",
                       "2026-02-10", "2026-04-10", "En attente de réponse", "oui", "", ""]


def test_acc_6_staff_answer_once_refusal_needs_a_reason_and_the_person_sees_it(org_a: Any, admin_a: Any) -> None:
    person = make_member(org_a, Role.CONSUMER)
    request = _file(org_a, person, "objection", message="Plus de courriels commerciaux.")
    url = f"{STAFF_LIST}{request.pk}/"
    before = AuditEntry.objects.count()
    refused = _web(admin_a).post(url, {"status": "refused", "answer": "  "})
    assert "Indiquez le motif du refus" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == "open" and AuditEntry.objects.count() == before
    bad = _web(admin_a).post(url, {"status": "maybe", "answer": "x"})
    assert "Choisissez « répondue » ou « refusée »" in bad.content.decode()
    with clock.frozen(datetime(2026, 1, 20, 9, 0)):
        _web(admin_a).post(url, {"status": "refused", "answer": "Facturation en cours : obligation légale."})
    request.refresh_from_db()
    assert (request.status, request.answered_on, request.handled_by_id) == ("refused", date(2026, 1, 20), admin_a.pk)
    entry = AuditEntry.objects.get(action="data_request.refused")
    assert entry.before["status"] == "open" and entry.after["status"] == "refused"
    again = _web(admin_a).post(url, {"status": "answered", "answer": "Finalement oui."})
    assert "déjà reçu une réponse le 20 janvier 2026" in again.content.decode()
    request.refresh_from_db()
    assert request.status == "refused" and request.answer == "Facturation en cours : obligation légale."
    assert AuditEntry.objects.filter(action__startswith="data_request.answer").count() == 0
    mine = _web(person).get(MY_DATA).content.decode()
    assert "Refusée le 20 janvier 2026" in mine and "obligation légale" in mine


def test_acc_6_erasure_request_shows_staff_the_invoices_kept_and_until_when(org_a: Any, admin_a: Any) -> None:
    user, invoice = _consumer_with_invoice(org_a, date(2026, 3, 15))
    request = _file(org_a, user, "erasure", on=datetime(2026, 4, 1, 9, 0))
    body = _web(admin_a).get(f"{STAFF_LIST}{request.pk}/").content.decode()
    assert f"n° {invoice.number} du 15 mars 2026 : conservée jusqu'au 15 mars 2036" in body
    assert "ACC-6" in body and "RGPD, art. 12.3" in body


def test_acc_6_a_person_sees_only_their_own_requests_and_data(org_a: Any, org_b: Any) -> None:
    me = make_member(org_a, Role.LEARNER, email="moi@exemple.test")
    other = make_member(org_a, Role.LEARNER, email="autre@exemple.test")
    _file(org_a, me, "access", message="Ma demande à moi")
    _file(org_a, other, "erasure", message="Demande de quelqu'un d'autre")
    # The same person in another organisation: that organisation's request is not shown here.
    org_services.membership_grant(actor=None, organisation=org_b, user=me, role=Role.LEARNER)
    _file(org_b, me, "objection", message="Demande faite à l'organisme B")
    web = _web(me)
    web.post("/organisation/choisir/", {"organisation": org_a.pk})
    page = web.get(MY_DATA)
    body = page.content.decode()
    assert [r.message for r in page.context["requests"]] == ["Ma demande à moi"]
    assert "autre@exemple.test" not in body and "quelqu&#x27;un d&#x27;autre" not in body
    assert "organisme B" not in body
    data = json.loads(web.get(EXPORT).content)
    assert [r["message"] for r in data["data_requests"]] == ["Ma demande à moi"]
    assert data["organisation"]["name"] == org_a.legal_name


def test_acc_6_staff_see_only_their_organisations_requests(org_a: Any, org_b: Any, admin_a: Any,
                                                         staff_b: Any) -> None:
    request_a = _file(org_a, make_member(org_a, Role.LEARNER, email="pers-a@exemple.test"))
    _file(org_b, make_member(org_b, Role.LEARNER, email="pers-b@exemple.test"))
    listing = _web(staff_b).get(STAFF_LIST + "?etat=toutes").content.decode()
    assert "pers-b@exemple.test" in listing and "pers-a@exemple.test" not in listing
    exported = _web(staff_b).get(STAFF_LIST + "?etat=toutes&format=csv").content.decode()
    assert "pers-b@exemple.test" in exported and "pers-a@exemple.test" not in exported
    assert "pers-a@exemple.test" in _web(admin_a).get(STAFF_LIST).content.decode()
    staff_a = make_member(org_a, Role.STAFF)
    assert _web(staff_a).get(f"{STAFF_LIST}{request_a.pk}/").status_code == 200


def test_acc_6_another_organisations_request_id_is_404(org_a: Any, org_b: Any, staff_b: Any) -> None:
    request_a = _file(org_a, make_member(org_a, Role.LEARNER))
    url = f"{STAFF_LIST}{request_a.pk}/"
    assert _web(staff_b).get(url).status_code == 404
    assert _web(staff_b).post(url, {"status": "answered", "answer": "x"}).status_code == 404
    request_a.refresh_from_db()
    assert request_a.status == "open"


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER])
def test_acc_6_extranet_roles_get_403_on_staff_pages_and_reach_their_own(org_a: Any, role: str) -> None:
    member = make_member(org_a, role)
    request = _file(org_a, member)
    web = _web(member)
    assert web.get(MY_DATA).status_code == 200
    assert web.get(EXPORT).status_code == 200
    assert web.get(STAFF_LIST).status_code == 403
    assert web.get(STAFF_LIST + "?format=csv").status_code == 403
    assert web.post(f"{STAFF_LIST}{request.pk}/", {"status": "answered"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "open"


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.STAFF])
def test_acc_6_staff_roles_get_403_on_the_extranet_page(org_a: Any, role: str) -> None:
    web = _web(make_member(org_a, role))
    assert web.get(MY_DATA).status_code == 403
    assert web.post(MY_DATA, {"right": "access"}).status_code == 403
    assert web.get(EXPORT).status_code == 403
    assert not DataRequest.objects.exists()


def test_acc_6_anonymous_visitors_are_sent_to_the_login_page(db: Any) -> None:
    for url in (MY_DATA, EXPORT, STAFF_LIST):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/?next=")


def test_acc_6_audit_actions_read_in_french() -> None:
    from ofelia.core.audit_labels import action_label

    assert action_label("data_request.file") == "Demande sur des données personnelles (ACC-6)"
    assert action_label("data_request.refused").startswith("Refus motivé")
    assert action_label("personal_data.export") == "Export des données personnelles (portabilité)"


def test_acc_6_extension_within_the_first_month_moves_the_deadline_two_months(org_a: Any,
                                                                            admin_a: Any) -> None:
    person = make_member(org_a, Role.LEARNER)
    request = _file(org_a, person, "portability", on=datetime(2026, 1, 10, 9, 0))  # due 10/02
    url = f"{STAFF_LIST}{request.pk}/"
    with clock.frozen(datetime(2026, 2, 10, 9, 0)):  # the last day of the first month
        _web(admin_a).post(url, {"action": "extend", "reason": "Historique de 8 ans à extraire."})
    request.refresh_from_db()
    assert request.extended_on == date(2026, 2, 10) and request.due_by == date(2026, 4, 10)
    assert not request.is_overdue(date(2026, 4, 10)) and request.is_overdue(date(2026, 4, 11))
    assert AuditEntry.objects.filter(action="data_request.extend", object_id=str(request.pk)).exists()
    with clock.frozen(datetime(2026, 2, 11, 9, 0)):
        seen = _web(person).get(MY_DATA).content.decode()
    assert "Historique de 8 ans à extraire." in seen and "10/04/2026" in seen


@pytest.mark.parametrize("reason, when, message", [
    ("", datetime(2026, 1, 20, 9, 0), "pourquoi le délai est prolongé"),
    ("Trop tard.", datetime(2026, 2, 11, 9, 0), "Trop tard pour prolonger"),
])
def test_acc_6_extension_needs_a_reason_and_the_first_month_nothing_written_otherwise(
        org_a: Any, admin_a: Any, reason: str, when: datetime, message: str) -> None:
    request = _file(org_a, make_member(org_a, Role.LEARNER), "access", on=datetime(2026, 1, 10, 9, 0))
    before = AuditEntry.objects.count()
    with clock.frozen(when):
        page = _web(admin_a).post(f"{STAFF_LIST}{request.pk}/", {"action": "extend", "reason": reason},
                                  follow=True).content.decode()
    assert message in page
    request.refresh_from_db()
    assert request.extended_on is None and AuditEntry.objects.count() == before


def test_acc_6_extension_only_once_and_not_after_the_answer(org_a: Any, admin_a: Any) -> None:
    request = _file(org_a, make_member(org_a, Role.LEARNER), "access", on=datetime(2026, 1, 10, 9, 0))
    with clock.frozen(datetime(2026, 1, 20, 9, 0)):
        services.data_request_extend(actor=admin_a, request=request, reason="Volume important.")
        with pytest.raises(ValidationError, match="déjà été prolongé"):
            services.data_request_extend(actor=admin_a, request=request, reason="Encore.")
        other = _file(org_a, make_member(org_a, Role.LEARNER), "access", on=datetime(2026, 1, 15, 9, 0))
        services.data_request_answer(actor=admin_a, request=other, status="answered", answer="Fait.")
        with pytest.raises(ValidationError, match="déjà reçu une réponse"):
            services.data_request_extend(actor=admin_a, request=other, reason="Volume.")
