"""Fixtures shared with the other apps live in ofelia.organisations.testing; `world` is the
class the hosting tests share."""

from decimal import Decimal
from typing import Any

import pytest

from ofelia.core import clock
from ofelia.hosting import services as hosting_services
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import *  # noqa: F403
from ofelia.organisations.testing import make_member, make_organisation

from .simulation import ORDERED, START


@pytest.fixture
def world(db: Any) -> Any:
    """VIRTUALEO's terms, a client and its contact, staff, and a class of 30 learners ordered
    on ORDERED for START (one day of 9 hours)."""
    org = make_organisation(legal_name="VIRTUALEO test", slug="virtualeo-test", policy_id="virtualeo",
                            vat_status=Organisation.VatStatus.SUBJECT)
    company = org_services.client_company_create(actor=None, organisation=org, name="Client SA")
    contact = make_member(org, Role.CLIENT_CONTACT, company=company)
    staff = make_member(org, Role.STAFF)
    with clock.frozen(ORDERED):
        klass = hosting_services.class_order(
            actor=contact, organisation=org, membership=contact.memberships.get(organisation=org), company=company,
            data={"title": "Atelier", "mode": "scheduled", "start": START, "days": 1, "daily_hours": Decimal("9"),
                  "learners": 30, "software": "office", "custom_configuration": ""})
    return org, klass, contact, staff
