"""The catalogue's tests share the sales fixtures (two organisations, people, sessions)."""

from ofelia.sales.tests.conftest import admin, org  # noqa: F401
