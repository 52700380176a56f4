"""Writes of the surveys app: questionnaires edited by the organisation, the daily sending
and reminders (idempotent), answers through a signed single-use link, trainer grading."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core import audit, clock
from ofelia.core.templatetags.ofelia_ui import date_fr
from ofelia.notifications.services import notify
from ofelia.organisations.models import CompanyContact, Organisation

from . import logic
from .defaults import DEFAULTS
from .models import Audience, Invitation, Question, Questionnaire, QuestionType, Response, Scoring

TOKEN_SALT = "ofelia.surveys.invitation"
ANSWER_DAYS = 60  # a link works for sixty days after it was sent
QUESTIONNAIRE_FIELDS = ["kind", "audience", "title", "intro", "is_active", "scoring",
                        "delay_days", "reminder_days"]
QUESTION_FIELDS = ["text", "type", "choices", "correct", "required", "position"]


# --- Questionnaires ----------------------------------------------------------------------

@transaction.atomic
def ensure_defaults(organisation: Organisation) -> int:
    """The default questionnaires, created once: an organisation that has any keeps its own."""
    if Questionnaire.objects.for_organisation(organisation).exists():
        return 0
    for kind, audience, title, intro, scoring, questions in DEFAULTS:
        questionnaire = Questionnaire.objects.create(
            organisation=organisation, kind=kind, audience=audience, title=title, intro=intro,
            scoring=scoring)
        Question.objects.bulk_create(
            Question(organisation=organisation, questionnaire=questionnaire, position=index,
                     text=text, type=type_, choices=choices, correct=correct, required=required)
            for index, (text, type_, choices, correct, required) in enumerate(questions, start=1))
    return len(DEFAULTS)


def _check_question(question: Question) -> None:
    choices = logic.lines(question.choices)
    if not question.text.strip():
        raise ValidationError("Écrivez la question.")
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(choices) < 2:
        raise ValidationError("Une question à choix propose au moins deux réponses, une par ligne.")
    wrong = [c for c in logic.lines(question.correct) if c not in choices]
    if wrong:
        raise ValidationError(f"« {wrong[0]} » n'est pas l'une des réponses proposées.")
    if question.type == QuestionType.SINGLE and len(logic.lines(question.correct)) > 1:
        raise ValidationError("Une question à choix unique n'a qu'une bonne réponse.")
    if question.correct.strip() and question.type not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        raise ValidationError("Seules les questions à choix ont des bonnes réponses.")


@transaction.atomic
def questionnaire_save(*, actor: Any, organisation: Organisation, questionnaire: Questionnaire) -> Questionnaire:
    if questionnaire.pk and questionnaire.organisation_id != organisation.pk:
        raise ValidationError("Ce questionnaire appartient à un autre organisme.")
    before = None
    if questionnaire.pk:
        before = audit.snapshot(Questionnaire.objects.get(pk=questionnaire.pk), QUESTIONNAIRE_FIELDS)
    questionnaire.organisation = organisation
    questionnaire.save()
    audit.record(actor=actor, action="survey.questionnaire_save", organisation=organisation,
                 obj=questionnaire, before=before,
                 after=audit.snapshot(questionnaire, QUESTIONNAIRE_FIELDS))
    return questionnaire


@transaction.atomic
def question_save(*, actor: Any, organisation: Organisation, question: Question) -> Question:
    """Add or change a question. Invitations already sent keep their own copy of it."""
    if question.questionnaire.organisation_id != organisation.pk:
        raise ValidationError("Ce questionnaire appartient à un autre organisme.")
    _check_question(question)
    before = None
    if question.pk:
        before = audit.snapshot(Question.objects.get(pk=question.pk), QUESTION_FIELDS)
    elif not question.position:
        question.position = question.questionnaire.questions.count() + 1
    question.organisation = organisation
    question.save()
    audit.record(actor=actor, action="survey.question_save", organisation=organisation,
                 obj=question, before=before, after=audit.snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def question_delete(*, actor: Any, organisation: Organisation, question: Question) -> None:
    if question.organisation_id != organisation.pk:
        raise ValidationError("Cette question appartient à un autre organisme.")
    audit.record(actor=actor, action="survey.question_delete", organisation=organisation,
                 obj=question, before=audit.snapshot(question, QUESTION_FIELDS))
    question.delete()


def snapshot_of(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    return [{"key": str(q.pk), "text": q.text, "type": q.type,
             "choices": logic.lines(q.choices), "correct": logic.lines(q.correct),
             "required": q.required} for q in questionnaire.questions.all()]


# --- Recipients ----------------------------------------------------------------------------

def _client_contact(company: Any) -> CompanyContact | None:
    """The company's contact with an extranet account, else its first contact with an address."""
    contacts = (CompanyContact.objects.for_organisation(company.organisation)
                .filter(company=company).exclude(email=""))
    return contacts.filter(user__isnull=False).order_by("id").first() or contacts.order_by("id").first()


