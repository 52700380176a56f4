"""Staff catalogue pages (trainings, trainers, session forms) and the public catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ofelia.core import clock
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Membership, Role
from ofelia.organisations.public_pages import cached_for_visitors
from ofelia.organisations.selectors import organisation_by_slug

from . import reviews, selectors, services
from .forms import SessionForm, SlotFormSet, TrainingForm
from .models import Training, TrainingSession

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


@tenant_required(*STAFF)
def training_list(request: HttpRequest) -> HttpResponse:
    trainings = selectors.training_list(organisation=request.organisation)  # type: ignore[attr-defined]
    return render(request, "catalogue/training_list.html", {"trainings": trainings})


@tenant_required(*STAFF)
def training_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    instance = None
    if pk is not None:
        instance = Training.objects.for_organisation(org).filter(pk=pk).first()
        if instance is None:
            raise Http404
    form = TrainingForm(request.POST or None, instance=instance, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_save(actor=request.user, organisation=org, form=form)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Formation « {training.title} » enregistrée.")
            return redirect("catalogue:training-list")
    return render(request, "catalogue/training_form.html", {"form": form, "training": instance})


@tenant_required(*STAFF)
def trainer_list(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    if request.method == "POST":
        membership = Membership.objects.filter(organisation=org, pk=request.POST.get("membership")).first()
        if membership is None:
            raise Http404
        try:
            services.trainer_titles_set(actor=request.user, organisation=org, membership=membership,
                                        titles=request.POST.get("titles", ""))
            messages.success(request, "Titres du formateur enregistrés.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("catalogue:trainer-list")
    return render(request, "catalogue/trainer_list.html",
                  {"memberships": selectors.trainer_memberships(organisation=org)})


@tenant_required(*STAFF)
def session_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    instance = None
    if pk is not None:
        instance = TrainingSession.objects.for_organisation(org).filter(pk=pk).first()
        if instance is None:
            raise Http404
    initial = {"training": request.GET.get("training")} if instance is None else None
    form = SessionForm(request.POST or None, instance=instance, organisation=org, initial=initial)
    slots = SlotFormSet(request.POST or None, instance=instance or TrainingSession(), prefix="slots")
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        try:
            session = services.session_save(actor=request.user, organisation=org, form=form, slots=slots)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Session enregistrée.")
            return redirect("sales:session-roster", pk=session.pk)
    return render(request, "catalogue/session_form.html",
                  {"form": form, "slots": slots, "session": instance})


# --- public (no login) ---------------------------------------------------------------

def _public_organisation(slug: str):  # type: ignore[no-untyped-def]
    organisation = organisation_by_slug(slug=slug)
    if organisation is None:
        raise Http404
    return organisation


@cached_for_visitors
def public_catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _public_organisation(slug)
    return render(request, "catalogue/public_list.html", {
        "organisation": organisation,
        "trainings": selectors.public_trainings(organisation=organisation),
    })


@cached_for_visitors
def public_training(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _public_organisation(slug)
    training = selectors.public_trainings(organisation=organisation).filter(pk=pk).first()
    if training is None:
        raise Http404
    sessions = selectors.upcoming_sessions(training=training, today=clock.today())
    published = reviews.published_reviews(organisation=organisation, training=training)
    return render(request, "catalogue/public_detail.html",
                  {"organisation": organisation, "training": training, "sessions": sessions,
                   "reviews": published[:20], "rating": reviews.rating_of(published)})

