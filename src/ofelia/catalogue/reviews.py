"""Reviews and ratings (ACC-9): learners review a training once their session has ended,
staff moderate (publish, reject with a reason, answer), the published ones go on the public
catalogue page and in a JSON feed for the organisation's own site. Writes are audited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet

from ofelia.core import audit, clock

from .models import Enrolment, Review, Training
from .signals import public_reviews_changed

MAX_TEXT = 3000


# --- reads ----------------------------------------------------------------------------------


def reviewable_enrolments(*, organisation: Any, user: Any) -> QuerySet[Enrolment]:
    """The user's confirmed enrolments whose session has ended (before today, Paris)."""
    return (Enrolment.objects.for_organisation(organisation)
            .filter(learner__user=user, status=Enrolment.Status.CONFIRMED,
                    session__end_date__lt=clock.today())
            .select_related("session__training", "review").order_by("-session__end_date", "-id"))


def reviews_for_staff(*, organisation: Any, status: str = "") -> QuerySet[Review]:
    qs = (Review.objects.for_organisation(organisation)
          .select_related("training", "enrolment__learner", "enrolment__session", "moderated_by"))
    if status in Review.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at")


def published_reviews(*, organisation: Any, training: Training | None = None) -> QuerySet[Review]:
    qs = (Review.objects.for_organisation(organisation).filter(status=Review.Status.PUBLISHED,
                                                               training__is_published=True)
          .select_related("training", "enrolment__learner").order_by("-created_at", "-id"))
    return qs.filter(training=training) if training is not None else qs


@dataclass(frozen=True)
class Rating:
    average: Decimal | None  # one decimal, half up
    count: int


def rating_of(reviews: QuerySet[Review]) -> Rating:
    agg = reviews.aggregate(avg=Avg("rating"), n=Count("id"))
    if not agg["n"]:
        return Rating(None, 0)
    average = Decimal(str(agg["avg"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Rating(average, agg["n"])


def public_feed(*, organisation: Any) -> dict[str, Any]:
    """The JSON for the organisation's website: published reviews only, the author as a first
    name and an initial, nothing else about them."""
    reviews = published_reviews(organisation=organisation)
    trainings: dict[int, dict[str, Any]] = {}
    for review in reviews:
        entry = trainings.setdefault(review.training_id, {
            "training": review.training.title, "reference": review.training.reference,
            "reviews": []})
        entry["reviews"].append({
            "rating": review.rating, "text": review.text, "author": review.author,
            "date": review.created_at.date().isoformat(), "answer": review.answer or None})
    for pk, entry in trainings.items():
        rating = rating_of(reviews.filter(training_id=pk))
        entry["average"] = str(rating.average)
        entry["count"] = rating.count
    overall = rating_of(reviews)
    return {"organisation": str(organisation), "rule": "ACC-9",
            "average": str(overall.average) if overall.average is not None else None,
            "count": overall.count, "trainings": list(trainings.values())}


# --- writes ---------------------------------------------------------------------------------


def _changed(review: Review) -> None:
    organisation, training = review.organisation, review.training
    transaction.on_commit(lambda: public_reviews_changed.send(
        sender=Review, organisation=organisation, training=training))


def _rating(value: Any) -> int:
    try:
        rating = int(str(value))
    except ValueError:
        raise ValidationError("Choisissez une note de 1 à 5.") from None
    if not 1 <= rating <= 5:
        raise ValidationError("Choisissez une note de 1 à 5.")
    return rating


@transaction.atomic
def review_submit(*, actor: Any, enrolment: Enrolment, rating: Any, text: str) -> Review:
    rating_value = _rating(rating)
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Avis trop long ({MAX_TEXT} caractères au plus).")
    if enrolment.session.end_date >= clock.today():
        raise ValidationError("Vous pourrez donner votre avis une fois la formation terminée.")
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise ValidationError("Seule une inscription confirmée permet de donner un avis.")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                organisation=enrolment.organisation, training=enrolment.session.training,
                enrolment=enrolment, rating=rating_value, text=text, created_at=clock.now())
    except IntegrityError:
        raise ValidationError("Vous avez déjà donné votre avis sur cette formation.") from None
    audit.record(actor=actor, action="catalogue.review_submit", organisation=review.organisation,
                 obj=review, after={"rating": rating_value, "text": text})
    return review


@transaction.atomic
def review_moderate(*, actor: Any, review: Review, action: str, reason: str = "",
                    answer: str = "") -> Review:
    """`publish`, `reject` (a reason is required) or `answer` (the organisation's reply)."""
    review = Review.objects.select_for_update().select_related("training").get(pk=review.pk)
    before = {"status": review.status, "reject_reason": review.reject_reason, "answer": review.answer}
    was_public = review.status == Review.Status.PUBLISHED
    if action == "publish":
        review.status, review.reject_reason = Review.Status.PUBLISHED, ""
    elif action == "reject":
        reason = reason.strip()
        if not reason:
            raise ValidationError("Indiquez le motif du refus.")
        review.status, review.reject_reason = Review.Status.REJECTED, reason[:MAX_TEXT]
    elif action == "answer":
        answer = answer.strip()
        if len(answer) > MAX_TEXT:
            raise ValidationError(f"Réponse trop longue ({MAX_TEXT} caractères au plus).")
        review.answer = answer
    else:
        raise ValidationError("Action de modération inconnue.")
    review.moderated_at, review.moderated_by = clock.now(), actor
    review.save(update_fields=["status", "reject_reason", "answer", "moderated_at", "moderated_by"])
    audit.record(actor=actor, action=f"catalogue.review_{action}", organisation=review.organisation,
                 obj=review, before=before,
                 after={"status": review.status, "reject_reason": review.reject_reason,
                        "answer": review.answer})
    if was_public or review.status == Review.Status.PUBLISHED:
        _changed(review)
    return review
