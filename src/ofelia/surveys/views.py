"""Surveys pages: staff edit questionnaires and read results; anyone holding an invitation's
link answers it (no login: the signed link is the key); signed-in people list theirs.

Views stay thin: they check who may act, call a service or selector, and turn a refusal
into a French message — never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ofelia.core import clock
from ofelia.core.exports import csv_response
from ofelia.core.middleware import client_ip
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role

from . import selectors, services
from .charts import distribution_chart
from .forms import QuestionForm, QuestionnaireForm
from .models import Question, Response

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
EXTRANET = (Role.LEARNER, Role.CONSUMER, Role.CLIENT_CONTACT, Role.TRAINER)


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- Questionnaires (staff) ----------------------------------------------------------------

@tenant_required(*STAFF)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    services.ensure_defaults(_org(request))
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            questionnaire = services.questionnaire_save(
                actor=request.user, organisation=_org(request), questionnaire=form.instance)
            messages.success(request, "Questionnaire créé : ajoutez-lui des questions.")
            return redirect("surveys:questionnaire", pk=questionnaire.pk)
    else:
        form = QuestionnaireForm()
    return render(request, "surveys/questionnaire_list.html", {
        "questionnaires": selectors.questionnaire_list(organisation=_org(request)), "form": form})


def _questionnaire(request: HttpRequest, pk: int) -> Any:
    questionnaire = selectors.questionnaire_get(organisation=_org(request), pk=pk)
    if questionnaire is None:
        raise Http404
    return questionnaire


@tenant_required(*STAFF)
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(request, pk)
    form = QuestionnaireForm(instance=questionnaire)
    question_form = QuestionForm(initial={"required": True})
    if request.method == "POST" and request.POST.get("action") == "questionnaire":
        form = QuestionnaireForm(request.POST, instance=questionnaire)
        if form.is_valid():
            services.questionnaire_save(actor=request.user, organisation=_org(request),
                                        questionnaire=form.instance)
            messages.success(request, "Questionnaire enregistré.")
            return redirect("surveys:questionnaire", pk=questionnaire.pk)
    elif request.method == "POST":
        question_form = QuestionForm(request.POST, instance=Question(questionnaire=questionnaire))
        if question_form.is_valid():
            try:
                services.question_save(actor=request.user, organisation=_org(request),
                                       question=question_form.instance)
            except ValidationError as exc:
                question_form.add_error(None, exc)
            else:
                messages.success(request, "Question ajoutée.")
                return redirect("surveys:questionnaire", pk=questionnaire.pk)
    return render(request, "surveys/questionnaire_edit.html", {
        "questionnaire": questionnaire, "form": form, "question_form": question_form,
        "questions": questionnaire.questions.all()})


def _question(request: HttpRequest, pk: int, question_pk: int) -> Question:
    question = _questionnaire(request, pk).questions.filter(pk=question_pk).first()
    if question is None:
        raise Http404
    return question


@tenant_required(*STAFF)
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(actor=request.user, organisation=_org(request), question=form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Question enregistrée ; les questionnaires déjà envoyés "
                                      "gardent la version qu'ils ont posée.")
            return redirect("surveys:questionnaire", pk=pk)
    return render(request, "surveys/question_edit.html", {
        "questionnaire": question.questionnaire, "question": question, "form": form})


@tenant_required(*STAFF)
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    services.question_delete(actor=request.user, organisation=_org(request), question=question)
    messages.success(request, "Question supprimée.")
    return redirect("surveys:questionnaire", pk=pk)


# --- Results (staff) -----------------------------------------------------------------------

def _with_charts(blocks: list[selectors.QuestionnaireResult]) -> list[selectors.QuestionnaireResult]:
    for block in blocks:
        for question in block.questions:
            if question.counts:
                question.chart = mark_safe(  # type: ignore[attr-defined]  # noqa: S308 — escaped by charts
                    distribution_chart(question.counts, title=question.text))
    return blocks


@tenant_required(*STAFF)
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(organisation=_org(request), pk=pk)
    if session is None:
        raise Http404
    invitations = selectors.session_invitations(session)
    if request.GET.get("format") == "csv":
        return csv_response(f"questionnaires-session-{session.pk}", selectors.EXPORT_HEADER,
                            selectors.export_rows(invitations))
    return render(request, "surveys/results.html", {
        "session": session, "training": session.training,
        "blocks": _with_charts(selectors.results(invitations))})


@tenant_required(*STAFF)
def training_results(request: HttpRequest, pk: int) -> HttpResponse:
    training = selectors.training_get(organisation=_org(request), pk=pk)
    if training is None:
        raise Http404
    invitations = selectors.training_invitations(organisation=_org(request), training=training)
    if request.GET.get("format") == "csv":
        return csv_response(f"questionnaires-formation-{training.pk}", selectors.EXPORT_HEADER,
                            selectors.export_rows(invitations))
    return render(request, "surveys/results.html", {
        "training": training, "blocks": _with_charts(selectors.results(invitations))})


@tenant_required(*STAFF)
@require_POST
def response_grade(request: HttpRequest, pk: int) -> HttpResponse:
    response = (Response.objects.for_organisation(_org(request)).select_related("invitation")
                .filter(pk=pk).first())
    if response is None:
        raise Http404
    try:
        services.grade(actor=request.user, organisation=_org(request), response=response,
                       score=request.POST.get("score", ""), comment=request.POST.get("comment", ""))
        messages.success(request, f"Note de {response.invitation.name} enregistrée.")
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("surveys:session-results", pk=response.invitation.session_id)


# --- Answering ------------------------------------------------------------------------------

def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: no login, the signed link names one invitation of one person."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "surveys/refused.html", {"reasons": exc.messages}, status=400)
    if hasattr(invitation, "response"):
        return render(request, "surveys/refused.html", {"invitation": invitation, "reasons": [
            "Vous avez déjà répondu à ce questionnaire : merci ! Votre première réponse est "
            "conservée."]}, status=409 if request.method == "POST" else 200)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.submit(token=token, data=request.POST, ip_address=client_ip(request))
        except services.AnswersInvalid as exc:
            errors = exc.errors
        except ValidationError as exc:
            return render(request, "surveys/refused.html", {"reasons": exc.messages}, status=400)
        else:
            return render(request, "surveys/thanks.html", {"invitation": invitation})
    questions = [{**q, "error": errors.get(q["key"], ""), "given": request.POST.getlist(f"q{q['key']}")
                  if request.method == "POST" else [],
                  "scale": list(range(1, 6) if q["type"] == "scale5" else range(0, 11))
                  if q["type"] in ("scale5", "scale10") else []}
                 for q in invitation.snapshot]
    return render(request, "surveys/answer.html", {
        "invitation": invitation, "questions": questions, "error_count": len(errors)},
        status=400 if errors else 200)


@tenant_required(*EXTRANET)
def mine(request: HttpRequest) -> HttpResponse:
    invitations = selectors.invitations_of_user(organisation=_org(request), user=request.user)
    return render(request, "surveys/mine.html", {"now": clock.now(), "rows": [
        {"invitation": i, "answered": hasattr(i, "response"), "link": services.link_path(i)}
        for i in invitations]})
