"""Trainer contact (issue 12, item 7): who may read and write a learner's conversation, the
e-mails each message sends, unread marks, and the French refusals that store nothing."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.catalogue.models import Trainer
from ofelia.core.audit import AuditEntry
from ofelia.elearning import contact
from ofelia.elearning.models import Conversation, Message
from ofelia.notifications.models import SentMail
from ofelia.organisations.models import Membership, Role
from ofelia.sales.tests.conftest import make_organisation, make_user

from .conftest import World, build_world


@pytest.fixture
def tworld(db: Any) -> World:
    return build_world(core=1, extra=0)


def trainer_of(world: World) -> Any:
    return world.course.training.trainers.get().membership.user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_learner_writes_trainer_is_mailed_and_answers_learner_is_mailed(tworld: World) -> None:
    trainer = trainer_of(tworld)
    learner = client_for(tworld.cpf_user)
    url = reverse("elearning:my-contact", args=[tworld.cpf_lc.pk])
    page = learner.get(url)
    assert page.status_code == 200 and "Aucun message" in page.content.decode()
    learner.post(url, {"body": "Bonjour, je bloque sur le module 1."})
    conversation = Conversation.objects.get(learner_course=tworld.cpf_lc)
    mail = SentMail.objects.get(kind="course_message")
    assert mail.to == trainer.email and mail.about_id == conversation.pk
    assert "je bloque sur le module 1" in mail.body
    assert reverse("elearning:trainer-conversation", args=[conversation.pk]) in mail.body
    assert AuditEntry.objects.filter(action="elearning.course_message").count() == 1

    teacher = client_for(trainer)
    listing = teacher.get(reverse("elearning:trainer-conversations")).content.decode()
    assert "Camille" in listing and "1 non lu" in listing
    menu = teacher.get(reverse("elearning:trainer-evaluations")).content.decode()
    assert "Messages (1 non lu)" in menu
    thread = teacher.get(reverse("elearning:trainer-conversation", args=[conversation.pk]))
    assert "je bloque sur le module 1" in thread.content.decode()
    assert Message.objects.get().read_at is not None  # read by the trainer side now
    assert "non lu" not in teacher.get(reverse("elearning:trainer-conversations")).content.decode()
    teacher.post(reverse("elearning:trainer-conversation", args=[conversation.pk]),
                 {"body": "Relisez la page 2, puis refaites l'exercice."})
    answer = SentMail.objects.filter(kind="course_message").latest("id")
    assert answer.to == tworld.cpf_user.email and "Relisez la page 2" in answer.body

    course_page = learner.get(reverse("elearning:my-course", args=[tworld.cpf_lc.pk])).content.decode()
    assert "1 nouveau message" in course_page
    thread = learner.get(url).content.decode()
    assert "Relisez la page 2" in thread and "(formateur)" in thread
    assert contact.unread_for_learner(tworld.cpf_lc) == 0


@pytest.mark.parametrize("body, error", [
    ("   ", "Écrivez votre message"),
    ("x" * (Message.MAX_LENGTH + 1), "Message trop long"),
])
def test_empty_or_too_long_message_is_refused_in_french_and_nothing_is_stored(
        tworld: World, body: str, error: str) -> None:
    learner = client_for(tworld.cpf_user)
    response = learner.post(reverse("elearning:my-contact", args=[tworld.cpf_lc.pk]), {"body": body},
                            follow=True)
    assert error in response.content.decode()
    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert not SentMail.objects.filter(kind="course_message").exists()


def test_nobody_outside_the_conversation_reads_or_writes(tworld: World) -> None:
    trainer = trainer_of(tworld)
    message = contact.message_post(actor=tworld.cpf_user, learner_course=tworld.cpf_lc, body="Question")
    conversation = message.conversation
    thread = reverse("elearning:trainer-conversation", args=[conversation.pk])
    # Another learner of the same session: their own thread only, never Camille's.
    other_learner = client_for(tworld.self_user)
    assert other_learner.get(reverse("elearning:my-contact", args=[tworld.cpf_lc.pk])).status_code == 404
    assert other_learner.post(reverse("elearning:my-contact", args=[tworld.cpf_lc.pk]),
                              {"body": "intrus"}).status_code == 404
    assert other_learner.get(thread).status_code == 403
    # A trainer of the organisation who does not train this session.
    stranger = make_user(tworld.org, Role.TRAINER)
    assert client_for(stranger).get(thread).status_code == 404
    assert client_for(stranger).post(thread, {"body": "intrus"}).status_code == 404
    assert "Camille" not in client_for(stranger).get(reverse("elearning:trainer-conversations")).content.decode()
    with pytest.raises(ValidationError, match="Seuls le stagiaire"):
        contact.message_post(actor=stranger, learner_course=tworld.cpf_lc, body="intrus")
    # Another organisation's trainer (same role, other tenant) and its administrator.
    other = make_organisation("ailleurs", "laporte")
    for user in (make_user(other, Role.TRAINER), make_user(other, Role.ADMINISTRATOR)):
        assert client_for(user).get(thread).status_code in (403, 404)
        assert client_for(user).get(reverse("elearning:course-conversation", args=[
            tworld.course.pk, conversation.pk])).status_code in (403, 404)
    # Staff who is not administrator does not read it; the administrator does, read-only.
    assert client_for(tworld.staff).get(reverse("elearning:course-conversation", args=[
        tworld.course.pk, conversation.pk])).status_code == 403
    admin = client_for(make_user(tworld.org, Role.ADMINISTRATOR))
    listing = admin.get(reverse("elearning:course-conversations", args=[tworld.course.pk])).content.decode()
    assert "Camille" in listing
    page = admin.get(reverse("elearning:course-conversation", args=[tworld.course.pk, conversation.pk]))
    assert "Question" in page.content.decode() and "<textarea" not in page.content.decode()
    assert Message.objects.get().read_at is None  # an administrator's reading marks nothing
    assert Message.objects.count() == 1
    # The trainer of the training is the learner's trainer while the session names none.
    assert contact.is_trainer_of(tworld.cpf_lc, trainer)


def test_the_sessions_trainers_come_before_the_trainings(tworld: World) -> None:
    training_trainer = trainer_of(tworld)
    session_user = make_user(tworld.org, Role.TRAINER)
    session_trainer = Trainer.objects.create(organisation=tworld.org,
                                             membership=Membership.objects.get(user=session_user))
    tworld.cpf_lc.enrolment.session.trainers.add(session_trainer)
    contact.message_post(actor=tworld.cpf_user, learner_course=tworld.cpf_lc, body="Bonjour")
    assert list(SentMail.objects.filter(kind="course_message").values_list("to", flat=True)) == [session_user.email]
    conversation = Conversation.objects.get()
    assert client_for(session_user).get(
        reverse("elearning:trainer-conversation", args=[conversation.pk])).status_code == 200
    assert client_for(training_trainer).get(
        reverse("elearning:trainer-conversation", args=[conversation.pk])).status_code == 404
    with pytest.raises(ValidationError):
        contact.message_post(actor=training_trainer, learner_course=tworld.cpf_lc, body="Réponse")


def test_a_learner_without_trainer_is_told_so(tworld: World) -> None:
    tworld.course.training.trainers.clear()
    response = client_for(tworld.cpf_user).post(
        reverse("elearning:my-contact", args=[tworld.cpf_lc.pk]), {"body": "Bonjour"}, follow=True)
    assert "Aucun formateur n'est encore désigné" in html.unescape(response.content.decode())
    assert not Message.objects.exists()


def test_the_mail_template_is_the_organisations_own(tworld: World) -> None:
    from ofelia.notifications import services as notifications

    notifications.template_save(actor=tworld.staff, organisation=tworld.org, kind="course_message",
                                subject="Message de {{ sender }}", body="{{ message }} — {{ title }}")
    contact.message_post(actor=tworld.cpf_user, learner_course=tworld.cpf_lc, body="Une question")
    mail = SentMail.objects.get(kind="course_message")
    assert mail.subject == "Message de Camille Martin"
    assert mail.body.startswith("Une question — ")


def test_combining_two_follow_ups_keeps_every_message(tworld: World) -> None:
    """For the merge of two learners: the follow-up not kept is deleted afterwards, its
    conversation must not cascade away with it."""
    from ofelia.elearning.models import LearnerCourse

    trainer = trainer_of(tworld)
    contact.message_post(actor=tworld.cpf_user, learner_course=tworld.cpf_lc, body="Premier")
    contact.message_post(actor=trainer, learner_course=tworld.cpf_lc, body="Réponse")
    contact.message_post(actor=tworld.self_user, learner_course=tworld.self_lc, body="Autre")
    # Both have a conversation: the messages join the kept one, the other conversation goes.
    assert contact.conversations_combine(kept=tworld.self_lc, other=tworld.cpf_lc) == 2
    assert not Conversation.objects.filter(learner_course=tworld.cpf_lc).exists()
    assert sorted(m.body for m in contact.thread_of(tworld.self_lc).messages) == ["Autre", "Premier", "Réponse"]
    # The kept one has none: the other one's conversation is handed over whole.
    assert contact.conversations_combine(kept=tworld.cpf_lc, other=tworld.self_lc) == 3
    LearnerCourse.objects.filter(pk=tworld.self_lc.pk).delete()
    assert len(contact.thread_of(tworld.cpf_lc).messages) == 3
