"""Writes of the e-learning app: building courses, following them, tracking (house style:
keyword-only, one transaction, an audit row for every change a person makes)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from ofelia.catalogue.models import Enrolment, Modality, Training
from ofelia.core import audit, clock
from ofelia.notifications.services import notify
from ofelia.rules.french import fr_instant
from ofelia.sales.models import Contract, Order
from ofelia.sales.orders import DIGITAL_CONSENT_TEXT

from . import scorm
from .models import Attempt, Course, CourseVersion, LearnerCourse, Module, ModuleCompletion

MAX_SUSPEND_DATA = 64_000  # SCORM 2004 SPM of cmi.suspend_data
MAX_CMI_BYTES = 128 * 1024
CONSENT_TEXT = DIGITAL_CONSENT_TEXT


def _editable(version: CourseVersion) -> None:
    if version.is_published:
        raise ValidationError(f"La version {version.number} est publiée : elle ne change plus. "
                              "Créez une nouvelle version pour la modifier.")


@transaction.atomic
def course_create(*, actor: Any, organisation: Any, training: Training) -> Course:
    if training.organisation_id != organisation.pk:
        raise ValidationError("Cette formation appartient à un autre organisme.")
    if training.modality != Modality.ELEARNING:
        raise ValidationError("Seule une formation en e-learning porte un parcours en ligne.")
    if Course.objects.filter(training=training).exists():
        raise ValidationError("Cette formation a déjà un parcours.")
    course = Course.objects.create(organisation=organisation, training=training)
    CourseVersion.objects.create(organisation=organisation, course=course, number=1)
    audit.record(actor=actor, action="elearning.course_create", organisation=organisation,
                 obj=course, after={"training": training.reference})
    return course


def _next_position(version: CourseVersion) -> int:
    return (version.modules.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def module_add(*, actor: Any, version: CourseVersion, kind: str, title: str, is_core: bool = True,
               body: str = "", url: str = "", file: Any = None, questions: list[dict[str, Any]] | None = None,
               pass_mark: int = 60) -> Module:
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    _editable(version)
    if kind not in Module.Kind.values or kind == Module.Kind.SCORM:
        raise ValidationError("Type de module inconnu (un paquet SCORM s'ajoute par téléversement).")
    if not title.strip():
        raise ValidationError({"title": "Le titre du module est obligatoire."})
    if kind == Module.Kind.VIDEO and not (url or file):
        raise ValidationError({"url": "Une vidéo demande une adresse ou un fichier."})
    if kind == Module.Kind.PDF and not file:
        raise ValidationError({"file": "Un module PDF demande son fichier."})
    if kind == Module.Kind.QUIZ:
        questions = _check_questions(questions or [])
    if not 0 < pass_mark <= 100:
        raise ValidationError({"pass_mark": "La note de passage est un pourcentage de 1 à 100."})
    module = Module(organisation=version.organisation, version=version, kind=kind,
                    title=title.strip(), is_core=is_core, body=body, url=url,
                    questions=questions or [], pass_mark=pass_mark,
                    position=_next_position(version))
    if file:
        module.file = file
    module.save()
    audit.record(actor=actor, action="elearning.module_add", organisation=version.organisation,
                 obj=module, after=audit.snapshot(module, ["kind", "title", "is_core", "position"]))
    return module


def _check_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not questions:
        raise ValidationError({"questions": "Un quiz demande au moins une question."})
    for n, q in enumerate(questions, start=1):
        choices = q.get("choices") or []
        answer = q.get("answer")
        if not str(q.get("question", "")).strip() or len(choices) < 2:
            raise ValidationError({"questions": f"Question {n} : un énoncé et au moins deux réponses."})
        if not isinstance(answer, int) or not 0 <= answer < len(choices):
            raise ValidationError({"questions": f"Question {n} : la bonne réponse n'est pas parmi les choix."})
    return questions


@transaction.atomic
def scorm_upload(*, actor: Any, version: CourseVersion, title: str, upload: IO[bytes], size: int,
                 is_core: bool = True) -> Module:
    """Validate a SCORM zip (scorm.inspect), then unpack it under media for this version."""
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    _editable(version)
    package = scorm.inspect(upload, size=size)
    module = Module.objects.create(
        organisation=version.organisation, version=version, kind=Module.Kind.SCORM,
        title=(title.strip() or package.title or "Module SCORM")[:200], is_core=is_core,
        position=_next_position(version), scorm_launch=package.launch,
        scorm_version=package.version)
    root = (f"elearning/{version.organisation_id}/course-{version.course_id}/v{version.number}/"
            f"scorm-{module.pk}")
    upload.seek(0)
    scorm.unpack(upload, Path(settings.MEDIA_ROOT) / root)
    module.scorm_root = root
    module.save(update_fields=["scorm_root"])
    audit.record(actor=actor, action="elearning.scorm_upload", organisation=version.organisation,
                 obj=module, after={"title": module.title, "scorm_version": package.version,
                                    "launch": package.launch, "files": package.files,
                                    "bytes": package.unpacked_bytes})
    return module


@transaction.atomic
def module_move(*, actor: Any, module: Module, up: bool) -> None:
    version = CourseVersion.objects.select_for_update().get(pk=module.version_id)
    _editable(version)
    modules = list(version.modules.order_by("position"))
    index = next(i for i, m in enumerate(modules) if m.pk == module.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(modules):
        return
    a, b = modules[index], modules[other_index]
    pa, pb = a.position, b.position
    Module.objects.filter(pk=a.pk).update(position=0)
    Module.objects.filter(pk=b.pk).update(position=pa)
    Module.objects.filter(pk=a.pk).update(position=pb)
    audit.record(actor=actor, action="elearning.module_move", organisation=version.organisation,
                 obj=a, before={"position": pa}, after={"position": pb})


@transaction.atomic
def module_delete(*, actor: Any, module: Module) -> None:
    version = CourseVersion.objects.select_for_update().get(pk=module.version_id)
    _editable(version)
    audit.record(actor=actor, action="elearning.module_delete", organisation=version.organisation,
                 obj=module, before=audit.snapshot(module, ["kind", "title", "position"]))
    module.delete()


@transaction.atomic
def version_publish(*, actor: Any, version: CourseVersion) -> CourseVersion:
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    _editable(version)
    if not version.modules.exists():
        raise ValidationError("Une version sans module ne se publie pas.")
    version.published_at = clock.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["published_at", "published_by"])
    audit.record(actor=actor, action="elearning.version_publish", organisation=version.organisation,
                 obj=version, after={"number": version.number, "published_at": version.published_at})
    return version


@transaction.atomic
def version_new_draft(*, actor: Any, course: Course) -> CourseVersion:
    """A new draft, copying the latest published version's modules (their files are shared:
    a published version's files never change)."""
    if course.versions.filter(published_at__isnull=True).exists():
        raise ValidationError("Une version en préparation existe déjà.")
    latest = course.versions.order_by("-number").first()
    draft = CourseVersion.objects.create(organisation=course.organisation, course=course,
                                         number=(latest.number if latest else 0) + 1)
    for m in (latest.modules.all() if latest else []):
        m.pk = None
        m.id = None
        m.version = draft
        m._state.adding = True
        m.save()
    audit.record(actor=actor, action="elearning.version_new_draft", organisation=course.organisation,
                 obj=draft, after={"number": draft.number})
    return draft


