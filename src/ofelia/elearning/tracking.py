"""The SCORM runtime's commits (every 30 s per learner, and one by `sendBeacon` on leaving):
the lean path (issue 12, tracking speed; see docs/elearning.md « Suivi : le chemin court »).

The module page asks the rules core and, when the module is open, signs a token for (learner
course, module, user, a digest of the browser's session key), valid 24 h. A commit is then
authenticated by that token alone, checked without any query: the signature (only this server
issues it, only to that learner, only for a SCORM module of the version they follow) and the
session cookie the commit comes with (its digest must be the one signed). Then one statement
stores it (`services.tracking_store`: INSERT … ON CONFLICT DO UPDATE). No session, user or
membership row is read, which is why `TrackingCommitMiddleware` answers these requests before
the session, authentication, organisation and message middleware (it sits after the request
id, the security headers and the API problem middleware, which still apply).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from . import services

MAX_TRACKING_BODY = 160 * 1024
TRACKING_SALT = "ofelia.elearning.tracking"
TRACKING_TOKEN_AGE = 24 * 3600
VIEW_NAME = "elearning:my-tracking"


def _session_digest(session_key: str | None) -> str:
    """The session key itself never goes into the page (it is an HttpOnly secret)."""
    if not session_key:
        return ""
    return hashlib.sha256(f"{TRACKING_SALT}:{session_key}".encode()).hexdigest()[:32]


def tracking_token(*, learner_course: Any, module: Any, user: Any, session_key: str | None) -> str:
    """Signed when the module page is served (after the core opened the module): the commits'
    proof of origin. `sendBeacon` cannot carry the CSRF header; the token replaces it."""
    return signing.dumps({"lc": learner_course.pk, "m": module.pk, "u": user.pk,
                          "s": _session_digest(session_key)}, salt=TRACKING_SALT)


def token_ok(token: Any, *, lc_pk: int, module_pk: int, session_key: str | None) -> bool:
    try:
        data = signing.loads(str(token), salt=TRACKING_SALT, max_age=TRACKING_TOKEN_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("lc") != lc_pk or data.get("m") != module_pk:
        return False
    digest = _session_digest(session_key)
    return bool(digest) and hmac.compare_digest(str(data.get("s", "")), digest)


def _refusal(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"result": "false", "errorCode": 101, "detail": detail}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def commit(request: HttpRequest, lc_pk: int, module_pk: int) -> HttpResponse:
    """{"attempt": n, "seq": n, "token": "…", "cmi": {...}} → stored on the learner's attempt."""
    if request.method != "POST":
        response = _refusal(405, "Envoi de suivi : méthode POST attendue.")
        response["Allow"] = "POST"
        return response
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_TRACKING_BODY or len(request.body) > MAX_TRACKING_BODY:
        return _refusal(413, "Données de suivi trop volumineuses.")
    try:
        payload = json.loads(request.body)
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        return _refusal(400, "Envoi de suivi invalide (JSON attendu).")
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not token_ok(payload.get("token"), lc_pk=lc_pk, module_pk=module_pk, session_key=session_key):
        return _refusal(403, "Jeton de suivi invalide ou expiré : rechargez la page.")
    try:
        attempt, seq, cmi = int(payload["attempt"]), int(payload["seq"]), payload.get("cmi", {})
        _, done = services.tracking_store(learner_course_id=lc_pk, module_id=module_pk,
                                          attempt=attempt, seq=seq, cmi=cmi)
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        return _refusal(400, f"Envoi de suivi invalide ({exc.__class__.__name__}).")
    except ValidationError as exc:
        return _refusal(400, " ".join(exc.messages))
    response = JsonResponse({"result": "true", "errorCode": 0, "completed": done})
    response["Cache-Control"] = "no-store"
    return response


class TrackingCommitMiddleware:
    """Answers the tracking commits before the session, authentication and organisation
    middleware (which would read three rows the signed token makes useless)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info.endswith("/suivi/"):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.view_name == VIEW_NAME:
                return commit(request, **match.kwargs)
        return self.get_response(request)
