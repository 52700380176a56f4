"""Issue 14 item 6: scale-out on one machine. Two gunicorn instances on two loopback ports and
two Celery workers (Redis broker) share one PostgreSQL test database; across them:

- 16 concurrent enrolments into a session of 5 seats: exactly 5 confirmed, 11 waitlisted;
- 20 concurrent invoice issues: numbers 1..20, no gap, no duplicate;
- the daily jobs (settlement, collections) sent to both workers at once: every contract
  settled by exactly one of them, every reminder written once, a later run writes nothing.

PostgreSQL only: SQLite is a file of one machine, without row locks, which the proof is about.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from celery import Celery
from django.db import connection

from ofelia.apitokens.services import api_token_create
from ofelia.billing.models import DunningStep, Invoice, InvoiceStatus
from ofelia.billing.services import invoice_create_draft
from ofelia.billing.settlement import settle_all
from ofelia.billing.tests.conftest import draft_fields, make_organisation
from ofelia.billing.tests.contracts import company, signed_contract
from ofelia.catalogue.models import Enrolment
from ofelia.core import clock
from ofelia.core.backup import database_url
from ofelia.organisations.testing import make_member
from ofelia.sales.tests.conftest import make_learner, make_session

from .processes import celery_worker, free_port, gunicorn, stop, tail, wait_http
from .redis_check import redis_or_skip

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

REDIS_URL = os.environ.get("OFELIA_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")
CAPACITY, LEARNERS, INVOICES, CONTRACTS = 5, 16, 20, 4


@pytest.fixture
def cluster(transactional_db: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("preuve de montée en charge sur PostgreSQL seulement : une base SQLite "
                    "n'est pas partagée entre machines et n'a pas de verrou de ligne")
    store = redis_or_skip(REDIS_URL, "montée en charge non prouvable sans broker")
    run = uuid.uuid4().hex[:10]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env.update({"DJANGO_SETTINGS_MODULE": "ofelia.config.settings.test",
                "DATABASE_URL": database_url(connection.settings_dict),  # the test database
                "OFELIA_DATA_DIR": str(tmp_path),
                "CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL})
    started: list[tuple[Any, Any]] = []
    queues = [f"ofelia-scale-{run}-{n}" for n in "ab"]
    producer = Celery("ofelia-scale-producer", broker=REDIS_URL, backend=REDIS_URL,
                      set_as_current=False)
    try:
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports):
            started.append(gunicorn(port, workers=2, env=env, log=tmp_path / f"web{n}.log",
                                    cwd=tmp_path))
        for n, queue in enumerate(queues):
            started.append(celery_worker(queue, env=env, log=tmp_path / f"worker{n}.log",
                                         concurrency=1))
        for n, port in enumerate(ports):
            wait_http(f"http://127.0.0.1:{port}/healthz", process=started[n][0],
                      log=tmp_path / f"web{n}.log")
        yield {"bases": [f"http://127.0.0.1:{p}" for p in ports], "queues": queues,
               "producer": producer, "logs": tmp_path}
    finally:
        for process, out in started:
            stop(process, out)
        producer.close()
        for key in store.scan_iter(match=f"*{run}*"):
            store.delete(key)
        for key in store.scan_iter(match="celery-task-meta-*"):
            store.delete(key)


def _at_once(calls: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _on_both_workers(cluster: dict[str, Any], task: str, **kwargs: Any) -> list[dict[str, Any]]:
    sent = [cluster["producer"].send_task(task, kwargs=kwargs, queue=q) for q in cluster["queues"]]
    try:
        return [result.get(timeout=120) for result in sent]
    except Exception as error:  # the workers' logs say why
        logs = "\n".join(tail(cluster["logs"] / f"worker{n}.log") for n in range(2))
        pytest.fail(f"{task} : {error!r}\n{logs}")


def test_i14_two_web_instances_and_two_workers_share_one_database(cluster: dict[str, Any]) -> None:
    org = make_organisation("grappe")
    admin = make_member(org)
    _, token = api_token_create(actor=admin, organisation=org, label="preuve de montée en charge")
    auth = {"Authorization": f"Bearer {token}"}
    bases = cluster["bases"]

    # 1. Enrolments into one session from both web instances at the same time.
    session = make_session(org, capacity=CAPACITY)
    learners = [make_learner(org) for _ in range(LEARNERS)]
    answers = _at_once([
        lambda i=i, learner=learner: requests.post(
            f"{bases[i % 2]}/api/v1/sessions/{session.pk}/enrolments", json={"learner_id": learner.pk},
            headers={**auth, "X-Request-ID": f"enrol-{i}"}, timeout=60)
        for i, learner in enumerate(learners)])
    assert [a.status_code for a in answers] == [201] * LEARNERS, [a.text for a in answers][:3]
    assert [a.headers["X-Request-ID"] for a in answers] == [f"enrol-{i}" for i in range(LEARNERS)]
    given = Counter(a.json()["status"] for a in answers)
    assert given == {"confirmed": CAPACITY, "waitlisted": LEARNERS - CAPACITY}
    stored = Counter(Enrolment.objects.filter(session=session).values_list("status", flat=True))
    assert stored == given

    # 2. Invoice issues from both instances at the same time: gapless, unique numbers.
    drafts = [invoice_create_draft(actor=None, organisation=org, **draft_fields()).pk
              for _ in range(INVOICES)]
    answers = _at_once([
        lambda i=i, pk=pk: requests.post(f"{bases[i % 2]}/api/v1/invoices/{pk}/issue",
                                         headers=auth, timeout=60)
        for i, pk in enumerate(drafts)])
    assert [a.status_code for a in answers] == [200] * INVOICES, [a.text for a in answers][:3]
    numbers = sorted(Invoice.objects.filter(pk__in=drafts).values_list("sequence_number", flat=True))
    assert numbers == list(range(1, INVOICES + 1))
    assert len({a.json()["number"] for a in answers}) == INVOICES

    # 3. The daily jobs on both workers at once. Signing settles a contract on commit; its
    # drafts are removed again, as if that reaction had been lost, so that the job has work.
    acme = company(org)
    contracts = [signed_contract(org, client=acme, signed=date(2026, 1, 12),
                                 start=date(2026, 3, 16) + timedelta(days=n)) for n in range(CONTRACTS)]
    drafts_of = Invoice.objects.filter(contract__in=contracts, status=InvoiceStatus.DRAFT)
    expected = sorted(drafts_of.values_list("contract_id", "buyer_name", "total_incl_vat"))
    assert len(expected) >= CONTRACTS
    for draft in drafts_of:
        draft.lines.all().delete()
        draft.delete()
    today = clock.today()
    reports = _on_both_workers(cluster, "ofelia.billing.tasks.settlement_daily", as_of=today.isoformat())
    changed = [number for report in reports for number in report["changed"]]
    assert sorted(changed) == sorted(c.number for c in contracts), reports  # each by one worker
    assert sorted(drafts_of.values_list("contract_id", "buyer_name", "total_incl_vat")) == expected
    assert settle_all(as_of=today)["changed"] == []  # nothing left to do

    late = (today + timedelta(days=120)).isoformat()
    reports = _on_both_workers(cluster, "ofelia.billing.tasks.collections_daily", as_of=late)
    steps = DunningStep.objects.filter(organisation=org)
    assert steps.count() > 0
    assert sum(r["steps_created"] for r in reports) == steps.count()  # no reminder twice
    assert steps.values("invoice_id", "step").distinct().count() == steps.count()
    again = _on_both_workers(cluster, "ofelia.billing.tasks.collections_daily", as_of=late)
    assert [r["steps_created"] for r in again] == [0, 0]