# --- following a course -----------------------------------------------------------------


@transaction.atomic
def learner_course_start(*, actor: Any, enrolment: Enrolment, course: Course) -> LearnerCourse:
    """The learner's follow-up of the course, pinned to the version published when they
    start (LRN: they keep it). Idempotent."""
    existing = LearnerCourse.objects.filter(learner=enrolment.learner, course=course).first()
    if existing is not None:
        return existing
    version = course.versions.filter(published_at__isnull=False).order_by("-number").first()
    if version is None:
        raise ValidationError("Ce parcours n'est pas encore publié.")
    try:
        with transaction.atomic():
            lc = LearnerCourse.objects.create(organisation=course.organisation,
                                              learner=enrolment.learner, course=course,
                                              version=version, enrolment=enrolment)
    except IntegrityError:  # a concurrent first visit created it
        return LearnerCourse.objects.get(learner=enrolment.learner, course=course)
    audit.record(actor=actor, action="elearning.course_start", organisation=course.organisation,
                 obj=lc, after={"version": version.number})
    return lc


@transaction.atomic
def access_consent_record(*, actor: Any, learner_course: LearnerCourse, contract: Contract,
                          consent: bool) -> LearnerCourse:
    """RET-5 before the first access: with `consent`, the express consent and renunciation
    are recorded on the online order (before the access) and confirmed by e-mail on commit;
    without it, the first access is recorded and the retraction right stays open."""
    lc = LearnerCourse.objects.select_for_update().get(pk=learner_course.pk)
    if lc.first_access_at is not None:
        return lc
    order = Order.objects.select_for_update().filter(contract=contract).first()
    now = clock.now()
    if consent and order is not None and order.digital_consent_at is None:
        order.digital_consent_at = now
        order.digital_consent_text = CONSENT_TEXT
        order.save(update_fields=["digital_consent_at", "digital_consent_text"])
        audit.record(actor=actor, action="elearning.access_consent", organisation=lc.organisation,
                     obj=order, after={"digital_consent_at": now, "text": CONSENT_TEXT})
        notify(organisation=lc.organisation, kind="digital_consent", to=order.consumer.email,
               about=order, context={"title": lc.course.training.title, "number": order.number,
                                     "at": f"{fr_instant(now)}", "consent_text": CONSENT_TEXT})
    # The access strictly follows the consent (L221-28 13° read narrowly by the core).
    lc.first_access_at = clock.now()
    if order is not None and order.digital_consent_at is not None and lc.first_access_at <= order.digital_consent_at:
        lc.first_access_at = order.digital_consent_at + timedelta(microseconds=1)
    lc.save(update_fields=["first_access_at"])
    audit.record(actor=actor, action="elearning.first_access", organisation=lc.organisation, obj=lc,
                 after={"first_access_at": lc.first_access_at, "with_consent": bool(
                     order is not None and order.digital_consent_at is not None)})
    return lc


