"""E-learning courses: versions of ordered modules, what each learner follows, SCORM attempts.

A training (modality e-learning) carries one course. Staff edit the draft version; a version
once published never changes (services refuse it), and a learner keeps the version they
started. Access to the modules is not stored: it is the rules core's answer (LRN-1, LRN-2)
computed from the learner's funding and their completions (`selectors.course_state`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from ofelia.core.models import TenantModel
from ofelia.core.storage import private_storage


class Course(TenantModel):
    training = models.OneToOneField("catalogue.Training", on_delete=models.PROTECT,
                                    related_name="course", verbose_name="formation")

    class Meta:
        ordering = ["training__title", "id"]
        verbose_name = "parcours en ligne"
        verbose_name_plural = "parcours en ligne"

    def __str__(self) -> str:
        return f"Parcours — {self.training.title}"


class CourseVersion(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions",
                               verbose_name="parcours")
    number = models.PositiveIntegerField("numéro de version")
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["course", "-number"]
        verbose_name = "version de parcours"
        verbose_name_plural = "versions de parcours"
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="course_version_number_unique"),
            # One draft at a time per course.
            models.UniqueConstraint(fields=["course"], condition=models.Q(published_at__isnull=True),
                                    name="course_one_draft"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def module_upload_to(instance: Module, filename: str) -> str:
    return (f"elearning/{instance.organisation_id}/course-{instance.version.course_id}/"
            f"v{instance.version.number}/{filename}")


class Module(TenantModel):
    class Kind(models.TextChoices):
        PAGE = "page", "Page (texte)"
        VIDEO = "video", "Vidéo"
        PDF = "pdf", "Document PDF"
        QUIZ = "quiz", "Quiz"
        SCORM = "scorm", "Paquet SCORM"

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="modules",
                                verbose_name="version")
    position = models.PositiveIntegerField("position")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    title = models.CharField("titre", max_length=200)
    # Core (the "montage" modules of LRN-2, opened one after the other) or extra content.
    is_core = models.BooleanField("module du parcours principal", default=True)
    body = models.TextField("texte", blank=True)
    url = models.URLField("adresse de la vidéo", blank=True)
    file = models.FileField("fichier", upload_to=module_upload_to, blank=True, max_length=300)
    # Quiz: [{"question": "...", "choices": ["...", ...], "answer": 0}, ...]
    questions = models.JSONField("questions", default=list, blank=True)
    pass_mark = models.PositiveSmallIntegerField("note de passage (%)", default=60)
    # SCORM: the unpacked package (relative to MEDIA_ROOT), its launch file and standard.
    scorm_root = models.CharField("dossier du paquet", max_length=300, blank=True)
    scorm_launch = models.CharField("fichier de lancement", max_length=300, blank=True)
    scorm_version = models.CharField("norme SCORM", max_length=10, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = "module"
        verbose_name_plural = "modules"
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="module_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class LearnerCourse(TenantModel):
    """A learner following a course: the version they started, their first access (RET-5)."""

    learner = models.ForeignKey("organisations.Learner", on_delete=models.CASCADE,
                                related_name="courses", verbose_name="stagiaire")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="learners",
                               verbose_name="parcours")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+",
                                verbose_name="version suivie")
    enrolment = models.ForeignKey("catalogue.Enrolment", on_delete=models.CASCADE,
                                  related_name="+", verbose_name="inscription")
    first_access_at = models.DateTimeField("premier accès", null=True, blank=True)

    class Meta:
        ordering = ["course", "learner__last_name", "id"]
        verbose_name = "suivi de parcours"
        verbose_name_plural = "suivis de parcours"
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="learner_course_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.course}"


class ModuleCompletion(models.Model):
    learner_course = models.ForeignKey(LearnerCourse, on_delete=models.CASCADE,
                                       related_name="completions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField("terminé le")
    how = models.CharField("comment", max_length=40)

    class Meta:
        ordering = ["completed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learner_course", "module"], name="module_completed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.module} terminé le {self.completed_at:%d/%m/%Y}"


class Attempt(models.Model):
    """One attempt of a learner at a SCORM module: the latest tracking data the runtime
    committed (commits carry a rising sequence number; a replayed one changes nothing)."""

    learner_course = models.ForeignKey(LearnerCourse, on_delete=models.CASCADE,
                                       related_name="attempts")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("tentative")
    seq = models.BigIntegerField("dernier envoi", default=0)
    completion = models.CharField("achèvement", max_length=20, blank=True)
    success = models.CharField("réussite", max_length=20, blank=True)
    score = models.DecimalField("score", max_digits=7, decimal_places=2, null=True, blank=True)
    session_time = models.CharField("durée de session", max_length=40, blank=True)
    suspend_data = models.TextField("données de reprise", blank=True)
    cmi = models.JSONField("données cmi", default=dict, blank=True)
    commits = models.PositiveIntegerField("envois", default=0)
    started_at = models.DateTimeField("commencée le")
    updated_at = models.DateTimeField("mise à jour le")

    class Meta:
        ordering = ["learner_course", "module", "number"]
        constraints = [
            models.UniqueConstraint(fields=["learner_course", "module", "number"],
                                    name="attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Tentative {self.number} — {self.module}"


# --- certification (LRN-3, LRN-4) ---------------------------------------------------------

# Evaluation videos are private (`core.storage`): read back only through the app's checked
# view (learner, their trainer, staff).


def evaluation_upload_to(instance: Evaluation, filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:8]
    return (f"elearning/{instance.organisation_id}/evaluations/lc-{instance.learner_course_id}/"
            f"{uuid.uuid4().hex}{suffix}")


class Evaluation(TenantModel):
    """The evaluation video a learner sends for the certification (LRN-3), within the deadline
    the rules core gives (LRN-4), and the trainer's grade."""

    class Result(models.TextChoices):
        PENDING = "pending", "En attente de correction"
        PASSED = "passed", "Réussie"
        FAILED = "failed", "Non réussie"

    learner_course = models.OneToOneField(LearnerCourse, on_delete=models.CASCADE,
                                          related_name="evaluation", verbose_name="suivi")
    video = models.FileField("vidéo", upload_to=evaluation_upload_to, storage=private_storage,
                             max_length=300)
    content_type = models.CharField("type de fichier", max_length=60)
    size = models.PositiveBigIntegerField("taille (octets)")
    submitted_at = models.DateTimeField("transmise le")
    result = models.CharField("résultat", max_length=10, choices=Result.choices,
                              default=Result.PENDING)
    comment = models.TextField("commentaire du formateur", blank=True)
    graded_at = models.DateTimeField("corrigée le", null=True, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "id"]
        verbose_name = "évaluation"
        verbose_name_plural = "évaluations"

    def __str__(self) -> str:
        return f"Évaluation — {self.learner_course}"


