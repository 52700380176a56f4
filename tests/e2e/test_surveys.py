"""Issue 11 item 4 in a real browser, on the demo data: the daily run sends today's
satisfaction survey; a learner answers it on her phone from the e-mailed link (no login),
is told in French what is missing, answers, cannot answer twice; staff then read the
session's results with their charts from the session page."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ofelia.catalogue.models import TrainingSession
from ofelia.notifications.models import SentMail
from ofelia.surveys.models import Invitation, Response
from ofelia.surveys.tasks import surveys_daily

from .test_accessibility import _violations
from .test_accessibility import axe_source as axe_source  # noqa: F401 — the fixture, shared
from .test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]


def test_learner_answers_on_a_phone_from_the_mail_and_staff_see_the_chart(
        page: Any, browser: Any, live_server: Any, results_dir: Any, axe_source: str) -> None:  # noqa: F811
    session = TrainingSession.objects.get(place__contains="émargement (démonstration)",
                                          organisation__slug="dixneuf")
    assert surveys_daily()["invited"] > 0  # the beat task: today is the session's last day
    invitation = Invitation.objects.filter(session=session, kind="hot", audience="learner").first()
    mail = SentMail.objects.get(kind="survey_invitation", about_id=invitation.pk)
    assert mail.to == invitation.email and "Votre satisfaction sur la formation" in mail.subject
    link = re.search(r"https?://\S+/questionnaire/\S+/", unescape(mail.body)).group(0)

    phone_context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                        viewport={"width": 390, "height": 844},
                                        user_agent="Mozilla/5.0 (iPhone) Demo Phone")
    phone = phone_context.new_page()
    statuses: list[int] = []
    phone.on("response", lambda r: statuses.append(r.status))
    try:
        phone.goto(urlsplit(link).path)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Votre satisfaction sur la formation")
        questions = invitation.snapshot
        # Only the first mark given: the page says, in French, what is missing.
        phone.get_by_role("group", name=re.compile(questions[0]["text"])).get_by_label("5").check()
        phone.get_by_role("button", name="Envoyer mes réponses").click()
        expect(phone.get_by_role("alert")).to_contain_text("réponses manquent ou ne conviennent pas")
        expect(phone.locator(".field-error").first).to_have_text("Choisissez une réponse.")
        phone.screenshot(path=str(results_dir / "surveys-phone-errors.png"), full_page=True)
        assert _violations(phone, axe_source) == []  # the form, with its errors shown
        for question, mark in zip(questions, ["5", "4", "5", "4", "Adaptée", "9", ""], strict=True):
            if question["type"] == "text":
                phone.get_by_label(question["text"]).fill("Très concret, merci !")
            else:
                phone.get_by_role("group", name=re.compile(re.escape(question["text"]))) \
                    .get_by_label(mark, exact=True).check()
        phone.screenshot(path=str(results_dir / "surveys-phone-filled.png"), full_page=True)
        phone.get_by_role("button", name="Envoyer mes réponses").click()
        expect(phone.get_by_role("status")).to_contain_text("Vos réponses au questionnaire")
        # The same link again: thanked, nothing changed.
        phone.goto(urlsplit(link).path)
        expect(phone.get_by_role("alert")).to_contain_text("Vous avez déjà répondu à ce questionnaire")
    finally:
        phone_context.close()
    assert Response.objects.get(invitation=invitation).answers[questions[4]["key"]] == "Adaptée"
    assert 500 not in statuses

    log_in(page, "admin@dixneuf.demo")
    page.goto(f"/ventes/sessions/{session.pk}/")
    page.get_by_role("link", name="Questionnaires et satisfaction de la session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaires")
    block = page.locator("section.survey-results").filter(has_text="Votre satisfaction sur la formation")
    expect(block).to_contain_text("1 réponse sur")
    chart = block.locator("svg.survey-chart").first
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text(questions[0]["text"])
    expect(block).to_contain_text("« Très concret, merci ! »")
    page.screenshot(path=str(results_dir / "surveys-staff-results.png"), full_page=True)
    assert _violations(page, axe_source) == []
    # The demo's finished session has answered surveys: charts and the trainer's marks.
    past = Invitation.objects.filter(session__organisation__slug="dixneuf", response__isnull=False) \
        .exclude(session=session).values_list("session_id", flat=True).first()
    response = page.goto(f"/gestion/questionnaires/session/{past}/")
    assert response.status == 200
    expect(page.locator("svg.survey-chart").first).to_be_visible()
    page.screenshot(path=str(results_dir / "surveys-staff-demo-session.png"), full_page=True)
