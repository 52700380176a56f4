"""An organisation's public pages (its catalogue under /o/<slug>/), cached for visitors.

A page is cached only for a visitor who is not signed in (GET or HEAD, no message waiting),
under a key naming the organisation, the version of its public content, the language, the
day and the full path: never shared between organisations, never served to a signed-in
user. Any change to what these pages show bumps the organisation's version (`bump`): the
catalogue's receivers do it for trainings, sessions, slots, trainers and enrolments (free
seats), this module for the organisation's own settings. An app that adds a block to a
public page calls `bump(organisation_id)` when that block changes; the block is then
simply part of the cached page.

The CSRF token of the page (language form, htmx header) is cut out of the stored copy and
each visitor gets their own. The version lives in the cache, which must be shared by the
web processes (Redis in production); a page also expires after `PAGE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from ofelia.core import clock

from .selectors import organisation_by_slug

PAGE_SECONDS = 300
CSRF_MARK = b"@@ofelia-public-csrf@@"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _version_key(organisation_id: int) -> str:
    return f"public-page-version:{organisation_id}"


def _slug_key(slug: str) -> str:
    return f"public-page-organisation:{slug}"


def bump(organisation_id: int) -> None:
    """Every cached public page of this organisation is stale from now on; bumped again when
    the current transaction commits (a page rendered meanwhile from the old rows is dropped)."""

    def new_version() -> None:
        cache.set(_version_key(organisation_id), uuid.uuid4().hex, None)

    new_version()
    transaction.on_commit(new_version)


def forget_organisation(organisation_id: int, slug: str) -> None:
    """The organisation itself changed (name, NDA, slug, active...)."""
    cache.delete(_slug_key(slug))
    bump(organisation_id)


def _organisation_id(slug: str) -> int | None:
    found = cache.get(_slug_key(slug))
    if found is None:
        organisation = organisation_by_slug(slug=slug)
        if organisation is None:
            return None  # unknown slugs are not remembered: the view answers its 404
        found = organisation.pk
        cache.set(_slug_key(slug), found, PAGE_SECONDS)
    return int(found)


def _version(organisation_id: int) -> str:
    key = _version_key(organisation_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return str(version)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    # A message waiting for this visitor (e.g. after a sign-up) is shown by the page.
    return not (request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
                or (hasattr(request, "session") and request.session.get("_messages")))


def _page_key(organisation_id: int, request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return (f"public-page:{organisation_id}:{_version(organisation_id)}:{get_language()}:"
            f"{clock.today().isoformat()}:{path}")


def _stored_copy(response: HttpResponse) -> bytes:
    body = response.content
    found = _CSRF_INPUT.search(body)
    return body.replace(found.group(1), CSRF_MARK) if found else body


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public view taking the organisation's `slug`."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, slug, *args, **kwargs)
        organisation_id = _organisation_id(slug)
        if organisation_id is None:
            return view(request, slug, *args, **kwargs)
        key = _page_key(organisation_id, request)
        stored = cache.get(key)
        if stored is not None:
            content_type, body = stored
            if CSRF_MARK in body:
                body = body.replace(CSRF_MARK, get_token(request).encode())
            return HttpResponse(body, content_type=content_type)
        response = view(request, slug, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response["Content-Type"], _stored_copy(response)), PAGE_SECONDS)
        return response

    return wrapper