class EvaluationReminder(models.Model):
    """One reminder sent before the LRN-4 deadline: the unique row makes the daily job
    idempotent (a rerun the same day, or the next day, sends nothing twice)."""

    learner_course = models.ForeignKey(LearnerCourse, on_delete=models.CASCADE,
                                       related_name="evaluation_reminders")
    deadline = models.DateField("échéance")
    days_before = models.PositiveSmallIntegerField("jours avant l'échéance")
    sent_at = models.DateTimeField("envoyé le")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner_course", "deadline", "days_before"],
                                    name="evaluation_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"Rappel J-{self.days_before} — {self.learner_course}"


# --- trainer contact (issue 12, item 7) ---------------------------------------------------

class Conversation(TenantModel):
    """The thread between a learner and the trainer(s) of their session, for one course."""

    learner_course = models.OneToOneField(LearnerCourse, on_delete=models.CASCADE,
                                          related_name="conversation", verbose_name="suivi")
    created_at = models.DateTimeField("ouverte le")
    last_message_at = models.DateTimeField("dernier message le")

    class Meta:
        ordering = ["-last_message_at", "id"]
        verbose_name = "conversation avec le formateur"
        verbose_name_plural = "conversations avec les formateurs"

    def __str__(self) -> str:
        return f"Conversation — {self.learner_course}"


class Message(models.Model):
    """One message of a conversation. `read_at` is set when the other side opens the thread
    (for the trainer side, any trainer of the session)."""

    MAX_LENGTH = 4000

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages",
                                     verbose_name="conversation")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name="auteur")
    from_learner = models.BooleanField("écrit par le stagiaire")
    body = models.TextField("message")
    sent_at = models.DateTimeField("envoyé le")
    read_at = models.DateTimeField("lu le", null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = "message"
        verbose_name_plural = "messages"
        indexes = [models.Index(fields=["conversation", "from_learner", "read_at"],
                                name="message_unread_idx")]

    def __str__(self) -> str:
        return f"Message du {self.sent_at:%d/%m/%Y %H:%M}"
