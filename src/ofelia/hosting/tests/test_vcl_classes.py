"""Ordering a virtual class (VCL-1, VCL-2, VCL-3) and changing or cancelling it (CAN-V1):
every amount and deadline is what `ofelia simulate` gives for the same class; refusals
name their rule and change nothing."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.hosting import services
from ofelia.hosting.models import VirtualClass
from ofelia.organisations import services as org_services
from ofelia.organisations.models import Organisation, Role
from ofelia.organisations.testing import make_member, make_organisation
from ofelia.simcli import run_case

PARIS = clock.PARIS
pytestmark = pytest.mark.django_db
ORDERED = datetime(2026, 5, 20, 11, 0, tzinfo=PARIS)
START = datetime(2026, 6, 2, 9, 0, tzinfo=PARIS)


@pytest.fixture
def virtualeo(db: Any) -> Organisation:
    return make_organisation(legal_name="VIRTUALEO test", slug="virtualeo-test", policy_id="virtualeo")


@pytest.fixture
def contact(virtualeo: Organisation) -> Any:
    company = org_services.client_company_create(actor=None, organisation=virtualeo, name="Client SA")
    return make_member(virtualeo, Role.CLIENT_CONTACT, company=company)


def _membership(org: Organisation, user: Any) -> Any:
    return user.memberships.get(organisation=org)


def _data(**overrides: Any) -> dict[str, Any]:
    data = {"title": "Formation Python", "mode": "scheduled", "start": START, "days": 3,
            "daily_hours": Decimal("9"), "learners": 12, "software": "development", "custom_configuration": ""}
    data.update(overrides)
    return data


def _order(org: Organisation, user: Any, **overrides: Any) -> VirtualClass:
    membership = _membership(org, user)
    with clock.frozen(ORDERED):
        return services.class_order(actor=user, organisation=org, membership=membership,
                                    company=membership.company, data=_data(**overrides))


def _simulated(learners: int = 12, days: int = 3) -> dict[str, Any]:
    """The case a person types in `ofelia simulate` (the CLI's own function, shipped terms)."""
    case = {"case": "virtual_class", "policy": "virtualeo", "as_of": ORDERED.isoformat(),
            "class": {"created_at": ORDERED.isoformat(), "mode": "scheduled", "start": START.isoformat(),
                      "days": days, "daily_hours": "9", "learners": learners}}
    return run_case(json.loads(json.dumps(case)), today=ORDERED.date())


def test_vcl_2_estimate_at_creation_is_the_simulation_of_the_same_class(virtualeo: Organisation, contact: Any) -> None:
    klass = _order(virtualeo, contact)
    expected = next(c for c in _simulated()["charges"] if c["kind"] == "estimate")
    assert klass.estimate_excl_vat == Decimal(expected["amount"]) == Decimal("296.40")
    assert klass.estimate_vat == Decimal(expected["vat"])
    assert (klass.policy_id, klass.policy_version) == ("virtualeo", "2025.01.01")
    assert AuditEntry.objects.filter(action="virtual_class.order", object_id=str(klass.pk)).exists()


@pytest.mark.parametrize(("learners", "accepted"), [(30, True), (31, False)])
def test_vcl_1_thirty_learners_at_most(virtualeo: Organisation, contact: Any, learners: int, accepted: bool) -> None:
    if accepted:
        assert _order(virtualeo, contact, learners=learners).machines() == 31
        return
    with pytest.raises(ValidationError) as refused:
        _order(virtualeo, contact, learners=learners)
    assert "VCL-1" in " ".join(refused.value.messages)
    assert not VirtualClass.objects.exists()


@pytest.mark.parametrize(("when", "allowed"), [
    (datetime(2026, 6, 2, 8, 0, tzinfo=PARIS), True),   # exactly 1 hour before: still free
    (datetime(2026, 6, 2, 8, 1, tzinfo=PARIS), False),  # 59 minutes before: refused
])
def test_can_v1_change_until_one_hour_before_the_start(virtualeo: Organisation, contact: Any,
                                                       when: datetime, allowed: bool) -> None:
    klass = _order(virtualeo, contact)
    with clock.frozen(when):
        if allowed:
            changed = services.class_change(actor=contact, klass=klass, data={"learners": 20})
            assert changed.learners == 20
            expected = next(c for c in _simulated(learners=20)["charges"] if c["kind"] == "estimate")
            assert changed.estimate_excl_vat == Decimal(expected["amount"])  # prices of the creation
            return
        with pytest.raises(ValidationError) as refused:
            services.class_change(actor=contact, klass=klass, data={"learners": 20})
    message = " ".join(refused.value.messages)
    assert "CGV, art. 6" in message and "2 juin 2026 à 08:00" in message
    klass.refresh_from_db()
    assert klass.learners == 12


def test_can_v1_cancellation_is_free_before_and_refused_after(virtualeo: Organisation, contact: Any) -> None:
    first, second = _order(virtualeo, contact), _order(virtualeo, contact, title="Deuxième")
    with clock.frozen(datetime(2026, 6, 1, 12, 0, tzinfo=PARIS)):
        assert services.class_cancel(actor=contact, klass=first).is_cancelled
    with clock.frozen(datetime(2026, 6, 2, 8, 30, tzinfo=PARIS)), pytest.raises(ValidationError):
        services.class_cancel(actor=contact, klass=second)
    second.refresh_from_db()
    assert second.status == VirtualClass.Status.ORDERED


def test_vcl_3_on_demand_is_for_the_same_day(virtualeo: Organisation, contact: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _order(virtualeo, contact, mode="on_demand")
    assert "jour même" in " ".join(refused.value.messages)
    klass = _order(virtualeo, contact, mode="on_demand", start=datetime(2026, 5, 20, 14, 0, tzinfo=PARIS))
    assert klass.validated_at == ORDERED


def test_client_sees_only_its_company_and_terms_without_vcl_offer_nothing(virtualeo: Organisation,
                                                                          contact: Any) -> None:
    klass = _order(virtualeo, contact)
    other = org_services.client_company_create(actor=None, organisation=virtualeo, name="Autre SA")
    stranger = make_member(virtualeo, Role.CLIENT_CONTACT, company=other)
    web = Client()
    web.force_login(stranger)
    assert web.get(f"/espace/classes-virtuelles/{klass.pk}/").status_code == 404
    web.force_login(contact)
    with clock.frozen(ORDERED):
        page = web.get(f"/espace/classes-virtuelles/{klass.pk}/").content.decode()
    assert "296,40" in page and "2 juin 2026 à 08:00" in page
    dixneuf = make_organisation(slug="dixneuf-test", policy_id="dixneuf")
    web.force_login(make_member(dixneuf, Role.STAFF))
    page = web.get("/gestion/classes-virtuelles/").content.decode()
    assert "ne prévoient pas de classes virtuelles" in page
    assert "Classes virtuelles</a>" not in web.get("/gestion/").content.decode()


def test_client_configures_and_sees_the_estimate_before_ordering(virtualeo: Organisation, contact: Any) -> None:
    web = Client()
    web.force_login(contact)
    form = {"title": "Python", "mode": "scheduled", "start_day": "2026-06-02", "start_time": "09:00", "days": "3",
            "daily_hours": "9", "learners": "12", "software": "office"}
    with clock.frozen(ORDERED):
        page = web.post("/espace/classes-virtuelles/", {**form, "action": "estimate"}).content.decode()
        assert "Estimation indicative" in page and "296,40" in page and not VirtualClass.objects.exists()
        refused = web.post("/espace/classes-virtuelles/", {**form, "learners": "31", "action": "order"})
        assert "VCL-1" in refused.content.decode() and not VirtualClass.objects.exists()
        done = web.post("/espace/classes-virtuelles/", {**form, "action": "order"})
    assert done.status_code == 302 and VirtualClass.objects.count() == 1
