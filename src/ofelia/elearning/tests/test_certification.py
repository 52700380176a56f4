"""Certification: eligibility (LRN-3), the evaluation deadline (LRN-4, counted by CAL-6) equal
to `ofelia simulate` for the same facts, the private video, the trainer's grade, reminders."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ofelia.core import clock
from ofelia.elearning import certification, selectors, services
from ofelia.elearning.models import Evaluation, EvaluationReminder, LearnerCourse
from ofelia.organisations.models import Role
from ofelia.rules.french import fr_date
from ofelia.sales.tests.conftest import make_user
from ofelia.simcli import run_case

from .conftest import World, build_world

MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200


def video(data: bytes = MP4, content_type: str = "video/mp4", name: str = "eval.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def cworld(db: Any, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world(core=2, extra=0)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def finish_core(world: World, lc: LearnerCourse, *, last_on: date) -> None:
    user = lc.learner.user
    with clock.frozen(noon(date(2026, 2, 3))):
        services.first_access_record(actor=user, learner_course=lc)
        services.module_complete(actor=user, learner_course=lc, module=world.modules[0], how="test")
    with clock.frozen(noon(last_on)):
        services.module_complete(actor=user, learner_course=lc, module=world.modules[1], how="test")


def simulated(funding: str, events: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    """The `learning` case of SIMULATION.md typed by hand, run by the CLI's own function."""
    case = {"case": "learning", "policy": "laporte", "as_of": as_of.isoformat(),
            "order": {"ordered_on": "2026-02-02", "funding": funding, "price": "900.00"},
            "course": {"core_modules": 2, "extra_modules": 0, "evaluation_modules": 1},
            "events": events}
    return run_case(json.loads(json.dumps(case)), today=as_of)


CORE = [{"type": "module_completed", "module": "core-1", "on": "2026-02-03"}]


@pytest.mark.parametrize(("who", "funding", "last_on", "expected"), [
    ("self", "self", date(2026, 3, 31), date(2026, 5, 31)),      # 2 months, same day number
    ("self", "self", date(2026, 12, 31), date(2027, 2, 28)),     # CAL-6: no 31 February
    ("cpf", "cpf", date(2026, 3, 31), date(2026, 4, 30)),        # 1 month, last day of April
    ("cpf", "cpf", date(2026, 2, 28), date(2026, 3, 28)),
])
def test_lrn_4_deadline_shown_equals_ofelia_simulate(cworld: World, who: str, funding: str,
                                                     last_on: date, expected: date) -> None:
    lc = cworld.self_lc if who == "self" else cworld.cpf_lc
    finish_core(cworld, lc, last_on=last_on)
    with clock.frozen(noon(last_on)):
        state = selectors.course_state(lc)
    out = simulated(funding, CORE + [{"type": "module_completed", "module": "core-2",
                                      "on": last_on.isoformat()}], last_on)
    assert state.submission_by == expected
    assert out["deadlines"]["certification_submission_by"] == expected.isoformat()
    reason = out["deadline_reasons"]["certification_submission_by"]
    assert (state.deadline_rule, state.deadline_explanation) == (reason["rule"], reason["explanation"])
    assert state.deadline_rule == "LRN-4" and "CGV" in state.deadline_explanation
    client = Client()
    client.force_login(lc.learner.user)
    with clock.frozen(noon(last_on)):
        page = client.get(reverse("elearning:my-course", args=[lc.pk])).content.decode()
    assert f"au plus tard le {fr_date(expected)}" in page and "LRN-4" in page


def test_lrn_3_not_eligible_until_the_core_is_done_and_the_video_sent(cworld: World) -> None:
    lc = cworld.cpf_lc
    with clock.frozen(noon(date(2026, 2, 3))):
        services.module_complete(actor=lc.learner.user, learner_course=lc, module=cworld.modules[0],
                                 how="test")
        state = selectors.course_state(lc)
        assert not state.eligible and state.submission_by is None and not state.may_submit
        assert state.missing == ["core-2", "evaluation-1"]
        with pytest.raises(ValidationError, match="modules du parcours principal"):
            certification.evaluation_submit(actor=lc.learner.user, learner_course=lc, upload=video())
    finish_core(cworld, lc, last_on=date(2026, 3, 2))
    with clock.frozen(noon(date(2026, 3, 5))):
        assert selectors.course_state(lc).missing == ["evaluation-1"]
        certification.evaluation_submit(actor=lc.learner.user, learner_course=lc, upload=video())
        state = selectors.course_state(lc)
    assert state.eligible and state.missing == [] and "CGV, art. 8.3" in state.certification_explanation


