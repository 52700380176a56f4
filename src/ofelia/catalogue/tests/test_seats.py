"""The one door for seats (catalogue.seats): sessions never exceed capacity, a freed seat goes
to the first waitlisted person, lists and services count free seats the same way, a transfer
moves a learner only onto a free seat of another session of the same training."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count

from ofelia.catalogue import seats as services
from ofelia.catalogue.models import Enrolment, TrainingSession
from ofelia.core.models import AuditEntry
from ofelia.sales.tests.conftest import make_learner, make_organisation, make_session


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


def _at_once(work: Any, items: list[Any]) -> list[Any]:
    """Run `work(item)` in one thread per item, all released together; what each returned
    or raised, in no particular order. Needs PostgreSQL (SQLite has no row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite has no row locks and serialises whole-database writes.")
    barrier = threading.Barrier(len(items))
    results: list[Any] = []

    def run(item: Any) -> None:
        try:
            barrier.wait()  # all threads fire together
            results.append(work(item))
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_60_simultaneous_enrolments_for_30_seats(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=30)
    results = _at_once(
        lambda learner: services.enrolment_create(actor=admin, organisation=org, session=session,
                                                  learner=learner),
        [make_learner(org) for _ in range(60)])

    assert [r for r in results if isinstance(r, BaseException)] == []
    counts = dict(
        Enrolment.objects.filter(session=session)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    assert counts == {"confirmed": 30, "waitlisted": 30}

def _fill(org: Any, admin: Any, session: Any, n: int) -> list[Enrolment]:
    return [services.enrolment_create(actor=admin, organisation=org, session=session,
                                      learner=make_learner(org)) for _ in range(n)]


def _later(session: Any, days: int = 14, capacity: int = 2) -> TrainingSession:
    return TrainingSession.objects.create(
        organisation=session.organisation, training=session.training, place="Lyon",
        start_date=session.start_date + timedelta(days=days),
        end_date=session.end_date + timedelta(days=days), capacity=capacity)


def test_free_seats_counts_confirmed_only_and_never_goes_below_zero(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=2)
    assert services.free_seats(session) == 2
    first, _second, waiting = _fill(org, admin, session, 3)
    assert (services.free_seats(session), waiting.status) == (0, "waitlisted")
    services.enrolment_cancel(actor=admin, organisation=org, enrolment=first)
    assert services.free_seats(session) == 0  # the waitlisted person took the seat
    TrainingSession.objects.filter(pk=session.pk).update(capacity=1)
    session.refresh_from_db()
    assert services.free_seats(session) == 0


def test_list_annotation_agrees_with_free_seats_for_every_session(
        org: Any, admin: Any, django_assert_num_queries: Any) -> None:
    sessions = [make_session(org, capacity=c) for c in (1, 2, 3)]
    for session, n in zip(sessions, (3, 1, 0), strict=True):
        _fill(org, admin, session, n)
    with django_assert_num_queries(1):
        rows = list(services.with_seats(TrainingSession.objects.filter(organisation=org))
                    .order_by("pk")[:10])
    assert [(r.confirmed, r.waitlisted, r.seats_free) for r in rows] == [(1, 2, 0), (1, 0, 1),
                                                                        (0, 0, 3)]
    assert [r.seats_free for r in rows] == [services.free_seats(s) for s in sessions]


def test_a_session_has_started_from_its_first_day_included(org: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    assert not services.has_started(session, today=date(2026, 3, 15))
    assert services.has_started(session, today=date(2026, 3, 16))


def test_transfer_moves_the_learner_and_promotes_the_first_waitlisted_at_origin(
        org: Any, admin: Any) -> None:
    session = make_session(org, capacity=1)
    moving, waiting = _fill(org, admin, session, 2)
    later = _later(session)
    moved, promoted = services.enrolment_transfer(actor=admin, organisation=org, enrolment=moving,
                                                  target=later, today=date(2026, 3, 1))
    assert (moved.session_id, moved.status, moved.learner_id) == (later.pk, "confirmed",
                                                                   moving.learner_id)
    assert promoted is not None and promoted.pk == waiting.pk
    moving.refresh_from_db()
    assert moving.status == "cancelled"
    assert AuditEntry.objects.filter(action="enrolment.transfer", object_id=str(moved.pk)).exists()


def _refused(org: Any, admin: Any, enrolment: Enrolment, target: Any, today: date,
             message: str) -> None:
    before = sorted(Enrolment.objects.values_list("id", "session_id", "status"))
    with pytest.raises(ValidationError, match=message):
        services.enrolment_transfer(actor=admin, organisation=org, enrolment=enrolment,
                                    target=target, today=today)
    assert sorted(Enrolment.objects.values_list("id", "session_id", "status")) == before


def test_transfer_refused_when_the_target_is_full_and_nothing_changes(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=2)
    (moving, _) = _fill(org, admin, session, 2)
    later = _later(session, capacity=1)
    _fill(org, admin, later, 1)
    _refused(org, admin, moving, later, date(2026, 3, 1), "complète")


def test_transfer_refused_to_a_session_of_another_training(org: Any, admin: Any) -> None:
    session = make_session(org)
    (moving,) = _fill(org, admin, session, 1)
    _refused(org, admin, moving, make_session(org, start=date(2026, 4, 1)), date(2026, 3, 1),
             "même formation")


def test_transfer_refused_from_the_first_day_of_either_session(org: Any, admin: Any) -> None:
    session = make_session(org, start=date(2026, 3, 16))
    (moving,) = _fill(org, admin, session, 1)
    later = _later(session, days=7)
    _refused(org, admin, moving, later, date(2026, 3, 16), "d'origine a déjà commencé")
    _refused(org, admin, moving, later, date(2026, 3, 23), "a déjà commencé")
    moved, _ = services.enrolment_transfer(actor=admin, organisation=org, enrolment=moving,
                                           target=later, today=date(2026, 3, 15))
    assert moved.status == "confirmed"


def test_transfer_refused_for_another_organisations_enrolment(org: Any, admin: Any) -> None:
    other = make_organisation("laporte", "laporte")
    session = make_session(other)
    foreign = services.enrolment_create(actor=admin, organisation=other, session=session,
                                        learner=make_learner(other))
    _refused(org, admin, foreign, _later(session), date(2026, 3, 1), "introuvable")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transfers_onto_the_last_seat_confirm_one(org: Any, admin: Any) -> None:
    session = make_session(org, capacity=4)
    later = _later(session, capacity=1)
    results = _at_once(
        lambda enrolment: services.enrolment_transfer(actor=admin, organisation=org,
                                                      enrolment=enrolment, target=later,
                                                      today=date(2026, 3, 1)),
        _fill(org, admin, session, 4))

    assert sorted(type(r).__name__ for r in results) == ["ValidationError"] * 3 + ["tuple"]
    assert Enrolment.objects.filter(session=later, status="confirmed").count() == 1
    assert Enrolment.objects.filter(session=session, status="confirmed").count() == 3


def test_no_code_outside_the_seats_module_counts_seats_itself() -> None:
    """The one door: capacity is compared with a count of confirmed enrolments only in
    catalogue/seats.py; everybody else asks free_seats / with_seats."""
    import re
    from pathlib import Path

    root = Path(services.__file__).resolve().parents[1]
    counting = re.compile(r"capacity\s*[-<>]|[<>]=?\s*[\w.]*capacity\b|"
                          r"Status\.CONFIRMED\)?\)?\.count\(\)|Count\(\"enrolments\"")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        and path.name != "seats.py" and "bench_data" not in path.name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if counting.search(line)
    ]
    assert offenders == []
