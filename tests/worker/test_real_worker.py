"""One real Celery worker, one real Redis broker: a task delivered twice runs once.

The worker is a separate process, so its effects are read back from Redis (the key
store every worker shares), not from the test database.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from ofelia.core import request_id
from ofelia.core.tasks import ping_effects

from .processes import celery_worker, stop
from .redis_check import redis_or_skip

pytestmark = pytest.mark.worker

# A database number of its own, so that the test never touches real queues or keys.
REDIS_URL = os.environ.get("OFELIA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_or_skip() -> redis.Redis:
    return redis_or_skip(REDIS_URL, "test du worker Celery impossible")


@pytest.fixture
def broker_settings(settings: Any) -> str:
    # The test process reads the worker's effects through the same key store.
    settings.CELERY_BROKER_URL = REDIS_URL
    return REDIS_URL


@pytest.fixture
def worker(broker_settings: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    client = _redis_or_skip()
    queue = f"ofelia-test-{uuid.uuid4().hex[:12]}"  # concurrent runs never steal each other's messages
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ofelia.config.settings.test",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "OFELIA_DATA_DIR": str(tmp_path),
    }
    # Two processes, so that the duplicate copies really can run at the same time.
    process, log = celery_worker(queue, env=env, log=tmp_path / "worker.log", concurrency=2)
    # Not the current app: the project's own tasks must keep using the project's app.
    producer = Celery("ofelia-test-producer", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    state: dict[str, Any] = {
        "queue": queue,
        "producer": producer,
        "process": process,
        "log": tmp_path / "worker.log",
        "task_ids": [],  # the tests record what they send, for the clean-up
    }
    try:
        yield state
    finally:
        stop(process, log)  # warm shutdown: finish what is running
        producer.close()
        # Leave the database as found: our queue, its binding, our results and keys.
        client.delete(queue, f"_kombu.binding.{queue}")
        for task_id in state["task_ids"]:
            client.delete(f"celery-task-meta-{task_id}")
        for key in client.scan_iter(match=f"*{queue}*"):  # the idempotency keys embed the queue name
            client.delete(key)


def _wait_for(predicate: Any, *, worker: dict[str, Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker["process"].poll() is not None:  # no point waiting for a dead worker
            what = f"le worker s'est arrêté (code {worker['process'].returncode}) : {what}"
            break
        time.sleep(0.1)
    else:
        what = f"{what} après {timeout:.0f} s"
    pytest.fail(f"{what} ; journal du worker :\n{worker['log'].read_text()[-3000:]}")


def test_task_delivered_twice_runs_once_on_a_real_worker(worker: dict[str, Any]) -> None:
    producer, queue = worker["producer"], worker["queue"]
    key = f"{queue}-first"
    message_id = str(uuid.uuid4())
    worker["task_ids"].append(message_id)
    # The very same message twice, as a broker redelivery or a retrying producer would do.
    for _ in range(2):
        producer.send_task("ofelia.core.ping", kwargs={"idempotency_key": key}, queue=queue, task_id=message_id)
    other_key = f"{queue}-second"
    # Queued "by a request": the worker runs it under the same request id.
    token = request_id.current.set(f"req-{queue}")
    try:
        other = producer.send_task("ofelia.core.ping", kwargs={"idempotency_key": other_key}, queue=queue)
    finally:
        request_id.current.reset(token)
    worker["task_ids"].append(other.id)

    _wait_for(
        lambda: ping_effects(key)["deliveries"] == 2,
        worker=worker,
        timeout=60,
        what="le worker n'a pas traité les deux copies du message",
    )
    effects = ping_effects(key)
    assert effects["runs"] == 1, effects
    assert effects["pong"]  # the one run left its mark

    # A different key is not swallowed by the first one's claim, and the result comes back
    # through the result backend from the worker process.
    result = other.get(timeout=60)
    assert result == {"key": other_key, "ran": True, "runs": 1, "deliveries": 1,
                      "request_id": f"req-{queue}"}
    assert worker["process"].poll() is None, "le worker s'est arrêté en cours de test"