def test_lrn_4_video_accepted_on_the_last_day_refused_the_day_after(cworld: World) -> None:
    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 31))   # deadline 30/04/2026
    with clock.frozen(datetime(2026, 4, 30, 21, 0, tzinfo=UTC)):    # 23:00 in Paris, still the 30th
        certification.evaluation_submit(actor=cworld.cpf_user, learner_course=cworld.cpf_lc, upload=video())
    finish_core(cworld, cworld.self_lc, last_on=date(2026, 3, 31))  # deadline 31/05/2026
    with clock.frozen(noon(date(2026, 6, 1))):
        assert not selectors.course_state(cworld.self_lc).may_submit
        with pytest.raises(ValidationError, match="Délai dépassé"):
            certification.evaluation_submit(actor=cworld.self_user, learner_course=cworld.self_lc,
                                            upload=video())
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize(("upload", "message"), [
    (None, "Choisissez"),
    (video(b"MZ\x90\x00" + b"\x00" * 100), "Format refusé"),                  # renamed executable
    (video(MP4, content_type="application/octet-stream"), "Format refusé"),
    (video(b"", content_type="video/mp4"), "vide"),
])
def test_lrn_4_bad_uploads_are_refused_in_french(cworld: World, upload: Any, message: str) -> None:
    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 2))
    with clock.frozen(noon(date(2026, 3, 3))), pytest.raises(ValidationError, match=message):
        certification.evaluation_submit(actor=cworld.cpf_user, learner_course=cworld.cpf_lc, upload=upload)
    assert not Evaluation.objects.exists()


def test_lrn_4_a_video_above_the_limit_is_refused_through_the_page(cworld: World, settings: Any) -> None:
    settings.EVALUATION_VIDEO_MAX_BYTES = 100
    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 2))
    client = Client()
    client.force_login(cworld.cpf_user)
    with clock.frozen(noon(date(2026, 3, 3))):
        response = client.post(reverse("elearning:my-evaluation", args=[cworld.cpf_lc.pk]),
                               {"video": video()}, follow=True)
    assert "Vidéo trop volumineuse" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_lrn_4_the_video_is_private_and_graded_by_the_trainer(cworld: World, tmp_path: Path) -> None:
    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 2))
    with clock.frozen(noon(date(2026, 3, 3))):
        evaluation = certification.evaluation_submit(actor=cworld.cpf_user, learner_course=cworld.cpf_lc,
                                                     upload=video())
    assert (tmp_path / "private" / evaluation.video.name).is_file()
    with pytest.raises(ValueError):
        evaluation.video.url  # noqa: B018 — no public URL
    url = reverse("elearning:evaluation-video", args=[evaluation.pk])
    trainer = cworld.course.training.trainers.get().membership.user
    other_trainer = make_user(cworld.org, Role.TRAINER)
    for user, status in [(cworld.cpf_user, 200), (trainer, 200), (cworld.staff, 200),
                         (cworld.self_user, 404), (other_trainer, 404)]:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == MP4
            assert response["Content-Type"] == "video/mp4"
    client = Client()
    client.force_login(other_trainer)
    assert client.get(reverse("elearning:trainer-evaluation", args=[evaluation.pk])).status_code == 404
    client.force_login(trainer)
    listing = client.get(reverse("elearning:trainer-evaluations")).content.decode()
    assert "Camille" in listing
    bad = client.post(reverse("elearning:trainer-evaluation", args=[evaluation.pk]), {"result": "maybe"})
    assert "Choisissez" in bad.content.decode()
    client.post(reverse("elearning:trainer-evaluation", args=[evaluation.pk]),
                {"result": "passed", "comment": "Très clair."})
    evaluation.refresh_from_db()
    assert evaluation.result == "passed" and evaluation.graded_by == trainer
    learner = Client()
    learner.force_login(cworld.cpf_user)
    page = learner.get(reverse("elearning:my-course", args=[cworld.cpf_lc.pk])).content.decode()
    assert "Réussie" in page and "Très clair." in page


