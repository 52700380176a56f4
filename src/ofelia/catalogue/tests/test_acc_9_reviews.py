"""ACC-9: learners review a training once it has ended, staff moderate, the published reviews
and their average go on the public catalogue page and in the JSON feed (first name + initial)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ofelia.catalogue import reviews
from ofelia.catalogue.models import Enrolment, Review, TrainingSession
from ofelia.catalogue.signals import public_reviews_changed
from ofelia.core import clock
from ofelia.organisations.models import Learner, Role
from ofelia.sales.tests.conftest import make_organisation, make_user
from ofelia.sales.tests.test_orders import _published_session

END = date(2026, 4, 13)
AFTER = datetime(2026, 4, 14, 10, 0, tzinfo=UTC)


def _learner(org: Any, first: str, last: str) -> tuple[Any, Enrolment, TrainingSession]:
    user = make_user(org, Role.LEARNER)
    learner = Learner.objects.create(organisation=org, user=user, first_name=first, last_name=last,
                                     email=user.email)
    session = TrainingSession.objects.filter(organisation=org).first() or _published_session(org, start=END)
    enrolment = Enrolment.objects.create(organisation=org, session=session, learner=learner)
    return user, enrolment, session


@pytest.fixture
def rworld(db: Any) -> dict[str, Any]:
    org = make_organisation("laporte", "laporte")
    user, enrolment, session = _learner(org, "Léa", "Martin")
    user2, enrolment2, _ = _learner(org, "Hugo", "Bernard")
    return {"org": org, "staff": make_user(org, Role.STAFF), "user": user, "enrolment": enrolment,
            "user2": user2, "enrolment2": enrolment2, "training": session.training}


def test_acc_9_no_review_before_the_training_ends_one_the_day_after(rworld: dict[str, Any]) -> None:
    with clock.frozen(datetime(2026, 4, 13, 20, 0, tzinfo=UTC)):   # last day: not yet
        assert not reviews.reviewable_enrolments(organisation=rworld["org"], user=rworld["user"]).exists()
        with pytest.raises(ValidationError, match="formation terminée"):
            reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=5, text="")
    with clock.frozen(AFTER):
        assert reviews.reviewable_enrolments(organisation=rworld["org"], user=rworld["user"]).count() == 1
        review = reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=5, text="Top")
        assert review.status == Review.Status.PENDING
        with pytest.raises(ValidationError, match="déjà donné"):
            reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=4, text="")


@pytest.mark.parametrize("rating", [0, 6, "", "cinq", "4.5"])
def test_acc_9_rating_outside_1_to_5_is_refused(rworld: dict[str, Any], rating: Any) -> None:
    with clock.frozen(AFTER), pytest.raises(ValidationError, match="note de 1 à 5"):
        reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=rating, text="")
    assert not Review.objects.exists()


def test_acc_9_moderation_publishes_rejects_with_a_reason_and_answers(
        rworld: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    sent: list[Any] = []

    def receiver(**kwargs: Any) -> None:
        sent.append(kwargs["training"])

    public_reviews_changed.connect(receiver)
    try:
        with clock.frozen(AFTER), django_capture_on_commit_callbacks(execute=True):
            r1 = reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=5,
                                       text="Très utile")
            r2 = reviews.review_submit(actor=rworld["user2"], enrolment=rworld["enrolment2"], rating=2,
                                       text="Nul, appelez M. Dupont au 06 12 34 56 78")
            staff = rworld["staff"]
            with pytest.raises(ValidationError, match="motif"):
                reviews.review_moderate(actor=staff, review=r2, action="reject", reason=" ")
            reviews.review_moderate(actor=staff, review=r2, action="reject", reason="Données personnelles")
            assert sent == []  # nothing public changed
            reviews.review_moderate(actor=staff, review=r1, action="publish")
            reviews.review_moderate(actor=staff, review=r1, action="answer", answer="Merci Léa !")
    finally:
        public_reviews_changed.disconnect(receiver)
    assert sent == [rworld["training"], rworld["training"]]
    published = reviews.published_reviews(organisation=rworld["org"], training=rworld["training"])
    assert list(published) == [r1]
    assert reviews.rating_of(published) == reviews.Rating(average=Decimal("5.0"), count=1)


def test_acc_9_public_page_and_feed_show_published_reviews_only(rworld: dict[str, Any]) -> None:
    org, staff = rworld["org"], rworld["staff"]
    with clock.frozen(AFTER):
        r1 = reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=5, text="Très utile")
        r2 = reviews.review_submit(actor=rworld["user2"], enrolment=rworld["enrolment2"], rating=4, text="Bien")
        reviews.review_moderate(actor=staff, review=r1, action="publish")
        reviews.review_moderate(actor=staff, review=r2, action="publish")
        other = make_organisation("autre", "autre")
        u3, e3, _ = _learner(other, "Zoé", "Petit")
        with clock.frozen(datetime(2026, 4, 20, 10, 0, tzinfo=UTC)):
            r3 = reviews.review_submit(actor=u3, enrolment=e3, rating=1, text="Autre organisme")
        reviews.review_moderate(actor=make_user(other, Role.STAFF), review=r3, action="publish")
        page = Client().get(reverse("catalogue:public-detail", args=[org.slug, rworld["training"].pk]))
        feed = Client().get(reverse("catalogue:public-reviews", args=[org.slug])).json()
    html = page.content.decode()
    assert "4,5/5" in html and "2 avis" in html and "Léa M." in html and "Martin" not in html
    assert "Autre organisme" not in html
    assert feed["average"] == "4.5" and feed["count"] == 2
    authors = {r["author"] for t in feed["trainings"] for r in t["reviews"]}
    assert authors == {"Léa M.", "Hugo B."}
    assert "Martin" not in str(feed) and "@" not in str(feed)


def test_acc_9_pages_by_role(rworld: dict[str, Any]) -> None:
    learner, staff = Client(), Client()
    learner.force_login(rworld["user"])
    staff.force_login(rworld["staff"])
    with clock.frozen(AFTER):
        bad = learner.post(reverse("catalogue:my-reviews"),
                           {"enrolment": rworld["enrolment"].pk, "rating": "9"}, follow=True)
        assert "note de 1 à 5" in bad.content.decode()
        assert learner.post(reverse("catalogue:my-reviews"),
                            {"enrolment": rworld["enrolment2"].pk, "rating": "3"}).status_code == 404
        learner.post(reverse("catalogue:my-reviews"), {"enrolment": rworld["enrolment"].pk, "rating": "4",
                                                       "text": "Bon rythme"})
        review = Review.objects.get()
        assert learner.get(reverse("catalogue:review-list")).status_code == 403
        assert "Bon rythme" in staff.get(reverse("catalogue:review-list")).content.decode()
        assert learner.post(reverse("catalogue:review-moderate", args=[review.pk, "publish"])).status_code == 403
        staff.post(reverse("catalogue:review-moderate", args=[review.pk, "publish"]))
        assert "Publié" in learner.get(reverse("catalogue:my-reviews")).content.decode()


def test_acc_9_a_published_review_reaches_the_cached_public_page(
        rworld: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    org, staff = rworld["org"], rworld["staff"]
    url = reverse("catalogue:public-detail", args=[org.slug, rworld["training"].pk])
    with clock.frozen(AFTER):
        assert "Très utile" not in Client().get(url).content.decode()  # now cached for visitors
        with django_capture_on_commit_callbacks(execute=True):
            review = reviews.review_submit(actor=rworld["user"], enrolment=rworld["enrolment"], rating=5,
                                           text="Très utile")
            reviews.review_moderate(actor=staff, review=review, action="publish")
        assert "Très utile" in Client().get(url).content.decode()
