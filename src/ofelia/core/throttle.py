"""Counters in the shared cache (Redis in production), for rate limits that hold across
every worker process and machine.

An attempt is counted *before* it is checked (`take`): under any concurrency, at most `limit`
attempts per window get through, whichever worker receives them. The window starts at the
first attempt and is not extended by later ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def key(scope: str, ident: str) -> str:
    return f"ofelia:rate:{scope}:" + hashlib.sha256(ident.strip().lower().encode()).hexdigest()


def _incr(cache_key: str, window: int) -> int:
    if cache.add(cache_key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return 1


def take(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Counts one attempt; True while the count stays within `limit`."""
    return _incr(key(scope, ident), window) <= limit


def count(scope: str, ident: str) -> int:
    return int(cache.get(key(scope, ident), 0))


def give_back(scope: str, ident: str) -> None:
    """Un-counts an attempt that turned out legitimate (a successful sign-in)."""
    try:
        if cache.decr(key(scope, ident)) < 0:
            cache.delete(key(scope, ident))
    except ValueError:  # not there any more
        pass


def reset(scope: str, ident: str) -> None:
    cache.delete(key(scope, ident))


def per_user(scope: str, *, limit: int, window: int) -> Callable[[Callable[..., HttpResponse]],
                                                                  Callable[..., HttpResponse]]:
    """A view that sends e-mails: at most `limit` POSTs per user (or address) per window;
    beyond, a French 429 page and nothing sent."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                from .middleware import client_ip

                user = getattr(request, "user", None)
                who = f"user:{user.pk}" if user is not None and user.is_authenticated else \
                    f"ip:{client_ip(request) or '-'}"
                if not take(scope, who, limit=limit, window=window):
                    return render(request, "429.html", {"minutes": max(1, window // 60)},
                                  status=429)
            return view(request, *args, **kwargs)
        return limited
    return decorate
