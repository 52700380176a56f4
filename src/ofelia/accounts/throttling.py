"""Login throttling: N failures per (username, IP) within a window block further attempts."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str | None) -> str:
    raw = f"{username.strip().lower()}|{ip or '-'}".encode()
    return "ofelia:login-failures:" + hashlib.sha256(raw).hexdigest()


def is_blocked(username: str, ip: str | None) -> bool:
    return int(cache.get(_key(username, ip), 0)) >= settings.LOGIN_THROTTLE_FAILURES


def record_failure(username: str, ip: str | None) -> int:
    key = _key(username, ip)
    # The window starts at the first failure and is not extended by later ones.
    if cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW)
        return 1


def clear(username: str, ip: str | None) -> None:
    cache.delete(_key(username, ip))