def test_lrn_4_reminders_before_the_deadline_are_sent_once(cworld: World) -> None:
    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 31))   # deadline 30/04/2026
    mail.outbox.clear()
    assert certification.evaluation_reminders(today=date(2026, 4, 1)) == 0   # 29 days left
    with clock.frozen(noon(date(2026, 4, 16))):
        assert certification.evaluation_reminders(today=date(2026, 4, 16)) == 1  # J-14
        assert certification.evaluation_reminders(today=date(2026, 4, 16)) == 0  # rerun: nothing
        assert certification.evaluation_reminders(today=date(2026, 4, 18)) == 0
        assert certification.evaluation_reminders(today=date(2026, 4, 23)) == 1  # J-7
        assert certification.evaluation_reminders(today=date(2026, 4, 29)) == 1  # J-1
        assert certification.evaluation_reminders(today=date(2026, 5, 1)) == 0   # past
    assert len(mail.outbox) == 3 and "30 avril 2026" in mail.outbox[0].subject
    assert EvaluationReminder.objects.count() == 3


def test_lrn_6_the_learner_sees_access_kept_after_the_company_stops(cworld: World) -> None:
    cworld.org.activity_stopped_on = date(2026, 3, 31)
    cworld.org.save(update_fields=["activity_stopped_on"])
    client = Client()
    client.force_login(cworld.cpf_user)
    with clock.frozen(noon(date(2026, 4, 1))):
        page = client.get(reverse("elearning:my-course", args=[cworld.cpf_lc.pk])).content.decode()
    assert "accès à la formation maintenu au moins 12 mois, jusqu&#x27;au 31 mars 2027" in page


def test_lrn_3_graded_certification_is_printed_on_the_sealed_attestation(cworld: World) -> None:
    """L6353-1: the « résultats de l'évaluation des acquis » of the attestation de fin de
    formation carry the e-learning learner's graded certification (attendance's hook)."""
    import io

    from pypdf import PdfReader

    from ofelia.attendance import services as attendance
    from ofelia.attendance.models import Document
    from ofelia.attendance.sealing import verify_pdf

    def attestation_text(enrolment: Any) -> str:
        docs = attendance.documents_generate(actor=cworld.staff, organisation=cworld.org,
                                             session=enrolment.session, notify=False)
        doc = next(d for d in docs if d.kind == Document.Kind.END_OF_TRAINING
                   and d.enrolment_id == enrolment.pk)
        assert verify_pdf(bytes(doc.pdf), organisation=cworld.org).ok
        pages = PdfReader(io.BytesIO(bytes(doc.pdf))).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())

    finish_core(cworld, cworld.cpf_lc, last_on=date(2026, 3, 2))
    with clock.frozen(noon(date(2026, 3, 3))):
        evaluation = certification.evaluation_submit(actor=cworld.cpf_user, learner_course=cworld.cpf_lc,
                                                     upload=video())
    before = attestation_text(cworld.cpf_lc.enrolment)
    assert "Aucune évaluation des acquis n'est encore enregistrée" in before  # not graded yet
    trainer = cworld.course.training.trainers.get().membership.user
    trainer.first_name, trainer.last_name = "Jeanne", "Formatrice"
    trainer.save()
    with clock.frozen(datetime(2026, 3, 10, 9, 30, tzinfo=UTC)):
        certification.evaluation_grade(actor=trainer, evaluation=evaluation, result="passed",
                                       comment="Exposé clair et bien construit.")
    text = attestation_text(cworld.cpf_lc.enrolment)
    assert ("Certification (évaluation en ligne, vidéo transmise le 3 mars 2026) : réussie, "
            "corrigée le 10 mars 2026 par Jeanne Formatrice.") in text, text
    assert "Appréciation du formateur : « Exposé clair et bien construit. »" in text, text
    # The other learner of the session has no graded certification: the usual sentence.
    assert "Aucune évaluation des acquis" in attestation_text(cworld.self_lc.enrolment)
    learner = Client()
    learner.force_login(cworld.cpf_user)
    page = learner.get(reverse("elearning:my-course", args=[cworld.cpf_lc.pk])).content.decode()
    assert "corrigée le 10 mars 2026 à 10:30 par Jeanne Formatrice" in page
