"""Office staff read explanations and clauses, not rule codes, hashes or JSON; an
administrator finds those behind « Détails »."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from ofelia.core import clock
from ofelia.organisations.models import Role

from .conftest import make_contract, make_session, make_user

pytestmark = pytest.mark.django_db


def test_staff_see_no_rule_codes_and_administrators_find_them_in_details(org: Any, admin: Any, company: Any) -> None:
    with clock.frozen(datetime(2026, 1, 12, 10, 0)):
        contract = make_contract(org, admin, client=company, session=make_session(org, start=date(2026, 3, 16)))
    web = Client()
    web.force_login(make_user(org, Role.STAFF))
    with clock.frozen(datetime(2026, 3, 1, 10, 0)):
        staff_page = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
        web.force_login(admin)
        admin_page = web.get(f"/ventes/contrats/{contract.pk}/").content.decode()
    for code_only in ("SHA-256", "Simulation de ce contrat", "Détails : règles appliquées", "<code>PRV-D1</code>"):
        assert code_only not in staff_page, code_only
    assert "Conditions générales : <a" in staff_page and "conditions dixneuf" not in staff_page
    assert "SHA-256" in admin_page and "Détails : règles appliquées" in admin_page
