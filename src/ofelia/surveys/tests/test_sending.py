"""Sending: the right questionnaires to the right people on the right day, once; reminders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.notifications.models import SentMail
from ofelia.surveys import services
from ofelia.surveys.demo import demo_answers
from ofelia.surveys.models import Invitation, Questionnaire
from ofelia.surveys.tasks import surveys_daily

DAY = date(2026, 3, 16)  # the world's one-day session


def run(day: date) -> dict[str, int]:
    with clock.frozen(datetime.combine(day, time(9))):
        return surveys_daily()


def test_last_day_sends_evaluation_and_hot_satisfaction_to_learners_client_and_trainer(world: Any) -> None:
    # positioning (its first day too), evaluation and satisfaction: 3 learners, 1 client, 1 trainer
    assert run(DAY) == {"invited": 3 + 3 + 3 + 1 + 1, "reminded": 0}
    sent = Invitation.objects.filter(session=world.session)
    by = {(i.kind, i.audience) for i in sent}
    assert by == {("positioning", "learner"), ("learning", "learner"), ("hot", "learner"),
                  ("hot", "client"), ("hot", "trainer")}
    assert sent.get(audience="client").email == "chloe@acme.example"  # one contact per company
    assert sent.get(audience="trainer").user == world.trainer_user
    assert SentMail.objects.filter(kind="survey_invitation").count() == sent.count()
    body = SentMail.objects.get(to="chloe@acme.example").body
    assert "« Satisfaction de l'entreprise cliente »" in body and "/questionnaire/" in body
    assert "jusqu'au 15 mai 2026" in body  # sixty days to answer, dated in French


def test_the_daily_run_twice_sends_once(world: Any) -> None:
    first = run(DAY)["invited"]
    assert first > 0
    assert run(DAY) == {"invited": 0, "reminded": 0}
    assert Invitation.objects.count() == first == SentMail.objects.filter(kind="survey_invitation").count()
    assert AuditEntry.objects.filter(action="survey.invitation_send").count() == first


def test_cold_satisfaction_waits_for_the_organisations_delay_to_the_day(world: Any) -> None:
    Questionnaire.objects.filter(kind="cold").update(delay_days=30)
    run(DAY)
    run(DAY + timedelta(days=29))
    assert not Invitation.objects.filter(kind="cold").exists()
    run(DAY + timedelta(days=30))
    cold = Invitation.objects.filter(kind="cold")
    assert {i.audience for i in cold} == {"learner", "client"} and cold.count() == 4
    assert {i.due_on for i in cold} == {DAY + timedelta(days=30)}


def test_a_finished_session_is_not_surveyed_long_after_and_an_inactive_questionnaire_never(world: Any) -> None:
    Questionnaire.objects.filter(kind="hot", audience="trainer").update(is_active=False)
    assert run(DAY + timedelta(days=15))["invited"] == 0
    run(DAY)
    assert not Invitation.objects.filter(audience="trainer").exists()


def test_reminders_after_the_delay_once_per_step_and_not_after_an_answer(world: Any) -> None:
    run(DAY)
    answered = Invitation.objects.filter(kind="hot", audience="trainer").get()
    with clock.frozen(datetime.combine(DAY, time(18))):
        services.submit(token=services.token_for(answered), data=demo_answers(answered, 1))
    pending = Invitation.objects.exclude(pk=answered.pk).count()
    assert run(DAY + timedelta(days=6))["reminded"] == 0
    assert run(DAY + timedelta(days=7))["reminded"] == pending
    assert run(DAY + timedelta(days=7))["reminded"] == 0  # twice the same day: once
    assert run(DAY + timedelta(days=14))["reminded"] == pending
    assert run(DAY + timedelta(days=30))["reminded"] == 0  # two reminders at most
    assert SentMail.objects.filter(kind="survey_reminder", to=answered.email).count() == 0
    assert SentMail.objects.filter(kind="survey_reminder").count() == 2 * pending
