"""The attendance tests' world (an organisation, a trainer, a one-day session on 16 March
2026 with three learners), plus a client company whose contact has an extranet account."""

from __future__ import annotations

from typing import Any

import pytest

from ofelia.attendance.tests.conftest import World, make_user, make_world
from ofelia.organisations.models import ClientCompany, CompanyContact, Role
from ofelia.surveys import services


@pytest.fixture
def world(db: Any) -> World:
    w = make_world("sondage")
    company = ClientCompany.objects.create(organisation=w.org, name="Acme Industrie",
                                           email="contact@acme.example")
    contact_user = make_user(w.org, Role.CLIENT_CONTACT, company=company)
    CompanyContact.objects.create(organisation=w.org, company=company, first_name="Chloé", last_name="Achats",
                                  email="chloe@acme.example", user=contact_user)
    for learner in w.learners[:2]:
        learner.company = company
        learner.save(update_fields=["company"])
    services.ensure_defaults(w.org)
    return w