@transaction.atomic
def first_access_record(*, actor: Any, learner_course: LearnerCourse) -> None:
    """The first opening of a module when no consent was asked (no retraction to end)."""
    updated = LearnerCourse.objects.filter(pk=learner_course.pk, first_access_at__isnull=True).update(
        first_access_at=clock.now())
    if updated:
        learner_course.refresh_from_db(fields=["first_access_at"])
        audit.record(actor=actor, action="elearning.first_access",
                     organisation=learner_course.organisation, obj=learner_course,
                     after={"first_access_at": learner_course.first_access_at})


@transaction.atomic
def module_complete(*, actor: Any, learner_course: LearnerCourse, module: Module, how: str) -> bool:
    """Mark the module done (once; the first date stays). True when newly completed."""
    if module.version_id != learner_course.version_id:
        raise ValidationError("Ce module n'appartient pas à la version suivie.")
    _, created = ModuleCompletion.objects.get_or_create(
        learner_course=learner_course, module=module,
        defaults={"completed_at": clock.now(), "how": how})
    if created:
        audit.record(actor=actor, action="elearning.module_complete",
                     organisation=learner_course.organisation, obj=learner_course,
                     after={"module": module.title, "how": how})
    return created


def quiz_score(module: Module, answers: dict[int, int | None]) -> int:
    good = sum(1 for i, q in enumerate(module.questions) if answers.get(i) == q.get("answer"))
    return round(100 * good / len(module.questions)) if module.questions else 0


# --- SCORM tracking ---------------------------------------------------------------------


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    else:
        out[prefix] = data
    return out


def cmi_summary(cmi: Any) -> dict[str, str]:
    """completion, success, score, session_time, suspend_data from a SCORM 1.2 or 2004 commit
    (nested JSON or flattened "cmi.core.lesson_status" keys)."""
    flat = {k.removeprefix("cmi."): v for k, v in _flatten(cmi).items()}

    def get(*names: str) -> str:
        return next((str(flat[n]) for n in names if flat.get(n) not in (None, "")), "")

    status12 = get("core.lesson_status")
    completion = get("completion_status") or (
        "completed" if status12 in ("completed", "passed") else status12)
    success = get("success_status") or (status12 if status12 in ("passed", "failed") else "")
    return {
        "completion": completion[:20],
        "success": success[:20],
        "score": get("score.raw", "core.score.raw"),
        "session_time": get("session_time", "core.session_time")[:40],
        "suspend_data": get("suspend_data"),
    }


