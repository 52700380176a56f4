"""Sessions never exceed capacity; a freed seat goes to the first waitlisted person."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count

from ofelia.catalogue.models import Enrolment
from ofelia.core.models import AuditEntry
from ofelia.sales import services

from .conftest import make_learner, make_organisation, make_session


def test_enrolment_confirmed_until_capacity_then_waitlisted(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=2)
    statuses = [
        services.enrolment_create(
            actor=admin, organisation=org, session=session, learner=make_learner(org)
        ).status
        for _ in range(3)
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert AuditEntry.objects.filter(action="enrolment.create", organisation=org).count() == 3


def test_enrolment_twice_for_the_same_learner_is_refused(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=2)
    learner = make_learner(org)
    services.enrolment_create(actor=admin, organisation=org, session=session, learner=learner)
    with pytest.raises(ValidationError, match="déjà inscrit"):
        services.enrolment_create(actor=admin, organisation=org, session=session, learner=learner)


def test_enrolment_in_another_organisations_session_is_refused(org: Any, admin: Any) -> None:
    other = make_organisation("laporte", "laporte")
    session = make_session(other, capacity=2)
    with pytest.raises(ValidationError, match="introuvable"):
        services.enrolment_create(
            actor=admin, organisation=org, session=session, learner=make_learner(org)
        )


@pytest.mark.django_db(transaction=True)
def test_freed_seat_goes_to_first_waitlisted_who_is_emailed(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1)
    first = services.enrolment_create(actor=admin, organisation=org, session=session,
                                      learner=make_learner(org))
    waiting = [
        services.enrolment_create(actor=admin, organisation=org, session=session,
                                  learner=make_learner(org, email=f"wait{i}@example.org"))
        for i in range(2)
    ]
    assert [w.status for w in waiting] == ["waitlisted", "waitlisted"]

    promoted = services.enrolment_cancel(actor=admin, organisation=org, enrolment=first)

    assert promoted is not None and promoted.pk == waiting[0].pk
    statuses = dict(Enrolment.objects.filter(session=session).values_list("id", "status"))
    assert statuses == {first.pk: "cancelled", waiting[0].pk: "confirmed", waiting[1].pk: "waitlisted"}
    assert [m.to for m in mail.outbox] == [["wait0@example.org"]]
    assert "place s'est libérée" in mail.outbox[0].subject


def test_cancelling_a_waitlisted_enrolment_promotes_nobody(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1)
    services.enrolment_create(actor=admin, organisation=org, session=session, learner=make_learner(org))
    waiting = services.enrolment_create(actor=admin, organisation=org, session=session,
                                        learner=make_learner(org))
    assert services.enrolment_cancel(actor=admin, organisation=org, enrolment=waiting) is None
    assert mail.outbox == []


def test_re_enrolment_after_cancellation_goes_to_the_end_of_the_queue(org: Any, admin: Any) -> None:
    from datetime import datetime

    from ofelia.core import clock

    session = make_session(org, capacity=1)
    services.enrolment_create(actor=admin, organisation=org, session=session, learner=make_learner(org))
    comeback = make_learner(org)
    with clock.frozen(datetime(2026, 1, 5, 9, 0)):
        early = services.enrolment_create(actor=admin, organisation=org, session=session, learner=comeback)
        services.enrolment_cancel(actor=admin, organisation=org, enrolment=early)
    with clock.frozen(datetime(2026, 1, 5, 10, 0)):
        second = services.enrolment_create(actor=admin, organisation=org, session=session,
                                           learner=make_learner(org))
    with clock.frozen(datetime(2026, 1, 5, 11, 0)):
        again = services.enrolment_create(actor=admin, organisation=org, session=session, learner=comeback)
    assert again.pk == early.pk and again.status == "waitlisted"
    holder = Enrolment.objects.get(session=session, status="confirmed")
    promoted = services.enrolment_cancel(actor=admin, organisation=org, enrolment=holder)
    assert promoted is not None and promoted.pk == second.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_60_simultaneous_enrolments_for_30_seats(org: Any, admin: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite has no row locks and serialises whole-database writes.")
    session = make_session(org, capacity=30)
    learners = [make_learner(org) for _ in range(60)]
    barrier = threading.Barrier(len(learners))
    errors: list[BaseException] = []

    def enrol(learner: Any) -> None:
        try:
            barrier.wait()  # all threads fire together
            services.enrolment_create(actor=admin, organisation=org, session=session, learner=learner)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=enrol, args=(learner,)) for learner in learners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    counts = dict(
        Enrolment.objects.filter(session=session)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    assert counts == {"confirmed": 30, "waitlisted": 30}
