"""Staff pages (questionnaires, results with charts, CSV), the extranet list, the roles
that may see them, the Qualiopi evidence record and the demo data."""

from __future__ import annotations

from datetime import date, datetime, time
from html import unescape
from typing import Any

import pytest
from django.test import Client

from ofelia.core import clock
from ofelia.surveys import selectors, services
from ofelia.surveys.demo import demo_answers, load_surveys
from ofelia.surveys.models import Invitation, Questionnaire

DAY = date(2026, 3, 16)


@pytest.fixture
def answered(world: Any) -> Any:
    with clock.frozen(datetime.combine(DAY, time(9))):
        services.send_for_session(world.session, today=DAY)
    with clock.frozen(datetime.combine(DAY, time(18))):
        for seed, invitation in enumerate(Invitation.objects.filter(kind="hot", audience="learner")[:2]):
            services.submit(token=services.token_for(invitation), data=demo_answers(invitation, seed))
    return world


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_session_results_show_rate_averages_charts_and_free_text(answered: Any) -> None:
    page = client_for(answered.admin).get(f"/gestion/questionnaires/session/{answered.session.pk}/")
    text = unescape(page.content.decode())
    assert page.status_code == 200
    assert "2 réponses sur 3 envois" in text and "taux de réponse 67 %" in text
    assert "Moyenne : <strong>4,5</strong> / 5" in text  # demo answers 5 and 4
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 5
    assert '<ul class="survey-texts"><li>« Les exercices pratiques étaient le point fort. »' in text
    training = client_for(answered.admin).get(
        f"/gestion/questionnaires/formation/{answered.session.training.pk}/")
    assert training.status_code == 200 and "toutes sessions" in training.content.decode()


def test_csv_export_one_row_per_answer_satisfaction_without_names(answered: Any) -> None:
    page = client_for(answered.admin).get(
        f"/gestion/questionnaires/session/{answered.session.pk}/?format=csv")
    body = b"".join(page.streaming_content if page.streaming else [page.content]).decode("utf-8-sig")
    lines = body.strip().split("\r\n")
    assert lines[0].startswith("Formation;Session du;Questionnaire")
    assert len(lines) == 1 + 2 * 7  # two answers to the seven questions of « à chaud »
    assert "Léa" not in body


def test_staff_edit_a_questionnaire_and_add_a_question(world: Any) -> None:
    client = client_for(world.admin)
    questionnaire = Questionnaire.objects.get(kind="hot", audience="learner")
    page = client.post(f"/gestion/questionnaires/{questionnaire.pk}/", {
        "text": "Le rythme de la formation", "type": "scale5", "choices": "", "correct": "",
        "required": "on", "position": "0", "action": "question"})
    assert page.status_code == 302
    assert questionnaire.questions.last().text == "Le rythme de la formation"
    page = client.post(f"/gestion/questionnaires/{questionnaire.pk}/", {
        "text": "Choix", "type": "single", "choices": "Seul", "correct": "", "position": "0"})
    assert "au moins deux réponses" in unescape(page.content.decode())
    assert client.get("/gestion/questionnaires/").status_code == 200


def test_roles_learners_and_trainers_cannot_read_results(answered: Any) -> None:
    for user in (answered.trainer_user, answered.learner_user):
        assert client_for(user).get(
            f"/gestion/questionnaires/session/{answered.session.pk}/").status_code == 403
        assert client_for(user).get("/gestion/questionnaires/").status_code == 403


def test_extranet_lists_what_a_person_was_sent(answered: Any) -> None:
    with clock.frozen(datetime.combine(DAY, time(19))):
        page = client_for(answered.trainer_user).get("/espace/questionnaires/")
        text = unescape(page.content.decode())
    assert page.status_code == 200 and "Bilan du formateur" in text and "Répondre" in text
    learner_page = unescape(client_for(answered.learner_user).get("/espace/questionnaires/").content.decode())
    assert "Votre satisfaction sur la formation" in learner_page  # Léa0's account
    assert "Répondu le" in learner_page


def test_evidence_for_counts_sent_and_answered_by_kind_and_audience(answered: Any) -> None:
    evidence = selectors.evidence_for(answered.org, date(2026, 3, 1), date(2026, 3, 31))
    assert evidence.sent[("hot", "learner")] == 3 and evidence.answered[("hot", "learner")] == 2
    assert evidence.sent[("hot", "client")] == 1 and ("hot", "client") not in evidence.answered
    assert evidence.session_ids == (answered.session.pk,)
    assert selectors.evidence_for(answered.org, date(2026, 4, 1), date(2026, 4, 30)).sent == {}


def test_demo_surveys_a_finished_session_through_the_services(world: Any) -> None:
    with clock.frozen(datetime(2026, 4, 20, 10)):
        loaded = load_surveys(world.org)
        assert load_surveys(world.org) == {}  # once
    assert loaded["session"] == world.session and loaded["answered"] < loaded["sent"]
    blocks = selectors.results(selectors.session_invitations(world.session))
    assert {b.kind for b in blocks} == {"positioning", "learning", "hot"}
    assert any(b.scores for b in blocks)  # the trainer's marks
