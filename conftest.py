"""Every test starts with an empty cache: the public pages are cached per organisation, and
a test database may give a new organisation the id (and slug) of an earlier test's one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_join_allowed() -> Iterator[None]:
    """Celery's eager `apply()` marks « joining would block » in a process-wide flag and puts
    back the value it found; tasks run eagerly from several threads at once (the numbering
    and seat concurrency tests) can put it back in the wrong order and leave it set, so a
    later test's `result.get()` is refused. Each test starts with the flag as a fresh
    process has it."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
