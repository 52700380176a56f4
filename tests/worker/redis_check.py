"""The Redis the worker tests need: reached, or skipped (a failure in CI, which promises it)."""

from __future__ import annotations

import os

import pytest
import redis


def redis_or_skip(url: str, purpose: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis injoignable sur {url} ({error}) : {purpose}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)  # CI promises Redis: its absence is a failure, not a skip
        pytest.skip(reason)
    return client
