"""Issue 14 item 6: a request id on the response and on every log line of the request, in
JSON in production, carried by the Celery tasks the request queues."""

import json
import logging

import pytest
from celery import shared_task

from ofelia.core import request_id
from ofelia.core.request_id import HEADER, JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_is_kept_and_sent_back(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.92:abc_DEF")
    assert response[HEADER] == "lb-7f3a.92:abc_DEF"


@pytest.mark.parametrize("given", ["", "a" * 129, "abc def", "x\u00e9", "<script>", "id;drop"])
def test_a_bad_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    made = response[HEADER]
    assert made != given and len(made) == 32 and made.isalnum()


def test_without_header_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz")[HEADER], client.get("/healthz")[HEADER]
    assert first != second


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept():
    handler = _Keep()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def test_every_log_record_of_the_request_carries_its_id(client, kept):
    # A 404 is logged by Django ("Not Found: ...") inside the request.
    response = client.get("/pas-de-page-ici/", HTTP_X_REQUEST_ID="req-404-test")
    assert response.status_code == 404
    mine = [r for r in kept if "pas-de-page-ici" in r.getMessage()]
    assert mine and {r.request_id for r in mine} == {"req-404-test"}
    logging.getLogger("ofelia.test").warning("hors requête")
    assert kept[-1].request_id == "-"


def test_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("ofelia.billing", logging.WARNING, __file__, 1, "Facture %s", ("F-1",), None)
    record.invoice = 12
    token = request_id.current.set("abc-123")
    try:
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id.current.reset(token)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "Facture F-1" and entry["level"] == "WARNING"
    assert entry["logger"] == "ofelia.billing" and entry["request_id"] == "abc-123"
    assert entry["invoice"] == 12 and entry["time"].endswith("+00:00")


def test_production_logs_are_json():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ofelia.config.settings.production",
           "DJANGO_SECRET_KEY": "x" * 60, "CACHE_URL": "redis://127.0.0.1:6379/1",
           "DJANGO_ALLOWED_HOSTS": "exemple.test"}
    env.pop("OFELIA_LOG_FORMAT", None)
    code = "import django, logging; django.setup(); logging.getLogger('ofelia').warning('bonjour')"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "bonjour" and entry["request_id"] == "-"


@shared_task(name="ofelia.core.tests.seen_request_id")
def _seen_request_id() -> str | None:
    return request_id.current.get()


def test_a_task_queued_by_a_request_carries_its_id_in_the_message():
    headers: dict = {}
    token = request_id.current.set("queued-by-req-1")
    try:
        request_id.on_publish(headers=headers)
    finally:
        request_id.current.reset(token)
    assert headers == {request_id.CELERY_HEADER: "queued-by-req-1"}

    # The worker side: the header arrives as an attribute of the task's request.
    class Request:
        ofelia_request_id = "queued-by-req-1"

    class Task:
        request = Request()

    request_id.on_task_start(task_id="t-1", task=Task())
    assert request_id.current.get() == "queued-by-req-1"
    request_id.on_task_end(task_id="t-1")
    assert request_id.current.get() is None


def test_an_eager_task_runs_with_the_request_id():
    token = request_id.current.set("eager-req-2")
    try:
        assert _seen_request_id.delay().get() == "eager-req-2"
    finally:
        request_id.current.reset(token)
