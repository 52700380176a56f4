"""ACC-9 pages: learners review ended trainings, staff moderate, the public JSON feed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import Role
from ofelia.organisations.selectors import organisation_by_slug

from . import reviews
from .models import Review

STAFF = (Role.ADMINISTRATOR, Role.STAFF)
LEARNERS = (Role.LEARNER, Role.CONSUMER)


@tenant_required(*LEARNERS)
def my_reviews(request: HttpRequest) -> HttpResponse:
    enrolments = reviews.reviewable_enrolments(organisation=request.organisation, user=request.user)  # type: ignore[attr-defined]
    if request.method == "POST":
        enrolment = enrolments.filter(pk=request.POST.get("enrolment") or 0).first()
        if enrolment is None:
            raise Http404
        try:
            reviews.review_submit(actor=request.user, enrolment=enrolment,
                                  rating=request.POST.get("rating", ""), text=request.POST.get("text", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Merci ! Votre avis sera publié après relecture par l'organisme.")
        return redirect("catalogue:my-reviews")
    return render(request, "catalogue/my_reviews.html", {"enrolments": enrolments, "ratings": range(1, 6)})


@tenant_required(*STAFF)
def review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", "")
    rows = reviews.reviews_for_staff(organisation=request.organisation, status=status)  # type: ignore[attr-defined]
    return render(request, "catalogue/review_list.html",
                  {"rows": rows, "status": status, "statuses": Review.Status.choices})


@require_POST
@tenant_required(*STAFF)
def review_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = reviews.reviews_for_staff(organisation=request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if review is None:
        raise Http404
    try:
        reviews.review_moderate(actor=request.user, review=review, action=action,
                                reason=request.POST.get("reason", ""), answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, {"publish": "Avis publié.", "reject": "Avis refusé.",
                                   "answer": "Réponse enregistrée."}.get(action, "Enregistré."))
    return redirect("catalogue:review-list")


def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_by_slug(slug=slug)
    if organisation is None:
        raise Http404
    response = JsonResponse(reviews.public_feed(organisation=organisation),
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # read by the organisation's own website
    return response
