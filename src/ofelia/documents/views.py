"""Documents pages: staff upload and list a learner's or a trainer's documents; a trainer
uploads their own (CV, diplomas) from the extranet. Files are served only by `download`,
which checks the role and the organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ofelia.catalogue.models import Trainer
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Learner, Role

from . import selectors, services
from .forms import UploadForm

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
TRAINER_KINDS = ["cv", "diploma", "other"]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _page(request: HttpRequest, *, documents: Any, title: str, back: tuple[str, str] | None,
          kinds: list[str] | None, upload: Any, here: str) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and request.POST.get("step") == "delete" and request.membership.role in STAFF:  # type: ignore[attr-defined]
        try:
            services.document_delete(actor=request.user, organisation=request.organisation,  # type: ignore[attr-defined]
                                     pk=int(request.POST.get("document", "0") or 0))
        except (ValidationError, ValueError) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError)
                           else "Document inconnu.")
        else:
            messages.success(request, "Document supprimé.")
        return redirect(here)
    if request.method == "POST" and form.is_valid():
        try:
            upload(kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                   upload=form.cleaned_data["file"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Document déposé.")
            return redirect(here)
    return render(request, "documents/documents.html", {
        "documents": documents, "title": title, "back": back, "form": form,
        "may_delete": request.membership.role in STAFF})  # type: ignore[attr-defined]


@tenant_required(*STAFF)
def learner_documents(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    learner = Learner.objects.for_organisation(organisation).filter(pk=pk).first()
    if learner is None:
        raise Http404
    return _page(request, documents=selectors.of_learner(organisation=organisation, learner_id=pk),
                 title=f"Documents de {learner}", kinds=None,
                 back=(reverse("learner-detail", args=[pk]), f"Fiche de {learner}"),
                 here=reverse("documents:learner", args=[pk]),
                 upload=lambda **kw: services.document_upload(
                     actor=request.user, organisation=organisation, learner=learner, **kw))


@tenant_required(*STAFF)
def trainer_documents(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    trainer = (Trainer.objects.for_organisation(organisation).select_related("membership__user")
               .filter(pk=pk).first())
    if trainer is None:
        raise Http404
    return _page(request, documents=selectors.of_trainer(organisation=organisation, trainer_id=pk),
                 title=f"Documents du formateur {trainer}", kinds=TRAINER_KINDS,
                 back=(reverse("catalogue:trainer-list"), "Formateurs"),
                 here=reverse("documents:trainer", args=[pk]),
                 upload=lambda **kw: services.document_upload(
                     actor=request.user, organisation=organisation, trainer=trainer, **kw))


@tenant_required(Role.TRAINER)
def my_documents(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    trainer = services.trainer_profile(organisation=organisation,
                                       membership=request.membership)  # type: ignore[attr-defined]
    return _page(request, documents=selectors.of_trainer(organisation=organisation,
                                                         trainer_id=trainer.pk),
                 title="Mes documents (CV, diplômes)", kinds=TRAINER_KINDS, back=None,
                 here=reverse("documents:mine"),
                 upload=lambda **kw: services.document_upload(
                     actor=request.user, organisation=organisation, trainer=trainer, **kw))


@tenant_required(*STAFF, Role.TRAINER)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, to staff of its organisation, or to the trainer it belongs to."""
    document = selectors.get(organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if document is None:
        raise Http404
    if request.membership.role == Role.TRAINER and (  # type: ignore[attr-defined]
            document.trainer is None or document.trainer.membership.user_id != request.user.pk):
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type=document.content_type,
                            as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