def tracking_commit(*, learner_course: LearnerCourse, module: Module, attempt: int, seq: int,
                    cmi: Any) -> tuple[bool, bool]:
    """`tracking_store` for a learner course and a module checked here (SCORM, of the version
    the learner follows). The endpoint skips this check: its signed token was only issued for
    such a pair (`tracking.tracking_token`)."""
    if module.version_id != learner_course.version_id or module.kind != Module.Kind.SCORM:
        raise ValidationError("Ce module n'est pas un module SCORM de la version suivie.")
    return tracking_store(learner_course_id=learner_course.pk, module_id=module.pk, attempt=attempt,
                          seq=seq, cmi=cmi)


def _attempt_upsert_sql() -> str:
    table = connection.ops.quote_name(Attempt._meta.db_table)
    columns = [connection.ops.quote_name(Attempt._meta.get_field(name).column) for name in UPSERT_FIELDS]
    updated = [c for name, c in zip(UPSERT_FIELDS, columns, strict=True) if name in UPSERT_UPDATED]
    key = ", ".join(columns[:3])
    commits, seq = (connection.ops.quote_name(Attempt._meta.get_field(n).column) for n in ("commits", "seq"))
    sets = ", ".join([f"{c} = EXCLUDED.{c}" for c in updated] + [f"{commits} = {table}.{commits} + 1"])
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {table}.{seq} < EXCLUDED.{seq} "
            f"RETURNING {table}.{commits}")


# learner_course, module, number first: they are the conflict key (attempt_number_unique).
UPSERT_FIELDS = ("learner_course", "module", "number", "seq", "completion", "success", "score",
                 "session_time", "suspend_data", "cmi", "commits", "started_at", "updated_at")
UPSERT_UPDATED = {"seq", "completion", "success", "score", "session_time", "suspend_data", "cmi",
                  "updated_at"}


def tracking_store(*, learner_course_id: int, module_id: int, attempt: int, seq: int,
                   cmi: Any) -> tuple[bool, bool]:
    """Store a runtime commit on its attempt in one statement (INSERT … ON CONFLICT DO UPDATE,
    PostgreSQL and SQLite alike). Idempotent: a commit whose `seq` is not above the stored one
    changes nothing. Bounded: suspend data and the whole cmi are capped. Returns (stored,
    module newly completed); only a completing commit reads more (the completion, audited)."""
    if not 1 <= attempt <= 1000 or seq < 1 or seq >= 2**63:
        raise ValidationError("Numéro de tentative ou d'envoi invalide.")
    if len(json.dumps(cmi)) > MAX_CMI_BYTES:
        raise ValidationError("Données de suivi trop volumineuses.")
    summary = cmi_summary(cmi)
    if len(summary["suspend_data"]) > MAX_SUSPEND_DATA:
        raise ValidationError(f"suspend_data dépasse {MAX_SUSPEND_DATA} caractères.")
    try:
        score: Decimal | None = Decimal(summary["score"]) if summary["score"] else None
    except InvalidOperation:
        score = None
    if score is not None and (not score.is_finite() or abs(score) >= 10**5):
        score = None
    now = clock.now()
    values = {"learner_course": learner_course_id, "module": module_id, "number": attempt, "seq": seq,
              "completion": summary["completion"], "success": summary["success"], "score": score,
              "session_time": summary["session_time"], "suspend_data": summary["suspend_data"],
              "cmi": cmi, "commits": 1, "started_at": now, "updated_at": now}
    params = [Attempt._meta.get_field(name).get_db_prep_save(values[name], connection)
              for name in UPSERT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_attempt_upsert_sql(), params)
        stored = cursor.fetchone() is not None
    done = False
    if stored and (summary["completion"] == "completed" or summary["success"] == "passed"):
        learner_course = LearnerCourse.objects.select_related("organisation").get(pk=learner_course_id)
        module = Module.objects.get(pk=module_id, version_id=learner_course.version_id)
        done = module_complete(actor=None, learner_course=learner_course, module=module,
                               how=f"scorm:{summary['success'] or summary['completion']}")
    return stored, done
