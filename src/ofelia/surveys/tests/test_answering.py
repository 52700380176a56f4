"""Answering through the e-mailed link: tampered, expired, reused links; French errors;
a quiz scored; the questions answered are the ones sent, whatever is edited later."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.core import clock
from ofelia.surveys import services
from ofelia.surveys.demo import demo_answers
from ofelia.surveys.models import Invitation, Question, Questionnaire, Response

DAY = date(2026, 3, 16)


def at(day: date, hour: int = 18) -> Any:
    return clock.frozen(datetime.combine(day, time(hour)))


@pytest.fixture
def hot(world: Any) -> Invitation:
    with at(DAY, 9):
        services.send_for_session(world.session, today=DAY)
    return Invitation.objects.get(kind="hot", audience="learner", enrolment=world.enrolments[0])


def path(invitation: Invitation) -> str:
    return services.link_path(invitation)


def test_the_link_opens_the_form_without_login_and_records_one_answer(hot: Invitation) -> None:
    client = Client()
    with at(DAY):
        page = client.get(path(hot))
        assert page.status_code == 200
        assert "Votre satisfaction sur la formation" in unescape(page.content.decode())
        data = demo_answers(hot, 0)
        done = client.post(path(hot), data)
    assert done.status_code == 200 and "Vos réponses" in unescape(done.content.decode())
    response = Response.objects.get(invitation=hot)
    assert response.answers == services.logic.read_answers(hot.snapshot, data)[0]


def test_a_second_submission_is_refused_in_french_and_changes_nothing(hot: Invitation) -> None:
    with at(DAY):
        services.submit(token=services.token_for(hot), data=demo_answers(hot, 0))
        before = Response.objects.get(invitation=hot).answers
        with pytest.raises(ValidationError, match="déjà répondu"):
            services.submit(token=services.token_for(hot), data=demo_answers(hot, 3))
        page = Client().post(path(hot), demo_answers(hot, 3))
    assert page.status_code == 409 and "déjà répondu" in unescape(page.content.decode())
    assert Response.objects.filter(invitation=hot).count() == 1
    assert Response.objects.get(invitation=hot).answers == before


def test_a_tampered_or_forged_link_is_refused(hot: Invitation, world: Any) -> None:
    token = services.token_for(hot)
    other = Invitation.objects.exclude(pk=hot.pk).first()
    forged = signing.Signer(salt="autre").sign_object({"i": other.pk, "n": other.nonce})
    wrong_nonce = signing.Signer(salt=services.TOKEN_SALT).sign_object({"i": hot.pk, "n": "x"})
    with at(DAY):
        for bad in (token[:-2] + "zz", token.replace(":", "a:", 1), forged, wrong_nonce):
            with pytest.raises(ValidationError, match="Ce lien n'est pas valide"):
                services.invitation_from_token(bad)
        page = Client().get(f"/questionnaire/{token[:-1]}x/")
    assert page.status_code == 400 and "Ce lien n'est pas valide" in unescape(page.content.decode())
    assert not Response.objects.exists()


def test_the_link_expires_after_sixty_days(hot: Invitation) -> None:
    assert hot.expires_at == datetime.combine(DAY, time(9), tzinfo=clock.PARIS) + timedelta(days=60)
    with clock.frozen(hot.expires_at - timedelta(seconds=1)):
        assert services.invitation_from_token(services.token_for(hot)) == hot
    with clock.frozen(hot.expires_at):
        with pytest.raises(ValidationError, match="ouvert jusqu'au 15 mai 2026"):
            services.submit(token=services.token_for(hot), data=demo_answers(hot, 0))
    assert not Response.objects.exists()


def test_missing_and_wrong_answers_come_back_in_french_and_nothing_is_recorded(hot: Invitation) -> None:
    scale = next(q for q in hot.snapshot if q["type"] == "scale5")
    with at(DAY):
        page = Client().post(path(hot), {f"q{scale['key']}": "9"})
    text = unescape(page.content.decode())
    assert page.status_code == 400
    assert "Choisissez une note de 1 à 5." in text and "réponses manquent ou ne conviennent pas" in text
    assert 'aria-invalid' in text or "aria-describedby" in text
    assert not Response.objects.exists()


def test_a_quiz_is_scored_and_keeps_the_questions_it_asked(world: Any) -> None:
    quiz = Questionnaire.objects.create(organisation=world.org, kind="learning", audience="learner",
                                        title="Quiz management", scoring="quiz")
    question = services.question_save(actor=world.admin, organisation=world.org, question=Question(
        questionnaire=quiz, text="Le feedback doit être…", type="single",
        choices="Rapide et précis\nReporté au bilan annuel", correct="Rapide et précis"))
    services.question_save(actor=world.admin, organisation=world.org, question=Question(
        questionnaire=quiz, text="Outils de délégation", type="multiple",
        choices="Matrice RACI\nMicro-management\nObjectifs SMART", correct="Matrice RACI\nObjectifs SMART"))
    with at(DAY, 9):
        services.send_for_session(world.session, today=DAY)
    invitation = Invitation.objects.get(questionnaire=quiz, enrolment=world.enrolments[1])
    # The organisation rewords the question afterwards: the invitation keeps what it asked.
    question.text = "Un bon feedback est…"
    services.question_save(actor=world.admin, organisation=world.org, question=question)
    keys = [q["key"] for q in invitation.snapshot]
    assert invitation.snapshot[0]["text"] == "Le feedback doit être…"
    from django.utils.datastructures import MultiValueDict
    data = MultiValueDict({f"q{keys[0]}": ["Rapide et précis"], f"q{keys[1]}": ["Matrice RACI"]})
    with at(DAY):
        response = services.submit(token=services.token_for(invitation), data=data)
    assert (response.score, response.max_score) == (Decimal(1), Decimal(2))


def test_choices_and_right_answers_are_checked_when_a_question_is_saved(world: Any) -> None:
    quiz = Questionnaire.objects.create(organisation=world.org, kind="learning", audience="learner",
                                        title="Quiz", scoring="quiz")
    for choices, correct, message in (("Oui", "", "au moins deux réponses"),
                                      ("Oui\nNon", "Peut-être", "« Peut-être » n'est pas"),
                                      ("Oui\nNon", "Oui\nNon", "qu'une bonne réponse")):
        with pytest.raises(ValidationError, match=message):
            services.question_save(actor=world.admin, organisation=world.org, question=Question(
                questionnaire=quiz, text="Q", type="single", choices=choices, correct=correct))
    assert not quiz.questions.exists()


def test_trainer_grading_out_of_twenty(world: Any, hot: Invitation) -> None:
    learning = Invitation.objects.get(kind="learning", enrolment=world.enrolments[0])
    with at(DAY):
        response = services.submit(token=services.token_for(learning), data=demo_answers(learning, 0))
    with pytest.raises(ValidationError, match="note de 0 à 20"):
        services.grade(actor=world.admin, organisation=world.org, response=response, score="21")
    services.grade(actor=world.admin, organisation=world.org, response=response, score="14,5",
                   comment="Bonne progression")
    response.refresh_from_db()
    assert (response.score, response.max_score, response.grade_comment) == (
        Decimal("14.5"), Decimal(20), "Bonne progression")
