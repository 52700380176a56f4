"""The attendance pages: who may see what (role, organisation, the session's trainer), the
trainer's journey through the screens, and bad input answered without a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ofelia.attendance import services
from ofelia.attendance.models import AttendanceSheet, Document, Mark
from ofelia.organisations.models import Role

from .conftest import SIGNATURE, World, at, make_user, make_world
from .test_attendance_rules import _closed_sheet

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_att_1_trainer_opens_signs_marks_absent_and_closes_through_the_pages(world: World) -> None:
    web = _client(world.trainer_user)
    base = f"/espace/emargement/{world.morning.pk}/"
    with at(8, 45):
        assert "Management d&#x27;équipe" in web.get("/espace/emargement/").content.decode()
        assert web.post(base).status_code == 302
        page = web.get(base).content.decode()
        assert "<svg" in page and "QR code" in page
        first, second, third = world.enrolments
        assert web.post(f"{base}signer/{first.pk}/", {"signature": SIGNATURE}).status_code == 302
        # A missing signature re-displays the form with the reason.
        page = web.post(f"{base}signer/{second.pk}/", {"signature": ""}).content.decode()
        assert "Signature manquante" in page
    with at(9, 40):
        web.post(f"{base}signer/{second.pk}/", {"signature": SIGNATURE, "arrived_at": "09:40",
                                                "reason": "Bouchons"})
        web.post(f"{base}absent/{third.pk}/", {"reason": "Malade"})
    with at(12, 40):
        assert web.post(f"{base}cloturer/", {"signature": SIGNATURE}).status_code == 302
    sheet = AttendanceSheet.objects.get(slot=world.morning)
    assert sheet.is_closed
    assert sorted(Mark.objects.values_list("status", flat=True)) == ["absent", "late", "present"]
    assert web.get(f"{base}feuille.pdf").status_code == 200


def test_att_1_learner_signs_by_qr_on_their_phone_and_a_replay_says_why(world: World) -> None:
    with at(9):
        sheet = services.sheet_open(actor=world.trainer_user, organisation=world.org,
                                    slot=world.morning, trainer=world.trainer)
    url = f"/espace/emarger/{services.qr_token(sheet)}/"
    phone = _client(world.learner_user)
    with at(9, 1):
        assert "Valider ma signature" in phone.get(url).content.decode()
        response = phone.post(url, {"signature": SIGNATURE}, HTTP_USER_AGENT="Mobile Safari")
        assert "est enregistrée" in response.content.decode()
        replay = phone.post(url, {"signature": SIGNATURE})
        assert replay.status_code == 400 and "déjà émargé" in replay.content.decode()
    mark = Mark.objects.get()
    assert mark.channel == "qr_code" and mark.user_agent == "Mobile Safari" and mark.ip_address
    assert phone.get("/espace/emarger/faux-jeton/").status_code == 400


def test_att_1_pages_are_checked_for_role_trainer_and_organisation(world: World) -> None:
    other = make_world("orgb")
    stranger_trainer = make_user(world.org, Role.TRAINER)
    staff = make_user(world.org, Role.STAFF)
    base = f"/espace/emargement/{world.morning.pk}/"
    assert _client(stranger_trainer).get(base).status_code == 404  # not their session
    assert _client(world.learner_user).get(base).status_code == 403
    assert _client(staff).get(base).status_code == 403
    assert _client(world.trainer_user).get(f"/espace/emargement/{other.morning.pk}/").status_code == 404
    assert _client(world.trainer_user).get("/gestion/emargement/").status_code == 403
    assert _client(staff).get(f"/gestion/emargement/session/{other.session.pk}/").status_code == 404
    assert Client().get("/gestion/emargement/").status_code == 302


@pytest.mark.parametrize("path", [
    "/espace/emargement/999999/", "/espace/emargement/{slot}/signer/999999/",
    "/espace/emargement/{slot}/cloturer/"])
def test_att_1_bad_addresses_answer_404_not_500(world: World, path: str) -> None:
    response = _client(world.trainer_user).get(path.format(slot=world.morning.pk))
    assert response.status_code == 404


def test_att_1_bad_amendment_input_is_refused_with_a_french_message(world: World) -> None:
    sheet = _closed_sheet(world)
    web = _client(world.admin)
    url = f"/gestion/emargement/feuille/{sheet.pk}/"
    mark = Mark.objects.get(enrolment=world.enrolments[2])
    for data in ({"mark": mark.pk, "status": "inconnu", "why": "x"},
                 {"mark": mark.pk, "status": "late", "arrived_at": "25:99", "why": "x", "reason": "r"},
                 {"mark": "abc"}, {"mark": mark.pk, "status": "present", "why": ""}):
        response = web.post(url, data, follow=True)
        assert response.status_code in (200, 404)
    mark.refresh_from_db()
    assert mark.status == "absent"
    response = web.post(url, {"mark": mark.pk, "status": "present", "why": "Présente, oubli de signature attesté par le formateur"}, follow=True)
    assert "Correction enregistrée" in response.content.decode()
    assert "Présente, oubli" in web.get(url).content.decode()


def test_att_3_staff_generate_documents_learner_downloads_only_theirs(world: World) -> None:
    _closed_sheet(world)
    staff = _client(world.admin)
    page = staff.post(f"/gestion/emargement/session/{world.session.pk}/", follow=True)
    assert "9 documents scellés" in page.content.decode()
    zipped = staff.get(f"/gestion/emargement/session/{world.session.pk}/attestations.zip")
    assert zipped["Content-Type"] == "application/zip"
    learner = _client(world.learner_user)
    mine = Document.objects.filter(enrolment=world.enrolments[0]).first()
    theirs = Document.objects.filter(enrolment=world.enrolments[1]).first()
    assert "Certificat de réalisation" in learner.get("/espace/mes-attestations/").content.decode()
    assert learner.get(f"/espace/mes-attestations/{mine.pk}.pdf").status_code == 200
    assert learner.get(f"/espace/mes-attestations/{theirs.pk}.pdf").status_code == 404
