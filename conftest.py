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
