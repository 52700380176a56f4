"""Certification writes (LRN-3, LRN-4): the learner's evaluation video, the trainer's grade,
the reminders before the deadline. The deadline itself is never computed here: it is the
rules core's (`selectors.course_state`), the same as `ofelia simulate` for the same facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from ofelia.core import audit, clock
from ofelia.rules.french import fr_date

from . import selectors
from .models import Evaluation, EvaluationReminder, LearnerCourse

# Video formats a browser plays and their first bytes (the declared type is checked against
# the file itself: a renamed executable is refused).
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mp4", "video/webm": "webm"}
REMINDER_DAYS = (14, 7, 1)


def max_video_bytes() -> int:
    return int(getattr(settings, "EVALUATION_VIDEO_MAX_BYTES", 300 * 1024 * 1024))


def _sniff(head: bytes) -> str:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return ""


def check_video(upload: Any) -> str:
    """The upload's content type, or a French refusal (nothing written)."""
    if upload is None:
        raise ValidationError("Choisissez le fichier de votre vidéo d'évaluation.")
    limit = max_video_bytes()
    if upload.size > limit:
        raise ValidationError(f"Vidéo trop volumineuse : {upload.size / 1_048_576:.0f} Mo, "
                              f"la limite est de {limit // 1_048_576} Mo.")
    if upload.size == 0:
        raise ValidationError("Le fichier envoyé est vide.")
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    family = VIDEO_TYPES.get(declared)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if family is None or _sniff(head) != family:
        raise ValidationError("Format refusé : envoyez une vidéo MP4, MOV ou WebM.")
    return declared


@transaction.atomic
def evaluation_submit(*, actor: Any, learner_course: LearnerCourse, upload: Any) -> Evaluation:
    content_type = check_video(upload)
    lc = LearnerCourse.objects.select_for_update().get(pk=learner_course.pk)
    state = selectors.course_state(lc)
    if state.evaluation is not None:
        raise ValidationError("Votre vidéo d'évaluation a déjà été transmise.")
    if not state.core_done or state.submission_by is None:
        raise ValidationError("La vidéo d'évaluation se transmet une fois tous les modules du "
                              "parcours principal terminés (LRN-3).")
    if clock.today() > state.submission_by:
        raise ValidationError("Délai dépassé : " + state.deadline_explanation)
    evaluation = Evaluation(organisation=lc.organisation, learner_course=lc,
                            content_type=content_type, size=upload.size, submitted_at=clock.now())
    evaluation.video.save(upload.name or "evaluation.mp4", upload, save=False)
    evaluation.save()
    audit.record(actor=actor, action="elearning.evaluation_submit", organisation=lc.organisation,
                 obj=evaluation, after={"size": upload.size, "content_type": content_type,
                                        "deadline": state.submission_by})
    return evaluation


def trainer_evaluations(*, organisation: Any, user: Any) -> QuerySet[Evaluation]:
    """The evaluations of the learners of a trainer's sessions (or trainings)."""
    return (Evaluation.objects.for_organisation(organisation)
            .filter(Q(learner_course__enrolment__session__trainers__membership__user=user)
                    | Q(learner_course__enrolment__session__training__trainers__membership__user=user))
            .select_related("learner_course__learner", "learner_course__course__training",
                            "learner_course__enrolment__session", "graded_by")
            .distinct().order_by("result", "-submitted_at"))


def may_view(evaluation: Evaluation, *, organisation: Any, user: Any, staff: bool) -> bool:
    if evaluation.organisation_id != organisation.pk:
        return False
    if staff or evaluation.learner_course.learner.user_id == user.pk:
        return True
    return trainer_evaluations(organisation=organisation, user=user).filter(pk=evaluation.pk).exists()


@transaction.atomic
def evaluation_grade(*, actor: Any, evaluation: Evaluation, result: str, comment: str) -> Evaluation:
    if result not in (Evaluation.Result.PASSED, Evaluation.Result.FAILED):
        raise ValidationError("Choisissez « réussie » ou « non réussie ».")
    comment = comment.strip()
    if len(comment) > 5000:
        raise ValidationError("Commentaire trop long (5 000 caractères au plus).")
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    before = {"result": evaluation.result, "comment": evaluation.comment}
    evaluation.result, evaluation.comment = result, comment
    evaluation.graded_at, evaluation.graded_by = clock.now(), actor
    evaluation.save(update_fields=["result", "comment", "graded_at", "graded_by"])
    audit.record(actor=actor, action="elearning.evaluation_grade", organisation=evaluation.organisation,
                 obj=evaluation, before=before, after={"result": result, "comment": comment})
    return evaluation


def attestation_lines(enrolment: Any) -> list[str]:
    """The graded certification of an e-learning learner, as printed in the « résultats de
    l'évaluation des acquis » of the attestation de fin de formation (L6353-1); registered
    with attendance from `apps.ElearningConfig.ready`. Nothing while not graded."""
    from django.utils import timezone

    from ofelia.core.templatetags.ofelia_ui import date_fr

    evaluation = (Evaluation.objects.filter(learner_course__enrolment=enrolment,
                                            organisation_id=enrolment.organisation_id,
                                            graded_at__isnull=False)
                  .exclude(result=Evaluation.Result.PENDING)
                  .select_related("graded_by", "learner_course__course__training").first())
    if evaluation is None or evaluation.graded_at is None:
        return []
    grader = evaluation.graded_by
    by = f" par {grader.get_full_name() or grader.get_username()}" if grader is not None else ""
    lines = [f"Certification (évaluation en ligne, vidéo transmise le "
             f"{date_fr(timezone.localtime(evaluation.submitted_at).date())}) : "
             f"{evaluation.get_result_display().lower()}, corrigée le "
             f"{date_fr(timezone.localtime(evaluation.graded_at).date())}{by}."]
    if evaluation.comment:
        lines.append(f"Appréciation du formateur : « {evaluation.comment} »")
    return lines


def evaluation_reminders(*, today: date | None = None) -> int:
    """Daily: remind every learner whose core modules are done and who has not sent their
    video, 14, 7 and 1 days before the core's deadline. Idempotent (one row per reminder)."""
    today = today or clock.today()
    sent = 0
    candidates = (LearnerCourse.objects.filter(evaluation__isnull=True, first_access_at__isnull=False)
                  .select_related("learner", "course__training", "enrolment__session", "version",
                                  "organisation"))
    for lc in candidates.iterator():
        state = selectors.course_state(lc)
        if state.submission_by is None or today > state.submission_by:
            continue
        left = (state.submission_by - today).days
        due = [d for d in REMINDER_DAYS if left <= d]
        if not due:
            continue
        days = min(due)
        try:
            with transaction.atomic():
                EvaluationReminder.objects.create(learner_course=lc, deadline=state.submission_by,
                                                  days_before=days, sent_at=clock.now())
        except IntegrityError:
            continue
        if lc.learner.email:
            send_mail(subject=f"Rappel : vidéo d'évaluation à transmettre avant le "
                              f"{fr_date(state.submission_by)}",
                      message=(f"Bonjour {lc.learner.first_name},\n\nVotre vidéo d'évaluation pour "
                               f"« {lc.course.training.title} » est attendue au plus tard le "
                               f"{fr_date(state.submission_by)}.\n{state.deadline_explanation}\n"),
                      from_email=None, recipient_list=[lc.learner.email], fail_silently=True)
        sent += 1
    return sent
