"""Enrolment from the session page (issue 9, item 2): search and add learners, waiting list,
removal (a cancellation of the signed contract, CAN-D1, with its outcome shown first),
transfer (PRV-D4 for a signed contract), and convocations refused once the session started."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import Role
from ofelia.sales import services
from ofelia.sales.models import Contract, ContractEvent
from ofelia.sales.services import enrolments

from .conftest import make_contract, make_learner, make_organisation, make_session, make_user

START = date(2026, 3, 16)
TODAY = datetime(2026, 3, 1, 9, 0)  # 14 jours francs before the start: CAN-D1 charges 50 %


def _web(user: Any) -> Client:
    web = Client()
    web.force_login(user)
    return web


class _Page(str):
    """A page's text (entities decoded), with its status code."""

    status_code: int


def _page(response: Any) -> _Page:
    text = html.unescape(response.content.decode())
    page = _Page(text.replace("\u202f", " ").replace("\xa0", " "))
    page.status_code = response.status_code
    return page


def _get(web: Client, url: str, data: Any = None) -> _Page:
    return _page(web.get(url, data))


def _post(web: Client, url: str, data: Any = None) -> _Page:
    return _page(web.post(url, data, follow=True))


def _later(session: Any, capacity: int = 5) -> TrainingSession:
    return TrainingSession.objects.create(
        organisation=session.organisation, training=session.training, place="Lyon",
        start_date=date(2026, 4, 13), end_date=date(2026, 4, 13), capacity=capacity)


def _enrol(org: Any, admin: Any, session: Any, **learner: Any) -> Enrolment:
    return services.enrolment_create(actor=admin, organisation=org, session=session,
                                     learner=make_learner(org, **learner))


def _signed_for(org: Any, admin: Any, company: Any, session: Any, *enrolled: Enrolment) -> Contract:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contract = make_contract(org, admin, client=company, session=session)
    contract.enrolments.add(*enrolled)
    return contract


def _state() -> list[Any]:
    return [sorted(Enrolment.objects.values_list("id", "session_id", "status")),
            sorted(Contract.objects.values_list("id", "session_id", "status")),
            ContractEvent.objects.count()]


# --- convocations --------------------------------------------------------------------------

def test_convocations_refused_from_the_first_day_of_the_session_included(
        org: Any, admin: Any, company: Any, django_capture_on_commit_callbacks: Any) -> None:
    session = make_session(org, start=START, end=date(2026, 3, 18))
    contract = _signed_for(org, admin, company, session, _enrol(org, admin, session))
    web = _web(admin)
    with clock.frozen(datetime(2026, 3, 15, 18, 0)), \
            django_capture_on_commit_callbacks(execute=True):
        assert services.convocation_send(actor=admin, contract=contract) == 1
        assert "Envoyer les convocations" in _get(web, f"/ventes/sessions/{session.pk}/")
    for day in (START, date(2026, 3, 20)):
        with clock.frozen(datetime.combine(day, datetime.min.time())):
            for send in (lambda: services.convocation_send(actor=admin, contract=contract),
                         lambda: services.session_convocations_send(actor=admin, session=session)):
                with pytest.raises(ValidationError, match="la session a commencé le 16 mars 2026"):
                    send()
            roster = _get(web, f"/ventes/sessions/{session.pk}/")
            page = _get(web, f"/ventes/contrats/{contract.pk}/")
            posted = _post(web, f"/ventes/sessions/{session.pk}/convocations/")
        assert "la session a commencé le 16 mars 2026" in roster
        assert "Envoyer la convocation" not in roster and "Transférer" not in roster
        assert "Envoyer les convocations" not in roster
        assert "la session a commencé le 16 mars 2026" in page
        assert "Convocations refusées" in posted
    assert len(mail.outbox) == 1


# --- search and add ------------------------------------------------------------------------

