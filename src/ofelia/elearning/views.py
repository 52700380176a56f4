"""Staff build courses; learners follow them. Thin views over services and selectors."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import Enrolment
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import certification, contact, selectors, services, tracking
from .models import Conversation, Evaluation, LearnerCourse, Message, Module

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
LEARNERS = (Role.LEARNER, Role.CONSUMER)
def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _course(request: HttpRequest, pk: int) -> Any:
    course = selectors.course_get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if course is None:
        raise Http404
    return course


def _staff_module(request: HttpRequest, course: Any, module_pk: int) -> Module:
    module = (Module.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
              .select_related("version").filter(pk=module_pk, version__course=course).first())
    if module is None:
        raise Http404
    return module


# --- staff --------------------------------------------------------------------------------


@tenant_required(*STAFF)
def course_list(request: HttpRequest) -> HttpResponse:
    trainings = selectors.elearning_trainings(organisation=request.organisation)  # type: ignore[attr-defined]
    if request.method == "POST":
        training = trainings.filter(pk=request.POST.get("training") or 0).first()
        if training is None:
            raise Http404
        try:
            course = services.course_create(actor=request.user, organisation=request.organisation,  # type: ignore[attr-defined]
                                            training=training)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("elearning:course-list")
        return redirect("elearning:course-edit", course.pk)
    rows = [(t, getattr(t, "course", None)) for t in trainings]
    return render(request, "elearning/course_list.html", {"rows": rows})


@tenant_required(*STAFF)
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    draft = selectors.draft_of(course)
    published = selectors.published_of(course)
    shown = draft or published
    return render(request, "elearning/course_edit.html", {
        "course": course, "draft": draft, "published": published,
        "modules": selectors.version_modules(shown) if shown else [],
        "versions": course.versions.all(), "kinds": [k for k in Module.Kind.choices if k[0] != "scorm"],
    })


def _questions_from(text: str) -> list[dict[str, Any]]:
    """One question per block: first line the question, then answers, the right one starting
    with '*'. Blocks separated by a blank line."""
    questions = []
    for block in [b for b in text.replace("\r", "").split("\n\n") if b.strip()]:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        choices = [line.lstrip("*").strip() for line in lines[1:]]
        answer = next((i for i, line in enumerate(lines[1:]) if line.startswith("*")), None)
        questions.append({"question": lines[0], "choices": choices, "answer": answer})
    return questions


@require_POST
@tenant_required(*STAFF)
def module_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    draft = selectors.draft_of(course)
    if draft is None:
        messages.error(request, "Aucune version en préparation : créez une nouvelle version.")
        return redirect("elearning:course-edit", pk)
    data = request.POST
    try:
        if data.get("kind") == "scorm":
            upload = request.FILES.get("package")
            if upload is None:
                raise ValidationError("Choisissez le fichier zip du paquet SCORM.")
            services.scorm_upload(actor=request.user, version=draft, title=data.get("title", ""),
                                  upload=upload, size=upload.size or 0,
                                  is_core=data.get("is_core") == "on")
        else:
            try:
                pass_mark = int(data.get("pass_mark") or 60)
            except ValueError as exc:
                raise ValidationError("La note de passage est un nombre.") from exc
            services.module_add(
                actor=request.user, version=draft, kind=data.get("kind", ""),
                title=data.get("title", ""), is_core=data.get("is_core") == "on",
                body=data.get("body", ""), url=data.get("url", ""), file=request.FILES.get("file"),
                questions=_questions_from(data.get("questions", "")), pass_mark=pass_mark)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Module ajouté.")
    return redirect("elearning:course-edit", pk)


@require_POST
@tenant_required(*STAFF)
def module_action(request: HttpRequest, pk: int, module_pk: int, action: str) -> HttpResponse:
    course = _course(request, pk)
    module = _staff_module(request, course, module_pk)
    try:
        if action in ("up", "down"):
            services.module_move(actor=request.user, module=module, up=action == "up")
        elif action == "delete":
            services.module_delete(actor=request.user, module=module)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("elearning:course-edit", pk)


@require_POST
@tenant_required(*STAFF)
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    course = _course(request, pk)
    try:
        if action == "publish":
            draft = selectors.draft_of(course)
            if draft is None:
                raise ValidationError("Aucune version en préparation à publier.")
            services.version_publish(actor=request.user, version=draft)
            messages.success(request, f"Version {draft.number} publiée : elle ne changera plus.")
        elif action == "new":
            services.version_new_draft(actor=request.user, course=course)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("elearning:course-edit", pk)


@tenant_required(*STAFF)
def course_progress(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    return render(request, "elearning/course_progress.html",
                  {"course": course, "states": selectors.course_progress(course=course)})


@tenant_required(*STAFF)
def module_preview(request: HttpRequest, pk: int, module_pk: int) -> HttpResponse:
    course = _course(request, pk)
    module = _staff_module(request, course, module_pk)
    content = (reverse("elearning:preview-content", args=[pk, module.pk, module.scorm_launch])
               if module.kind == Module.Kind.SCORM else "")
    return render(request, "elearning/module.html", {
        "module": module, "preview": True, "course": course, "content_url": content,
        "back": reverse("elearning:course-edit", args=[pk])})


@tenant_required(*STAFF)
def preview_content(request: HttpRequest, pk: int, module_pk: int, path: str) -> HttpResponse:
    module = _staff_module(request, _course(request, pk), module_pk)
    return _package_file(module, path)


# A SCORM package is authored elsewhere: its pages use inline scripts and styles and are
# shown in the player's frame, which the site-wide policy forbids. They keep the rest of it
# (same origin only, no plug-in, no framing by another site).
PACKAGE_CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])


def _package_file(module: Module, path: str) -> HttpResponse:
    """A file of an unpacked SCORM package, never outside its folder."""
    if module.kind != Module.Kind.SCORM or not module.scorm_root:
        raise Http404
    root = (Path(settings.MEDIA_ROOT) / module.scorm_root).resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    response = FileResponse(open(target, "rb"), content_type=kind)  # noqa: SIM115 — closed by Django
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = PACKAGE_CONTENT_SECURITY_POLICY
    return response


@tenant_required(*STAFF)
def module_file(request: HttpRequest, pk: int, module_pk: int) -> HttpResponse:
    module = _staff_module(request, _course(request, pk), module_pk)
    return _file_response(module)


def _file_response(module: Module) -> HttpResponse:
    if not module.file:
        raise Http404
    kind = "application/pdf" if module.kind == Module.Kind.PDF else (
        mimetypes.guess_type(module.file.name)[0] or "application/octet-stream")
    response = FileResponse(module.file.open("rb"), content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- learners -----------------------------------------------------------------------------


def _learner(request: HttpRequest) -> Any:
    learner = selectors.learner_of(organisation=request.organisation, user=request.user)  # type: ignore[attr-defined]
    if learner is None:
        raise Http404
    return learner


def _followed(request: HttpRequest, lc_pk: int) -> LearnerCourse:
    lc = selectors.learner_course_get(organisation=request.organisation,  # type: ignore[attr-defined]
                                      learner=_learner(request), pk=lc_pk)
    if lc is None:
        raise Http404
    return lc


@tenant_required(*LEARNERS)
def my_courses(request: HttpRequest) -> HttpResponse:
    learner = _learner(request)
    rows = selectors.courses_of_learner(organisation=request.organisation, learner=learner)  # type: ignore[attr-defined]
    return render(request, "elearning/my_courses.html", {"rows": rows})


@tenant_required(*LEARNERS)
def my_course_start(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    learner = _learner(request)
    enrolment = (Enrolment.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
                 .select_related("session__training").filter(pk=enrolment_pk, learner=learner,
                                                              status=Enrolment.Status.CONFIRMED).first())
    course = getattr(enrolment.session.training, "course", None) if enrolment else None
    if enrolment is None or course is None:
        raise Http404
    try:
        lc = services.learner_course_start(actor=request.user, enrolment=enrolment, course=course)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("elearning:my-courses")
    return redirect("elearning:my-course", lc.pk)


@tenant_required(*LEARNERS)
def my_course(request: HttpRequest, lc_pk: int) -> HttpResponse:
    lc = _followed(request, lc_pk)
    state = selectors.course_state(lc)
    return render(request, "elearning/my_course.html", {
        "lc": lc, "state": state, "consent_text": services.CONSENT_TEXT,
        "max_video_mb": certification.max_video_bytes() // 1_048_576,
        "unread_messages": contact.unread_for_learner(lc)})


@require_POST
@tenant_required(*LEARNERS)
def my_consent(request: HttpRequest, lc_pk: int) -> HttpResponse:
    lc = _followed(request, lc_pk)
    state = selectors.course_state(lc)
    if state.contract is None:
        raise Http404
    consent = request.POST.get("consent") == "on"
    services.access_consent_record(actor=request.user, learner_course=lc, contract=state.contract,
                                   consent=consent)
    if consent:
        messages.success(request, "Consentement enregistré ; une confirmation vous est envoyée par "
                                  "courriel. Votre droit de rétractation prend fin à ce premier accès.")
    else:
        messages.info(request, "Accès ouvert sans renonciation : votre droit de rétractation reste "
                               "entier jusqu'à la fin du délai.")
    target = request.POST.get("module")
    if target and target.isdigit() and state.row(int(target)):
        return redirect("elearning:my-module", lc.pk, int(target))
    return redirect("elearning:my-course", lc.pk)


def _open_row(request: HttpRequest, lc: LearnerCourse, module_pk: int) -> Any:
    state = selectors.course_state(lc)
    row = state.row(module_pk)
    if row is None:
        raise Http404
    return state, row


@tenant_required(*LEARNERS)
def my_module(request: HttpRequest, lc_pk: int, module_pk: int) -> HttpResponse:
    lc = _followed(request, lc_pk)
    state, row = _open_row(request, lc, module_pk)
    if state.needs_consent:
        return redirect(reverse("elearning:my-course", args=[lc.pk]) + f"?module={module_pk}")
    if not row.open:
        return render(request, "elearning/locked.html", {"lc": lc, "state": state, "row": row},
                      status=403)
    services.first_access_record(actor=request.user, learner_course=lc)
    module = row.module
    if module.kind == Module.Kind.PAGE:
        # A page is done once viewed.
        services.module_complete(actor=request.user, learner_course=lc, module=module, how="page:vue")
    attempt = row.attempt
    context = {
        "lc": lc, "state": state, "row": row, "module": module, "preview": False,
        "back": reverse("elearning:my-course", args=[lc.pk]),
        "attempt_number": attempt.number if attempt else 1,
        "attempt_seq": attempt.seq if attempt else 0,
        "suspend_data": attempt.suspend_data if attempt else "",
    }
    if module.kind == Module.Kind.SCORM:
        context["content_url"] = reverse("elearning:my-content", args=[lc.pk, module.pk, module.scorm_launch])
        context["commit_url"] = reverse("elearning:my-tracking", args=[lc.pk, module.pk])
        context["token"] = tracking.tracking_token(learner_course=lc, module=module, user=request.user,
                                                   session_key=request.session.session_key)
    return render(request, "elearning/module.html", context)


def _open_module(request: HttpRequest, lc_pk: int, module_pk: int) -> tuple[LearnerCourse, Module]:
    lc = _followed(request, lc_pk)
    state, row = _open_row(request, lc, module_pk)
    if not row.open or state.needs_consent:
        raise Http404
    return lc, row.module


@tenant_required(*LEARNERS)
def my_content(request: HttpRequest, lc_pk: int, module_pk: int, path: str) -> HttpResponse:
    _, module = _open_module(request, lc_pk, module_pk)
    return _package_file(module, path)


@tenant_required(*LEARNERS)
def my_file(request: HttpRequest, lc_pk: int, module_pk: int) -> HttpResponse:
    _, module = _open_module(request, lc_pk, module_pk)
    return _file_response(module)


@require_POST
@tenant_required(*LEARNERS)
def my_module_done(request: HttpRequest, lc_pk: int, module_pk: int) -> HttpResponse:
    lc, module = _open_module(request, lc_pk, module_pk)
    if module.kind == Module.Kind.QUIZ:
        answers: dict[int, int | None] = {}
        for i in range(len(module.questions)):
            value = request.POST.get(f"q{i}", "")
            answers[i] = int(value) if value.isdigit() else None
        score = services.quiz_score(module, answers)
        if score >= module.pass_mark:
            services.module_complete(actor=request.user, learner_course=lc, module=module,
                                     how=f"quiz:{score}")
            messages.success(request, f"Quiz réussi ({score} %).")
        else:
            messages.error(request, f"Quiz non réussi : {score} %, il faut {module.pass_mark} %. "
                                    "Vous pouvez réessayer.")
            return redirect("elearning:my-module", lc.pk, module.pk)
    elif module.kind in (Module.Kind.VIDEO, Module.Kind.PDF, Module.Kind.PAGE):
        services.module_complete(actor=request.user, learner_course=lc, module=module,
                                 how=f"{module.kind}:terminé")
        messages.success(request, f"Module « {module.title} » terminé.")
    else:
        raise Http404
    return redirect("elearning:my-course", lc.pk)


# The SCORM runtime's commits: authenticated by the page's signed token bound to the session
# cookie, without the CSRF header `sendBeacon` cannot send. Normally answered earlier, by
# `tracking.TrackingCommitMiddleware`; this is the same function, for a stack without it.
my_tracking = csrf_exempt(tracking.commit)


# --- certification (LRN-3, LRN-4) -----------------------------------------------------------


@require_POST
@tenant_required(*LEARNERS)
def my_evaluation(request: HttpRequest, lc_pk: int) -> HttpResponse:
    lc = _followed(request, lc_pk)
    try:
        certification.evaluation_submit(actor=request.user, learner_course=lc,
                                        upload=request.FILES.get("video"))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Vidéo d'évaluation transmise : votre formateur la corrigera.")
    return redirect(reverse("elearning:my-course", args=[lc.pk]) + "#certification")


@tenant_required(*STAFF, Role.TRAINER, *LEARNERS)
def evaluation_video(request: HttpRequest, pk: int) -> HttpResponse:
    """The private video, to the learner who sent it, their trainer and staff only."""
    evaluation = (Evaluation.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
                  .select_related("learner_course__learner").filter(pk=pk).first())
    staff = request.membership.role in STAFF  # type: ignore[attr-defined]
    if evaluation is None or not certification.may_view(
            evaluation, organisation=request.organisation, user=request.user, staff=staff):  # type: ignore[attr-defined]
        raise Http404
    response = FileResponse(evaluation.video.open("rb"), content_type=evaluation.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_required(Role.TRAINER)
def trainer_evaluations(request: HttpRequest) -> HttpResponse:
    rows = certification.trainer_evaluations(organisation=request.organisation, user=request.user)  # type: ignore[attr-defined]
    return render(request, "elearning/trainer_evaluations.html", {"rows": rows})


@tenant_required(Role.TRAINER)
def trainer_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = certification.trainer_evaluations(
        organisation=request.organisation, user=request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if evaluation is None:
        raise Http404
    if request.method == "POST":
        try:
            certification.evaluation_grade(actor=request.user, evaluation=evaluation,
                                           result=request.POST.get("result", ""),
                                           comment=request.POST.get("comment", ""))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Correction enregistrée.")
            return redirect("elearning:trainer-evaluations")
    return render(request, "elearning/trainer_evaluation.html", {"evaluation": evaluation})


# --- trainer contact (issue 12, item 7) -------------------------------------------------------


# The form's limit, as the label says it (« 4 000 caractères ») and as the textarea enforces it.
MESSAGE_LIMIT = {"max_length": contact.french_number(Message.MAX_LENGTH), "max_chars": Message.MAX_LENGTH}


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@tenant_required(*LEARNERS)
def my_contact(request: HttpRequest, lc_pk: int) -> HttpResponse:
    """The learner's thread with the trainer(s) of their session, and the form to write."""
    lc = _followed(request, lc_pk)
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            contact.message_post(actor=request.user, learner_course=lc, body=body, link_base=_site(request))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Message envoyé à votre formateur.")
            return redirect(reverse("elearning:my-contact", args=[lc.pk]) + "#dernier")
    thread = contact.thread_of(lc)
    if thread.conversation is not None:
        contact.mark_read(thread.conversation, by_learner=True)
    return render(request, "elearning/contact_thread.html", {
        "lc": lc, "thread": thread, "body": body, "learner_view": True, "can_write": True,
        "trainers": list(contact.trainer_users(lc)), **MESSAGE_LIMIT,
        "action": reverse("elearning:my-contact", args=[lc.pk]),
        "back": reverse("elearning:my-course", args=[lc.pk])})


