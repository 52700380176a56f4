"""Catalogue pages: staff CRUD, session half-days, and the public catalogue (published only,
per organisation, no login)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ofelia.catalogue.models import SessionSlot, Trainer, Training, TrainingSession
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.organisations.models import Membership, Role
from ofelia.sales import services as sales
from ofelia.sales.tests.conftest import make_learner, make_organisation, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 2, 2, 9, 0)


def _training(org: Any, title: str, published: bool = True) -> Training:
    return Training.objects.create(organisation=org, title=title, reference=title[:10],
                                   duration_hours=Decimal("7"), price_excl_vat=Decimal("650"),
                                   objectives=f"Objectifs de {title}", is_published=published)


def test_public_catalogue_shows_only_published_trainings_of_that_organisation() -> None:
    org_a, org_b = make_organisation("orga", "dixneuf"), make_organisation("orgb", "formagogy")
    shown = _training(org_a, "Excel avancé")
    hidden = _training(org_a, "Brouillon interne", published=False)
    foreign = _training(org_b, "Formation de B")
    web = Client()
    page = web.get("/o/orga/catalogue/").content.decode()
    assert "Excel avancé" in page and "Brouillon interne" not in page and "Formation de B" not in page
    assert web.get(f"/o/orga/catalogue/{shown.pk}/").status_code == 200
    assert web.get(f"/o/orga/catalogue/{hidden.pk}/").status_code == 404
    assert web.get(f"/o/orga/catalogue/{foreign.pk}/").status_code == 404
    assert web.get("/o/inconnu/catalogue/").status_code == 404


def test_public_detail_lists_upcoming_sessions_with_half_days_trainers_and_seats_left() -> None:
    org = make_organisation("orga", "dixneuf")
    training = _training(org, "Excel avancé")
    trainer = Trainer.objects.create(organisation=org, titles="Certifié Microsoft Office Specialist",
                                     membership=Membership.objects.get(user=make_user(org, Role.TRAINER)))
    training.trainers.add(trainer)
    past = TrainingSession.objects.create(organisation=org, training=training, capacity=2,
                                          start_date=date(2026, 1, 5), end_date=date(2026, 1, 5))
    session = TrainingSession.objects.create(organisation=org, training=training, capacity=2,
                                             start_date=date(2026, 3, 2), end_date=date(2026, 3, 2),
                                             place="Lyon")
    SessionSlot.objects.create(session=session, day=date(2026, 3, 2), part="morning",
                               starts_at="09:00", ends_at="12:30")
    sales.enrolment_create(actor=None, organisation=org, session=session, learner=make_learner(org))
    with clock.frozen(TODAY):
        page = Client().get(f"/o/orga/catalogue/{training.pk}/").content.decode()
    assert "02/03/2026 matin 09:00–12:30" in page and "1 place disponible" in page
    assert "Certifié Microsoft Office Specialist" in page and "Commander" in page
    assert "05/01/2026" not in page and past.pk


def test_staff_creates_a_training_and_a_session_with_half_days_audited() -> None:
    org = make_organisation("orga", "dixneuf")
    admin = make_user(org, Role.ADMINISTRATOR)
    web = Client()
    web.force_login(admin)
    created = web.post("/gestion/catalogue/nouvelle/", {
        "title": "Anglais professionnel", "reference": "ANG-1", "duration_hours": "21",
        "modality": "blended", "format": "inter", "price_excl_vat": "1500", "cpf_eligible": "on",
        "certification_code": "RS5908", "objectives": "Communiquer à l'oral", "is_active": "on",
        "is_published": "on",
    })
    assert created.status_code == 302
    training = Training.objects.get(organisation=org)
    assert training.modality == "blended" and training.cpf_eligible and training.is_published
    missing_code = web.post("/gestion/catalogue/nouvelle/", {
        "title": "Sans code", "reference": "X-1", "duration_hours": "7", "modality": "classroom",
        "format": "inter", "price_excl_vat": "100", "cpf_eligible": "on"})
    assert missing_code.status_code == 200 and "certification" in missing_code.content.decode()
    form = {"training": training.pk, "start_date": "2026-04-07", "end_date": "2026-04-08",
            "place": "", "remote_link": "https://visio.example.org/salle", "capacity": "8",
            "slots-TOTAL_FORMS": "2", "slots-INITIAL_FORMS": "0", "slots-MIN_NUM_FORMS": "0",
            "slots-MAX_NUM_FORMS": "1000",
            "slots-0-day": "2026-04-07", "slots-0-part": "morning", "slots-0-starts_at": "09:00",
            "slots-0-ends_at": "12:30",
            "slots-1-day": "2026-04-07", "slots-1-part": "afternoon", "slots-1-starts_at": "13:30",
            "slots-1-ends_at": "17:00"}
    saved = web.post("/gestion/sessions/nouvelle/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    session = TrainingSession.objects.get(training=training)
    assert [str(s) for s in session.slots.all()] == ["07/04/2026 matin 09:00–12:30",
                                                     "07/04/2026 après-midi 13:30–17:00"]
    assert AuditEntry.objects.filter(action="session.create").count() == 1
    assert AuditEntry.objects.filter(action="training.create").count() == 1


def test_half_day_outside_the_session_or_in_the_wrong_part_is_refused() -> None:
    org = make_organisation("orga", "dixneuf")
    admin = make_user(org, Role.ADMINISTRATOR)
    training = _training(org, "Excel")
    web = Client()
    web.force_login(admin)
    base = {"training": training.pk, "start_date": "2026-04-07", "end_date": "2026-04-07",
            "place": "Paris", "capacity": "8", "slots-TOTAL_FORMS": "1", "slots-INITIAL_FORMS": "0",
            "slots-MIN_NUM_FORMS": "0", "slots-MAX_NUM_FORMS": "1000"}
    wrong_part = web.post("/gestion/sessions/nouvelle/", {
        **base, "slots-0-day": "2026-04-07", "slots-0-part": "morning",
        "slots-0-starts_at": "14:00", "slots-0-ends_at": "17:00"})
    assert "Le matin commence avant midi" in wrong_part.content.decode()
    outside = web.post("/gestion/sessions/nouvelle/", {
        **base, "slots-0-day": "2026-04-09", "slots-0-part": "morning",
        "slots-0-starts_at": "09:00", "slots-0-ends_at": "12:00"}, follow=True)
    assert "en dehors des dates de la session" in outside.content.decode()
    assert not TrainingSession.objects.exists()


def test_capacity_cannot_drop_below_confirmed_seats() -> None:
    org = make_organisation("orga", "dixneuf")
    admin = make_user(org, Role.ADMINISTRATOR)
    training = _training(org, "Excel")
    session = TrainingSession.objects.create(organisation=org, training=training, capacity=3,
                                             start_date=date(2026, 4, 7), end_date=date(2026, 4, 7),
                                             place="Paris")
    for _ in range(2):
        sales.enrolment_create(actor=admin, organisation=org, session=session, learner=make_learner(org))
    web = Client()
    web.force_login(admin)
    response = web.post(f"/gestion/sessions/{session.pk}/modifier/", {
        "training": training.pk, "start_date": "2026-04-07", "end_date": "2026-04-07",
        "place": "Paris", "capacity": "1", "slots-TOTAL_FORMS": "0", "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0", "slots-MAX_NUM_FORMS": "1000"}, follow=True)
    assert "2 places sont déjà confirmées" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_tenancy_staff_of_b_cannot_see_or_edit_trainings_of_a() -> None:
    org_a, org_b = make_organisation("orga", "dixneuf"), make_organisation("orgb", "formagogy")
    training = _training(org_a, "Secret de A")
    web = Client()
    web.force_login(make_user(org_b, Role.ADMINISTRATOR))
    assert "Secret de A" not in web.get("/gestion/catalogue/").content.decode()
    assert web.get(f"/gestion/catalogue/{training.pk}/").status_code == 404
    assert web.post(f"/gestion/catalogue/{training.pk}/", {"title": "pris"}).status_code == 404
    learner = Client()
    learner.force_login(make_user(org_a, Role.LEARNER))
    assert learner.get("/gestion/catalogue/").status_code == 403