def test_search_finds_the_organisations_learners_by_name_or_email_prefix_marked_if_enrolled(
        org: Any, other_org: Any, admin: Any) -> None:
    session = make_session(org)
    anne = make_learner(org, first_name="Anne", last_name="Leroy", email="a.leroy@acme.example")
    _enrol(org, admin, session, first_name="Annie", last_name="Martin", email="am@x.example")
    make_learner(other_org, first_name="Anne", last_name="Leroy", email="foreign@x.example")
    web = _web(admin)
    found = _get(web, f"/ventes/sessions/{session.pk}/stagiaires/", {"q": "anne ler"})
    assert "Anne Leroy" in found and "foreign@" not in found and "Annie" not in found
    assert f'value="{anne.pk}"' in found
    by_mail = _get(web, f"/ventes/sessions/{session.pk}/stagiaires/", {"q": "A.LEROY@"})
    assert "Anne Leroy" in by_mail
    both = _get(web, f"/ventes/sessions/{session.pk}/stagiaires/", {"q": "ann"})
    assert "déjà confirmé(e)" in both and "Annie Martin" in both
    assert "au moins 2 caractères" in _get(web, f"/ventes/sessions/{session.pk}/stagiaires/",
                                              {"q": "a"})
    assert "ne correspond" in _get(web, f"/ventes/sessions/{session.pk}/stagiaires/",
                                      {"q": "zzz"})
    fallback = _get(web, f"/ventes/sessions/{session.pk}/", {"q": "leroy"})
    assert "a.leroy@acme.example" in fallback


def test_search_shows_at_most_ten_and_says_there_are_more(
        org: Any, admin: Any, django_assert_max_num_queries: Any) -> None:
    session = make_session(org)
    for _ in range(12):
        make_learner(org, last_name="Dupont")
    web = _web(admin)
    with django_assert_max_num_queries(8):
        found = _get(web, f"/ventes/sessions/{session.pk}/stagiaires/", {"q": "dup"})
    assert found.count("Inscrire</button>") == 10 and "précisez la recherche" in found


def test_add_confirms_while_seats_remain_then_waitlists_with_the_position(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, capacity=1)
    employee = make_learner(org, company=company)
    alone, second = make_learner(org), make_learner(org)
    web = _web(admin)
    first = _post(web, f"/ventes/sessions/{session.pk}/inscrire/", {"learner": employee.pk})
    assert "place confirmée" in first
    _post(web, f"/ventes/sessions/{session.pk}/inscrire/", {"learner": alone.pk})
    queued = _post(web, f"/ventes/sessions/{session.pk}/inscrire/", {"learner": second.pk})
    assert "liste d'attente (position 2)" in queued
    assert list(Enrolment.objects.filter(session=session).order_by("id")
                .values_list("status", flat=True)) == ["confirmed", "waitlisted", "waitlisted"]
    alone.refresh_from_db()
    employee.refresh_from_db()
    assert alone.consumer is not None and alone.consumer.email == alone.email  # a consumer now
    assert employee.consumer_id is None  # enrolled for the employer
    again = _post(web, f"/ventes/sessions/{session.pk}/inscrire/", {"learner": second.pk})
    assert "déjà inscrit" in again


def test_session_list_shows_the_free_seats_of_the_one_door(org: Any, admin: Any) -> None:
    full, open_ = make_session(org, capacity=1), make_session(org, capacity=3)
    for session in (full, full, open_):
        _enrol(org, admin, session)
    rows = _get(_web(admin), "/ventes/sessions/?periode=toutes").split("<tr>")[2:]
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert [c[3:7] for c in cells] == [["1", "1", "complète", "1"], ["3", "1", "2", "0"]]


def test_add_refuses_unknown_or_foreign_learners_without_error(org: Any, other_org: Any,
                                                               admin: Any) -> None:
    session = make_session(org)
    foreign = make_learner(other_org)
    web = _web(admin)
    for value in ("", "abc", str(foreign.pk), "99999999"):
        response = _post(web, f"/ventes/sessions/{session.pk}/inscrire/", {"learner": value})
        assert response.status_code == 200 and "Stagiaire introuvable" in response
    assert not Enrolment.objects.exists()


# --- removal -------------------------------------------------------------------------------

def test_removal_without_contract_promotes_the_first_waitlisted(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1)
    holder = _enrol(org, admin, session)
    waiting = _enrol(org, admin, session)
    web = _web(admin)
    with clock.frozen(TODAY):
        page = _get(web, f"/ventes/inscriptions/{holder.pk}/retirer/")
        done = _post(web, f"/ventes/inscriptions/{holder.pk}/retirer/")
    assert "simplement annulée" in page
    assert "passe de la liste d'attente aux confirmés" in done
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_removal_of_a_drafts_learner_leaves_the_draft_without_them(org: Any, admin: Any,
                                                                    company: Any) -> None:
    session = make_session(org)
    staying, leaving = _enrol(org, admin, session), _enrol(org, admin, session)
    with clock.frozen(TODAY):
        draft = make_contract(org, admin, client=company, session=session, sign=False)
        draft.enrolments.set([staying, leaving])
        enrolments.session_enrolment_remove(actor=admin, organisation=org, enrolment=leaving)
    assert list(draft.enrolments.all()) == [staying]
    leaving.refresh_from_db()
    assert leaving.status == "cancelled" and draft.status == "draft"