@tenant_required(Role.TRAINER)
def trainer_conversations(request: HttpRequest) -> HttpResponse:
    rows = contact.trainer_conversations(organisation=request.organisation, user=request.user)  # type: ignore[attr-defined]
    return render(request, "elearning/trainer_conversations.html", {"rows": rows})


@tenant_required(Role.TRAINER)
def trainer_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = contact.trainer_conversations(
        organisation=request.organisation, user=request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if conversation is None:
        raise Http404
    lc = conversation.learner_course
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            contact.message_post(actor=request.user, learner_course=lc, body=body, link_base=_site(request))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Réponse envoyée au stagiaire.")
            return redirect(reverse("elearning:trainer-conversation", args=[pk]) + "#dernier")
    contact.mark_read(conversation, by_learner=False)
    return render(request, "elearning/contact_thread.html", {
        "lc": lc, "thread": contact.thread_of(lc), "body": body, "learner_view": False,
        "can_write": True, **MESSAGE_LIMIT,
        "action": reverse("elearning:trainer-conversation", args=[pk]),
        "back": reverse("elearning:trainer-conversations")})


@tenant_required(Role.ADMINISTRATOR)
def course_conversations(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    return render(request, "elearning/course_conversations.html", {
        "course": course, "rows": contact.course_conversations(course=course)})


@tenant_required(Role.ADMINISTRATOR)
def course_conversation(request: HttpRequest, pk: int, conversation_pk: int) -> HttpResponse:
    """An administrator reads a conversation (nothing is marked read, nothing can be written)."""
    course = _course(request, pk)
    conversation = (Conversation.objects.for_organisation(request.organisation)  # type: ignore[attr-defined]
                    .select_related("learner_course__learner", "learner_course__course__training")
                    .filter(pk=conversation_pk, learner_course__course=course).first())
    if conversation is None:
        raise Http404
    lc = conversation.learner_course
    return render(request, "elearning/contact_thread.html", {
        "lc": lc, "thread": contact.thread_of(lc), "learner_view": False, "can_write": False,
        "back": reverse("elearning:course-conversations", args=[pk])})