@dataclass(frozen=True)
class Recipient:
    key: str  # "enrolment:12", "contact:3", "trainer:4": one invitation per key
    name: str
    email: str
    user: Any = None
    enrolment: Enrolment | None = None


def recipients(session: TrainingSession, audience: str) -> list[Recipient]:
    """The people of a session for an audience: confirmed learners; for each client company
    of those learners one contact; the session's trainers. Nobody without an address."""
    enrolments = list(Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED)
                      .select_related("learner__company").order_by("id"))
    if audience == Audience.LEARNER:
        return [Recipient(f"enrolment:{e.pk}", f"{e.learner.first_name} {e.learner.last_name}",
                          e.learner.email, e.learner.user, e) for e in enrolments if e.learner.email]
    if audience == Audience.CLIENT:
        found = []
        companies = {e.learner.company_id: e.learner.company for e in enrolments if e.learner.company_id}
        for company in companies.values():
            contact = _client_contact(company)
            if contact is not None:
                found.append(Recipient(f"contact:{contact.pk}", str(contact), contact.email,
                                       contact.user))
        return found
    return [Recipient(f"trainer:{t.pk}", str(t), t.membership.user.email, t.membership.user)
            for t in session.trainers.select_related("membership__user").order_by("id")
            if t.membership.user.email]


# --- Sending -----------------------------------------------------------------------------

def public_url(path: str) -> str:
    return str(settings.OFELIA_PUBLIC_URL).rstrip("/") + path


def token_for(invitation: Invitation) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign_object({"i": invitation.pk, "n": invitation.nonce})


def link_for(invitation: Invitation) -> str:
    return public_url(link_path(invitation))


def _mail(invitation: Invitation, *, kind: str) -> None:
    first_name = invitation.name.split(" ")[0] if invitation.audience != Audience.CLIENT else ""
    notify(organisation=invitation.organisation, kind=kind, to=invitation.email, about=invitation,
           context={"first_name": first_name, "questionnaire": invitation.title,
                    "title": invitation.session.training.title,
                    "start_date": date_fr(invitation.session.start_date),
                    "link": link_for(invitation),
                    "until": date_fr(invitation.expires_at.astimezone(clock.PARIS).date())})


def send_for_session(session: TrainingSession, *, today: date, now: datetime | None = None) -> list[Invitation]:
    """Every active questionnaire due today for this session, to each of its people not yet
    invited. Run twice, it sends once (the unique recipient; a race loses on the constraint)."""
    now = now or clock.now()
    organisation = session.organisation
    created: list[Invitation] = []
    questionnaires = (Questionnaire.objects.for_organisation(organisation).filter(is_active=True)
                      .prefetch_related("questions"))
    for questionnaire in questionnaires:
        window = logic.send_window(questionnaire.kind, start=session.start_date,
                                   end=session.end_date, delay_days=questionnaire.delay_days)
        if not window.contains(today):
            continue
        done = set(Invitation.objects.filter(questionnaire=questionnaire, session=session)
                   .values_list("recipient", flat=True))
        snapshot = snapshot_of(questionnaire)
        for person in recipients(session, questionnaire.audience):
            if person.key in done:
                continue
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        organisation=organisation, questionnaire=questionnaire, session=session,
                        kind=questionnaire.kind, audience=questionnaire.audience, recipient=person.key,
                        enrolment=person.enrolment, user=person.user, name=person.name[:300],
                        email=person.email,
                        title=questionnaire.title, intro=questionnaire.intro,
                        scoring=questionnaire.scoring, snapshot=snapshot,
                        nonce=secrets.token_hex(16), due_on=window.due_on, sent_at=now,
                        expires_at=now + timedelta(days=ANSWER_DAYS))
                    _mail(invitation, kind="survey_invitation")
            except IntegrityError:
                continue  # another run invited this person meanwhile
            audit.record(actor=None, action="survey.invitation_send", organisation=organisation,
                         obj=invitation, after={"to": person.email, "kind": invitation.kind,
                                                "audience": invitation.audience,
                                                "session": session.pk})
            created.append(invitation)
    return created


def sessions_to_survey(today: date) -> Any:
    """Sessions that may have a questionnaire due today, whatever the organisation: those
    starting within a week, or that ended at most the longest delay plus the window ago."""
    longest = max([q for q in Questionnaire.objects.filter(is_active=True, kind="cold")
                   .values_list("delay_days", flat=True)] or [0])
    earliest_end = today - timedelta(days=longest + logic.SEND_WINDOW_DAYS)
    return (TrainingSession.objects.filter(
        start_date__lte=today + timedelta(days=logic.POSITIONING_AHEAD_DAYS),
        end_date__gte=earliest_end)
        .select_related("training", "organisation").order_by("id"))