def test_can_d1_removal_of_a_signed_contracts_only_learner_previews_then_cancels(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, capacity=1, start=START)
    holder = _enrol(org, admin, session)
    waiting = _enrol(org, admin, session)
    contract = _signed_for(org, admin, company, session, holder)
    web = _web(admin)
    with clock.frozen(TODAY):
        other = _get(web, f"/ventes/inscriptions/{holder.pk}/retirer/")
        legit = _get(web, f"/ventes/inscriptions/{holder.pk}/retirer/",
                        {"reason": "legitimate"})
        before = _state()
        missing = _post(web, f"/ventes/inscriptions/{holder.pk}/retirer/", {"reason": "?"})
        assert _state() == before and "Choisissez le motif" in missing
        done = _post(web, f"/ventes/inscriptions/{holder.pk}/retirer/", {"reason": "other"})
    assert "annulation du contrat par le client" in other
    assert "CAN-D1" in other and "1 200,00" in other  # 50 % of 2 400 € at 14 jours francs
    assert "1 200,00" not in legit
    assert f"Annulation enregistrée sur {contract}" in done
    contract.refresh_from_db()
    event = contract.events.get()
    assert (contract.status, event.type, event.by, event.reason) == (
        "cancelled", "cancellation", "client", "other")
    assert any(c["rule"] == "CAN-D1" and Decimal(c["amount"]) == Decimal("1200.00")
               for c in event.outcome["charges"])
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert (holder.status, waiting.status) == ("cancelled", "confirmed")


def test_removal_of_one_learner_of_a_signed_convention_for_several_is_refused(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=START)
    one, two = _enrol(org, admin, session), _enrol(org, admin, session)
    contract = _signed_for(org, admin, company, session, one, two)
    web = _web(admin)
    with clock.frozen(TODAY):
        page = _get(web, f"/ventes/inscriptions/{one.pk}/retirer/")
        before = _state()
        posted = _post(web, f"/ventes/inscriptions/{one.pk}/retirer/", {"reason": "other"})
    assert "couvre aussi 1 autre(s) stagiaire(s)" in page
    assert f"/ventes/contrats/{contract.pk}/" in page
    assert _state() == before and "page du contrat" in posted


def test_removal_under_a_signed_contract_once_the_session_started_is_refused(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=START)
    holder = _enrol(org, admin, session)
    _signed_for(org, admin, company, session, holder)
    with clock.frozen(datetime(2026, 3, 16, 8, 0)):
        page = _get(_web(admin), f"/ventes/inscriptions/{holder.pk}/retirer/")
        before = _state()
        posted = _post(_web(admin), f"/ventes/inscriptions/{holder.pk}/retirer/", {"reason": "other"})
    assert "abandon (ABD)" in page and "abandon (ABD)" in posted and _state() == before


# --- transfer ------------------------------------------------------------------------------

def test_transfer_without_contract_then_refusals_change_nothing(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1, start=START)
    moving, waiting = _enrol(org, admin, session), _enrol(org, admin, session)
    later = _later(session, capacity=1)
    elsewhere = make_session(org, start=date(2026, 5, 4))
    web = _web(admin)
    with clock.frozen(TODAY):
        roster = _get(web, f"/ventes/sessions/{session.pk}/")
        assert "13/04/2026 — 1 place libre" in roster and "04/05/2026" not in roster
        done = _post(web, f"/ventes/inscriptions/{moving.pk}/transferer/", {"target": later.pk})
    assert "transféré(e) à la session du 13 avril 2026" in done
    assert Enrolment.objects.get(session=later).learner_id == moving.learner_id
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    with clock.frozen(TODAY):
        before = _state()
        for target, message in ((later, "complète"), (elsewhere, "même formation"),
                                ("x", "Choisissez la session"), ("", "Choisissez la session")):
            response = _post(web, f"/ventes/inscriptions/{waiting.pk}/transferer/",
                                {"target": getattr(target, "pk", target)})
            assert response.status_code == 200 and message in response
    assert _state() == before


