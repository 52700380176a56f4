"""Test helpers: build organisations and members quickly (used by several apps' tests)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from . import services
from .models import Organisation, Role

PASSWORD = "mot-de-passe-de-test-42"
_sequence = itertools.count(1)


def _siret(seed: int) -> str:
    """A Luhn-valid SIRET built from a counter."""
    base = f"{(seed * 7919) % 10**13:013d}"
    for last in range(10):
        candidate = base + str(last)
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one final digit always satisfies Luhn")


def make_organisation(**overrides: Any) -> Organisation:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "legal_name": f"Organisme de test {n}",
        "slug": f"org-{n}",
        "siret": _siret(n),
        "nda_number": "11223344556",
        "policy_id": "dixneuf",
        "email": f"contact@org-{n}.test",
    }
    fields.update(overrides)
    return services.organisation_create(actor=None, **fields)


def make_member(organisation: Organisation, role: str = Role.ADMINISTRATOR, **overrides: Any) -> Any:
    n = next(_sequence)
    email = overrides.pop("email", f"{role}-{n}@{organisation.slug}.test")
    user = services.user_create(
        actor=None,
        organisation=organisation,
        email=email,
        password=overrides.pop("password", PASSWORD),
        first_name=overrides.pop("first_name", "Prénom"),
        last_name=overrides.pop("last_name", f"Nom{n}"),
    )
    services.membership_grant(actor=None, organisation=organisation, user=user, role=role, **overrides)
    return user


@pytest.fixture
def org_a(db: Any) -> Organisation:
    return make_organisation(legal_name="Organisme A", slug="org-a")


@pytest.fixture
def org_b(db: Any) -> Organisation:
    return make_organisation(legal_name="Organisme B", slug="org-b")


@pytest.fixture
def admin_a(org_a: Organisation) -> Any:
    return make_member(org_a, Role.ADMINISTRATOR, email="admin@org-a.test")


@pytest.fixture
def staff_b(org_b: Organisation) -> Any:
    return make_member(org_b, Role.STAFF, email="staff@org-b.test")


@pytest.fixture(autouse=True)
def clean_cache() -> Any:
    # Login throttling lives in the cache: each test starts with a clean count.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()




def member_client(user: Any, organisation: Organisation) -> Any:
    """A test client logged in as `user`, working in `organisation`."""
    from django.test import Client

    from ofelia.core.middleware import SESSION_ORGANISATION_KEY

    web = Client()
    web.force_login(user)
    session = web.session
    session[SESSION_ORGANISATION_KEY] = organisation.pk
    session.save()
    return web
