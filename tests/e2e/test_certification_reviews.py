"""Certification and reviews in a real browser, on the demo data of LA PORTE ACADÉMIE:
a self-funded learner who finished the core modules sees the evaluation deadline (LRN-4, the
same date as `ofelia simulate`), sends a small video, the trainer grades it from the
extranet and the learner reads the result; a learner reviews an ended training, staff
publish it and the public catalogue page shows it (ACC-9)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.elearning import services
from ofelia.elearning.models import LearnerCourse
from ofelia.rules.calendars import PARIS
from ofelia.rules.french import fr_date
from ofelia.sales.models import Order
from ofelia.simcli import run_case

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

COURSE = "Montage vidéo avec Adobe Premiere Pro (certifiant)"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _finish_core(email: str) -> LearnerCourse:
    """The learner has followed every core module today (the screens of issue 12, items 1–3,
    are proven by tests/e2e/test_elearning.py)."""
    enrolment = (Enrolment.objects.filter(learner__user__email=email, session__training__title=COURSE)
                 .select_related("session__training__course").first())
    assert enrolment is not None
    course = enrolment.session.training.course
    lc = services.learner_course_start(actor=None, enrolment=enrolment, course=course)
    services.first_access_record(actor=None, learner_course=lc)
    for module in lc.version.modules.filter(is_core=True):
        services.module_complete(actor=None, learner_course=lc, module=module, how="e2e")
    training = course.training
    trainer = training.trainers.first()
    assert trainer is not None and trainer.membership.user.email == "formateur@laporte.demo"
    return lc


def _simulated_deadline(lc: LearnerCourse) -> str:
    order = Order.objects.get(consumer__email=lc.learner.user.email, contract__title=COURSE)
    today = clock.now().astimezone(PARIS).date()
    core = lc.version.modules.filter(is_core=True).count()
    extra = lc.version.modules.filter(is_core=False).count()
    case = {"case": "learning", "policy": "laporte", "as_of": today.isoformat(),
            "order": {"ordered_on": order.ordered_at.astimezone(PARIS).date().isoformat(),
                      "funding": "self", "price": str(order.contract.price)},
            "course": {"core_modules": core, "extra_modules": extra, "evaluation_modules": 1},
            "events": [{"type": "module_completed", "module": f"core-{k}", "on": today.isoformat()}
                       for k in range(1, core + 1)]}
    out = run_case(json.loads(json.dumps(case)), today=today)
    day = out["deadlines"]["certification_submission_by"]
    return fr_date(date.fromisoformat(day))


def test_lrn_4_learner_sees_the_deadline_sends_a_video_trainer_grades_learner_reads(
        page: Any, tmp_path: Path) -> None:
    lc = _finish_core("particulier@laporte.demo")
    expected = _simulated_deadline(lc)
    clip = tmp_path / "evaluation.mp4"
    clip.write_bytes(MP4)
    fake = tmp_path / "evaluation-fausse.mp4"
    fake.write_bytes(b"MZ" + b"\x00" * 100)

    log_in(page, "particulier@laporte.demo")
    page.get_by_role("link", name="Mes parcours en ligne").click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.locator("#evaluation-deadline")).to_contain_text(f"au plus tard le {expected}")
    expect(page.locator("#evaluation-deadline")).to_contain_text("LRN-4")
    page.get_by_label("Votre vidéo d'évaluation").set_input_files(str(fake))
    page.get_by_role("button", name="Transmettre la vidéo").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status"))).to_contain_text("Format refusé")
    page.get_by_label("Votre vidéo d'évaluation").set_input_files(str(clip))
    page.get_by_role("button", name="Transmettre la vidéo").click()
    expect(page.locator("#evaluation-result")).to_contain_text("En attente de correction")
    page.screenshot(path="/tmp/certif-learner-sent.png", full_page=True)
    log_out(page)

    log_in(page, "formateur@laporte.demo")
    page.get_by_role("link", name="Évaluations").click()
    page.get_by_role("link", name="Corriger").click()
    page.get_by_label("Réussie", exact=True).check()
    page.get_by_label("Commentaire pour le stagiaire").fill("Montage propre, bon rythme.")
    page.screenshot(path="/tmp/certif-trainer-grade.png", full_page=True)
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("cell", name="Réussie")).to_be_visible()
    log_out(page)

    log_in(page, "particulier@laporte.demo")
    page.get_by_role("link", name="Mes parcours en ligne").click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.locator("#evaluation-result")).to_contain_text("Réussie")
    expect(page.locator("#evaluation-result")).to_contain_text("Montage propre, bon rythme.")
    expect(page.locator("#certification-status")).to_contain_text("Certification accessible")
    page.screenshot(path="/tmp/certif-learner-result.png", full_page=True)


def test_acc_9_learner_reviews_staff_publish_public_page_shows_it(page: Any) -> None:
    today = clock.today()
    enrolment = (Enrolment.objects.filter(organisation__slug="laporte", learner__user__isnull=False,
                                          status=Enrolment.Status.CONFIRMED, session__end_date__lt=today,
                                          session__training__is_published=True)
                 .select_related("learner__user", "session__training").first())
    assert enrolment is not None, "the demo has an ended LA PORTE session with a learner account"
    training = enrolment.session.training
    learner = enrolment.learner

    log_in(page, learner.user.email)
    page.locator("summary", has_text="Donner mon avis").click()
    page.get_by_role("link", name="Mes avis").click()
    form = page.locator(".review-form").filter(has_text=training.title).first
    form.get_by_label("4").check()
    form.get_by_label("Votre avis").fill("Formateur disponible, exercices concrets.")
    form.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("status")).to_contain_text("publié après relecture")
    log_out(page)

    log_in(page, "admin@laporte.demo")
    page.goto("/gestion/avis/")
    review = page.locator(".review").filter(has_text="Formateur disponible")
    review.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_contain_text("Avis publié")
    log_out(page)

    page.goto(f"/o/laporte/catalogue/{training.pk}/")
    reviews = page.locator("#reviews")
    expect(reviews).to_contain_text("Formateur disponible, exercices concrets.")
    expect(reviews).to_contain_text(f"{learner.first_name} {learner.last_name[:1].upper()}.")
    expect(reviews).not_to_contain_text(learner.last_name)
    page.screenshot(path="/tmp/reviews-public.png", full_page=True)
    feed = page.request.get("/o/laporte/avis.json").json()
    assert feed["count"] == 1 and feed["trainings"][0]["reviews"][0]["rating"] == 4