def test_transfer_takes_a_draft_along_when_it_names_only_that_learner(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=START)
    moving = _enrol(org, admin, session)
    later = _later(session)
    with clock.frozen(TODAY):
        draft = make_contract(org, admin, client=company, session=session, sign=False)
        draft.enrolments.set([moving])
        moved = enrolments.session_enrolment_transfer(actor=admin, organisation=org,
                                                      enrolment=moving, target=later)
    draft.refresh_from_db()
    assert (draft.session_id, draft.start_date) == (later.pk, later.start_date)
    assert list(draft.enrolments.all()) == [moved.enrolment]


def test_prv_d4_transfer_of_a_signed_contract_only_after_a_notified_change(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=START)
    moving = _enrol(org, admin, session)
    later = _later(session)
    contract = _signed_for(org, admin, company, session, moving)
    web = _web(admin)
    with clock.frozen(TODAY):
        before = _state()
        refused = _post(web, f"/ventes/inscriptions/{moving.pk}/transferer/", {"target": later.pk})
        assert _state() == before
        assert "Refusé (PRV-D4)" in refused and "Transfert refusé" in refused
        services.contract_event_record(actor=admin, contract=contract, type="schedule_change",
                                       on=date(2026, 3, 1), by="provider", note="Salle indisponible")
        _post(web, f"/ventes/inscriptions/{moving.pk}/transferer/", {"target": later.pk})
    contract.refresh_from_db()
    assert (contract.session_id, contract.status) == (later.pk, "signed")
    assert contract.events.filter(type="schedule_choice", choice="move").exists()
    assert list(contract.enrolments.filter(status="confirmed").values_list("session_id", flat=True)) \
        == [later.pk]


def test_transfer_from_a_started_session_is_refused(org: Any, admin: Any) -> None:
    session = make_session(org, start=START)
    moving = _enrol(org, admin, session)
    later = _later(session)
    with clock.frozen(datetime(2026, 3, 16, 8, 0)), pytest.raises(ValidationError,
                                                                  match="d'origine a déjà commencé"):
        enrolments.session_enrolment_transfer(actor=admin, organisation=org, enrolment=moving,
                                              target=later)


# --- the roster's contracts and access -----------------------------------------------------

def test_roster_offers_to_add_to_the_clients_live_convention_rather_than_a_second_one(
        org: Any, admin: Any, company: Any) -> None:
    session = make_session(org, start=START)
    first = _enrol(org, admin, session, company=company)
    second = _enrol(org, admin, session, company=company)
    contract = _signed_for(org, admin, company, session, first)
    with clock.frozen(TODAY):
        roster = _get(_web(admin), f"/ventes/sessions/{session.pk}/")
    assert f"Ajouter à la convention {contract.number}" in roster
    assert "ne le nomme pas encore" in roster and str(second.learner) in roster
    assert "Établir la convention / le contrat" not in roster


def test_roster_pages_are_for_staff_of_the_organisation_only(org: Any, admin: Any) -> None:
    session = make_session(org)
    enrolment = _enrol(org, admin, session)
    outsider = make_user(make_organisation("laporte", "laporte"))
    trainer = make_user(org, Role.TRAINER)
    urls = [f"/ventes/sessions/{session.pk}/", f"/ventes/sessions/{session.pk}/stagiaires/?q=no",
            f"/ventes/inscriptions/{enrolment.pk}/retirer/"]
    posts = [f"/ventes/sessions/{session.pk}/inscrire/",
             f"/ventes/inscriptions/{enrolment.pk}/transferer/",
             f"/ventes/inscriptions/{enrolment.pk}/retirer/"]
    assert all(_get(_web(trainer), u).status_code == 403 for u in urls)
    assert all(_post(_web(trainer), u).status_code == 403 for u in posts)
    assert all(_get(_web(outsider), u).status_code in (403, 404) for u in urls)
    assert all(_post(_web(outsider), u).status_code in (403, 404) for u in posts)
    assert _get(_web(admin), "/ventes/inscriptions/99999999/retirer/").status_code == 404
    assert _post(_web(admin), "/ventes/sessions/99999999/inscrire/").status_code == 404
    assert Enrolment.objects.get().status == "confirmed"
