"""Issue 13 items 2 and 7: a worker killed while it provisions a 31-machine class on the
local libcloud driver. The task (acks late, rejected on worker lost) is delivered again; the
claims and the nodes' names let it resume: the class is ready, no machine was created twice
(rows, driver nodes and local processes counted).

PostgreSQL + Redis, like the other scale-out proofs."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.db import connection

from ofelia.core import clock
from ofelia.core.backup import database_url
from ofelia.hosting import local_driver, services
from ofelia.hosting.models import Machine
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import make_member, make_organisation

from .processes import celery_worker, stop, tail
from .redis_check import redis_or_skip

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

REDIS_URL = os.environ.get("OFELIA_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")
BOOT_SECONDS = 3.0  # long enough to kill the worker while its machines boot


@pytest.fixture
def worker(transactional_db: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("preuve sur PostgreSQL seulement : des workers séparés partagent une base et ses verrous")
    store = redis_or_skip(REDIS_URL, "provisionnement par des workers non prouvable sans broker")
    run = uuid.uuid4().hex[:10]
    nodes = tmp_path / "nodes"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env.update({"DJANGO_SETTINGS_MODULE": "ofelia.config.settings.test",
                "DATABASE_URL": database_url(connection.settings_dict), "OFELIA_DATA_DIR": str(tmp_path),
                "CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL,
                "OFELIA_HOSTING_PROVIDER": local_driver.PROVIDER, "OFELIA_HOSTING_LOCAL_STATE_DIR": str(nodes),
                "OFELIA_HOSTING_LOCAL_BOOT_SECONDS": str(BOOT_SECONDS), "OFELIA_HOSTING_READY_TIMEOUT": "60"})
    queue = f"ofelia-provisioning-{run}"
    producer = Celery("ofelia-provisioning-producer", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    process, out = celery_worker(queue, env=env, log=tmp_path / "worker.log", concurrency=1)
    try:
        yield {"queue": queue, "producer": producer, "nodes": nodes, "log": tmp_path / "worker.log",
               "process": process}
    finally:
        stop(process, out)
        producer.close()
        local_driver.destroy_all(nodes)
        for key in store.scan_iter(match=f"*{run}*"):
            store.delete(key)
        assert local_driver.node_processes(nodes) == {}


def _wait(condition: Any, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} : délai dépassé\n{tail(log)}")


def _records(nodes: Path) -> list[dict[str, Any]]:
    found = []
    for path in nodes.glob("*.json"):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue  # being written
    return found


def test_i13_a_worker_killed_while_provisioning_leaves_a_ready_class_and_no_duplicate(worker: dict[str, Any]) -> None:
    org = make_organisation(legal_name="VIRTUALEO grappe", slug="virtualeo-grappe", policy_id="virtualeo",
                            vat_status=Organisation.VatStatus.SUBJECT)
    company = org_services.client_company_create(actor=None, organisation=org, name="Client SA")
    contact = make_member(org, Role.CLIENT_CONTACT, company=company)
    start = datetime(2026, 6, 2, 9, 0, tzinfo=clock.PARIS)
    with clock.frozen(datetime(2026, 5, 20, 11, 0, tzinfo=clock.PARIS)):
        klass = services.class_order(
            actor=contact, organisation=org, membership=contact.memberships.get(organisation=org), company=company,
            data={"title": "Atelier", "mode": "scheduled", "start": start, "days": 1, "daily_hours": Decimal("9"),
                  "learners": 30, "software": "office", "custom_configuration": ""})

    worker["producer"].send_task("ofelia.hosting.tasks.provision_class", args=[klass.pk], queue=worker["queue"])
    nodes = worker["nodes"]
    _wait(lambda: len(_records(nodes)) >= 10, timeout=90, what="création des premières machines", log=worker["log"])
    creator = int(_records(nodes)[0]["creator"])  # the pool process running the task
    assert creator != worker["process"].pid
    os.kill(creator, signal.SIGKILL)

    ready = klass.provisioned.filter(state=Machine.State.READY)
    _wait(lambda: ready.count() == 31, timeout=120, what="classe prête après la perte du worker", log=worker["log"])
    log = worker["log"].read_text()
    assert "WorkerLostError" in log or "SIGKILL" in log, tail(worker["log"])  # it really died mid-task
    records = _records(nodes)
    assert klass.provisioned.count() == 31  # one row per slot
    assert sorted(r["name"] for r in records) == sorted(m.node_name for m in klass.provisioned.all())
    assert len(local_driver.node_processes(nodes)) == 31  # 31 machines, not one more
