"""A request id on every log line: taken from `X-Request-ID` when it is sane, made otherwise,
sent back on the response, carried by the Celery tasks the request queues.

One context variable holds it; a logging filter copies it onto every record (`request_id`,
"-" outside a request); `JsonFormatter` writes one JSON object per line (production)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
CELERY_HEADER = "ofelia_request_id"
# Ids from a load balancer or a client: letters, digits and - _ . : only, at most 128
# characters (a UUID, a Heroku or AWS trace id fit); anything else is replaced, never logged.
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

current: contextvars.ContextVar[str | None] = contextvars.ContextVar("ofelia_request_id", default=None)


def valid(value: str | None) -> bool:
    return bool(value) and _VALID.fullmatch(value or "") is not None


def new() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost: every later middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER)
        rid = given if given is not None and valid(given) else new()
        request.request_id = rid  # type: ignore[attr-defined]
        token = current.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx/5xx answer after the middleware chain ended, with the request.
            request = getattr(record, "request", None)
            record.request_id = current.get() or getattr(request, "request_id", None) or "-"
        return True


# The attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current.get() or "-",
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key != "request":
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Celery: the id travels in a message header and is set again around the task's run.


def on_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    rid = current.get()
    if rid and headers is not None:
        headers[CELERY_HEADER] = rid


_task_tokens: dict[str, contextvars.Token[str | None]] = {}


def on_task_start(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    rid = getattr(request, CELERY_HEADER, None) or (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
    if task_id and valid(rid):
        # An eager task runs inside the request: the id is already the same.
        _task_tokens[task_id] = current.set(rid)


def on_task_end(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        current.reset(token)


def connect_celery() -> None:
    from celery import signals

    signals.before_task_publish.connect(on_publish, weak=False, dispatch_uid="ofelia-rid-publish")
    signals.task_prerun.connect(on_task_start, weak=False, dispatch_uid="ofelia-rid-start")
    signals.task_postrun.connect(on_task_end, weak=False, dispatch_uid="ofelia-rid-end")
