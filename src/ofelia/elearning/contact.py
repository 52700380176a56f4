"""Trainer contact (issue 12, item 7): a learner writes to the trainer(s) of their session
from the course; a trainer answers from their extranet; each message e-mails the other side
(`course_message`). One conversation per learner course. Who may read or write is decided
here, for the views and the tests alike: the learner of the course and the trainers of their
session (or, when the session names none, of the training) write; an administrator of the
organisation reads; nobody else sees the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from ofelia.core import audit, clock
from ofelia.notifications.services import notify

from .models import Conversation, LearnerCourse, Message


def trainer_users(learner_course: LearnerCourse) -> QuerySet[Any]:
    """The accounts of the learner's trainers: the session's, else the training's."""
    User = get_user_model()
    session = learner_course.enrolment.session
    active = Q(memberships__is_active=True, memberships__organisation_id=learner_course.organisation_id)
    by_session = User.objects.filter(active, memberships__trainer_profile__sessions=session)
    if by_session.exists():
        return by_session.distinct()
    return User.objects.filter(
        active, memberships__trainer_profile__trainings=session.training_id).distinct()


def is_trainer_of(learner_course: LearnerCourse, user: Any) -> bool:
    return trainer_users(learner_course).filter(pk=user.pk).exists()


def french_number(n: int) -> str:
    """4000 → « 4 000 » (narrow no-break space, as French typesetting wants)."""
    return f"{n:,}".replace(",", "\u202f")


def clean_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Écrivez votre message avant de l'envoyer.")
    if len(text) > Message.MAX_LENGTH:
        raise ValidationError(f"Message trop long : {french_number(len(text))} caractères, "
                              f"{french_number(Message.MAX_LENGTH)} au plus.")
    return text


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def message_post(*, actor: Any, learner_course: LearnerCourse, body: str, link_base: str = "") -> Message:
    """A message from the learner (to their trainers) or from one of their trainers (to the
    learner). Refused, nothing written, from anyone else or when empty or too long."""
    text = clean_body(body)
    lc = (LearnerCourse.objects.select_related("learner", "course__training", "enrolment__session",
                                               "organisation").get(pk=learner_course.pk))
    from_learner = lc.learner.user_id == actor.pk
    trainers = list(trainer_users(lc))
    if not from_learner and actor.pk not in {u.pk for u in trainers}:
        raise ValidationError("Seuls le stagiaire et les formateurs de sa session écrivent dans "
                              "cette conversation.")
    if from_learner and not trainers:
        raise ValidationError("Aucun formateur n'est encore désigné pour votre session : "
                              "contactez l'organisme de formation.")
    now = clock.now()
    conversation, created = Conversation.objects.select_for_update().get_or_create(
        learner_course=lc, defaults={"organisation": lc.organisation, "created_at": now,
                                     "last_message_at": now})
    if not created:
        conversation.last_message_at = now
        conversation.save(update_fields=["last_message_at"])
    message = Message.objects.create(conversation=conversation, author=actor,
                                     from_learner=from_learner, body=text, sent_at=now)
    # The text itself is in the message row; the audit says who wrote when, not what.
    audit.record(actor=actor, action="elearning.course_message", organisation=lc.organisation,
                 obj=conversation, after={"message": message.pk, "from_learner": from_learner,
                                          "length": len(text)})
    title = lc.course.training.title
    sender = f"{lc.learner.first_name} {lc.learner.last_name}".strip() if from_learner else _name(actor)
    if from_learner:
        link = link_base + reverse("elearning:trainer-conversation", args=[conversation.pk])
        for trainer in trainers:
            notify(organisation=lc.organisation, kind="course_message", to=trainer.email,
                   about=conversation, context={"first_name": trainer.first_name, "sender": sender,
                                                "title": title, "message": text,
                                                "link": link if link_base else ""})
    else:
        link = link_base + reverse("elearning:my-contact", args=[lc.pk])
        notify(organisation=lc.organisation, kind="course_message", to=lc.learner.email,
               about=conversation, context={"first_name": lc.learner.first_name, "sender": sender,
                                            "title": title, "message": text,
                                            "link": link if link_base else ""})
    return message


def conversations_combine(*, kept: LearnerCourse, other: LearnerCourse) -> int:
    """Before `other` is deleted (two follow-ups of one course combined when two learners are
    merged), its messages join `kept`'s conversation instead of cascading away. Returns the
    number of messages moved."""
    source = Conversation.objects.filter(learner_course=other).first()
    if source is None:
        return 0
    target = Conversation.objects.filter(learner_course=kept).first()
    if target is None:
        source.learner_course = kept
        source.save(update_fields=["learner_course"])
        return source.messages.count()
    moved = source.messages.update(conversation=target)
    target.last_message_at = max(target.last_message_at, source.last_message_at)
    target.save(update_fields=["last_message_at"])
    source.delete()
    return moved


def mark_read(conversation: Conversation, *, by_learner: bool) -> int:
    """The other side's messages are read now (the thread was opened by this side)."""
    return (conversation.messages.filter(from_learner=not by_learner, read_at__isnull=True)
            .update(read_at=clock.now()))


# --- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    conversation: Conversation | None
    messages: list[Message]


def thread_of(learner_course: LearnerCourse) -> Thread:
    conversation = Conversation.objects.filter(learner_course=learner_course).first()
    messages = (list(conversation.messages.select_related("author")) if conversation else [])
    return Thread(conversation, messages)


def unread_for_learner(learner_course: LearnerCourse) -> int:
    return Message.objects.filter(conversation__learner_course=learner_course, from_learner=False,
                                  read_at__isnull=True).count()


def trainer_conversations(*, organisation: Any, user: Any) -> QuerySet[Conversation]:
    """The conversations of a trainer's learners (session's trainer, or training's when the
    session names none), each with `unread` = the learner's messages not yet read."""
    mine = (Q(learner_course__enrolment__session__trainers__membership__user=user)
            | (Q(learner_course__enrolment__session__trainers__isnull=True)
               & Q(learner_course__enrolment__session__training__trainers__membership__user=user)))
    ids = (Conversation.objects.for_organisation(organisation).filter(mine).values("pk"))
    return (Conversation.objects.filter(pk__in=ids)
            .select_related("learner_course__learner", "learner_course__course__training",
                            "learner_course__enrolment__session")
            .annotate(unread=Count("messages", filter=Q(messages__from_learner=True,
                                                        messages__read_at__isnull=True)))
            .order_by("-last_message_at", "id"))


def course_conversations(*, course: Any) -> QuerySet[Conversation]:
    """Staff: the conversations of one course."""
    return (Conversation.objects.filter(learner_course__course=course)
            .select_related("learner_course__learner")
            .annotate(count=Count("messages")).order_by("-last_message_at", "id"))


def menu_entries(request: Any, membership: Any) -> list[Any]:
    """« Messages » in a trainer's extranet menu, with the count of unread messages."""
    from ofelia.organisations.models import Role

    organisation = getattr(request, "organisation", None)
    if organisation is None or membership.role != Role.TRAINER:
        return []
    unread = (Message.objects.filter(conversation__in=trainer_conversations(
        organisation=organisation, user=request.user).values("pk"), from_learner=True,
        read_at__isnull=True).count())
    return [("elearning:trainer-conversations",
             f"Messages ({unread} non lu{'s' if unread > 1 else ''})" if unread else "Messages")]