def reminders_run(*, today: date) -> int:
    """Remind whoever has not answered, each `reminder_days`, at most twice, before expiry."""
    now = clock.now()
    sent = 0
    pending = (Invitation.objects.filter(response__isnull=True, expires_at__gt=now, reminders__lt=2)
               .select_related("questionnaire", "session__training", "organisation"))
    for invitation in pending.iterator():
        if not logic.reminder_due(sent_on=invitation.sent_at.astimezone(clock.PARIS).date(),
                                  reminders=invitation.reminders,
                                  every_days=invitation.questionnaire.reminder_days, today=today):
            continue
        with transaction.atomic():
            locked = (Invitation.objects.select_for_update()
                      .filter(pk=invitation.pk, reminders=invitation.reminders).first())
            if locked is None or Response.objects.filter(invitation=locked).exists():
                continue  # reminded by another run, or answered, meanwhile
            locked.reminders += 1
            locked.last_reminded_at = now
            locked.save(update_fields=["reminders", "last_reminded_at"])
            _mail(locked, kind="survey_reminder")
            sent += 1
    return sent


def daily(*, today: date | None = None) -> dict[str, int]:
    today = today or clock.today()
    invited = 0
    for organisation_id in (TrainingSession.objects.values_list("organisation_id", flat=True)
                            .distinct().order_by()):
        ensure_defaults(Organisation.objects.get(pk=organisation_id))
    for session in sessions_to_survey(today):
        invited += len(send_for_session(session, today=today))
    return {"invited": invited, "reminded": reminders_run(today=today)}


# --- Answering -----------------------------------------------------------------------------

def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, or a French refusal (tampered, unknown, expired)."""
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError("Ce lien n'est pas valide : utilisez le lien reçu par courriel.") from exc
    invitation = (Invitation.objects.select_related("session__training", "organisation")
                  .filter(pk=pk, nonce=nonce).first())
    if invitation is None:
        raise ValidationError("Ce lien n'est pas valide : utilisez le lien reçu par courriel.")
    if clock.now() >= invitation.expires_at:
        raise ValidationError(
            f"Ce questionnaire était ouvert jusqu'au "
            f"{date_fr(invitation.expires_at.astimezone(clock.PARIS).date())} : il est maintenant fermé.")
    return invitation


class AnswersInvalid(ValidationError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Certaines réponses manquent ou ne conviennent pas.")
        self.errors = errors


@transaction.atomic
def submit(*, token: str, data: Any, ip_address: str | None = None) -> Response:
    """Record the answers once. A second submission is refused and changes nothing."""
    found = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if Response.objects.filter(invitation=invitation).exists():
        raise ValidationError("Vous avez déjà répondu à ce questionnaire : merci ! "
                              "Votre première réponse est conservée.")
    answers, errors = logic.read_answers(invitation.snapshot, data)
    if errors:
        raise AnswersInvalid(errors)
    score = total = None
    if invitation.scoring == Scoring.QUIZ:
        score, total = logic.quiz_score(invitation.snapshot, answers)
    response = Response.objects.create(
        organisation=invitation.organisation, invitation=invitation, answers=answers,
        submitted_at=clock.now(), ip_address=ip_address, score=score, max_score=total)
    audit.record(actor=None, action="survey.response", organisation=invitation.organisation,
                 obj=response, after={"invitation": invitation.pk, "score": score})
    return response


@transaction.atomic
def grade(*, actor: Any, organisation: Organisation, response: Response, score: str,
          comment: str = "") -> Response:
    """The trainer's (or staff's) mark out of 20 for an evaluation of learning."""
    if response.organisation_id != organisation.pk:
        raise ValidationError("Cette réponse appartient à un autre organisme.")
    if response.invitation.scoring != Scoring.TRAINER:
        raise ValidationError("Ce questionnaire n'est pas noté par le formateur.")
    try:
        value = Decimal(score.replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ValidationError("Saisissez une note de 0 à 20, par exemple 14,5.") from exc
    if not Decimal(0) <= value <= Decimal(20):
        raise ValidationError("Saisissez une note de 0 à 20, par exemple 14,5.")
    before = audit.snapshot(response, ["score", "grade_comment"])
    response.score, response.max_score = value, Decimal(20)
    response.grade_comment, response.graded_by = comment.strip()[:500], actor
    response.save(update_fields=["score", "max_score", "grade_comment", "graded_by"])
    audit.record(actor=actor, action="survey.grade", organisation=organisation, obj=response,
                 before=before, after=audit.snapshot(response, ["score", "grade_comment"]))
    return response


def link_path(invitation: Invitation) -> str:
    return reverse("surveys:answer", args=[token_for(invitation)])
