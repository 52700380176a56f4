"""The metering ledger (issue 13, items 3 and 4): events appended once, read back as
running intervals, billed by the core (VCL-4 to VCL-6); the consumption invoice equals the
simulation of the same ledger; refusals change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.billing.services import BillingError
from ofelia.billing.virtual_classes import class_invoice_draft, class_invoices_due
from ofelia.core import clock
from ofelia.hosting import ledger, services
from ofelia.hosting.models import UsageEvent, VirtualClass

from .simulation import START, assert_invoice_is_the_simulation

PARIS = clock.PARIS
pytestmark = pytest.mark.django_db




def _event(n: int, machine: str, kind: str, at: datetime) -> dict[str, Any]:
    return {"event_id": f"evt-{n}", "machine": machine, "kind": kind, "at": at}


def _class_day(klass: VirtualClass) -> list[dict[str, Any]]:
    """31 machines started at 09:00; learner-7 stopped at 12:00, the others at 18:00; the
    instructor runs into the approved extension until 18:30."""
    events, n = [], 0
    for machine in sorted(ledger.machine_names(klass)):
        n += 1
        events.append(_event(n, machine, "start", START))
        stop = START + timedelta(hours=3 if machine == "learner-7" else 9)
        if machine == "instructor":
            stop = START + timedelta(hours=9, minutes=30)
        n += 1
        events.append(_event(n, machine, "heartbeat", START + timedelta(hours=1)))
        n += 1
        events.append(_event(n, machine, "stop", stop))
    return events


def test_ledger_ingest_is_idempotent_and_refuses_a_bad_batch_whole(world: Any) -> None:
    _org, klass, _contact, _staff = world
    events = _class_day(klass)
    with clock.frozen(START + timedelta(hours=10)):
        first = ledger.ingest(klass=klass, events=events)
        again = ledger.ingest(klass=klass, events=events[:10] + events[:1])
        assert (first.accepted, first.duplicates) == (93, 0)
        assert (again.accepted, again.duplicates) == (0, 11)
        with pytest.raises(ValidationError) as refused:
            ledger.ingest(klass=klass, events=[_event(999, "learner-1", "start", START),
                                               _event(1000, "learner-31", "start", START)])
    assert "learner-31" in " ".join(refused.value.messages)
    assert UsageEvent.objects.count() == 93 and not UsageEvent.objects.filter(event_id="evt-999").exists()


def test_late_and_out_of_order_events_make_the_same_intervals(world: Any) -> None:
    _org, klass, _contact, _staff = world
    events = _class_day(klass)
    with clock.frozen(START + timedelta(hours=10)):
        ledger.ingest(klass=klass, events=list(reversed(events)))
        found = {i.machine: i for i in ledger.intervals(klass)}
    assert len(found) == 31
    assert found["learner-7"].hours == 3 and found["instructor"].hours == 9.5


def test_vcl_6_consumption_invoice_equals_the_simulation_of_the_same_ledger(world: Any) -> None:
    org, klass, contact, staff = world
    with clock.frozen(START + timedelta(hours=2)):
        extension = services.extension_request(actor=contact, klass=klass, day=1)
        with pytest.raises(ValidationError):  # the client cannot approve its own extension
            services.extension_decide(actor=contact, membership=contact.memberships.get(organisation=org),
                                      extension=extension, approve=True)
        services.extension_decide(actor=staff, membership=staff.memberships.get(organisation=org),
                                  extension=extension, approve=True)
        with pytest.raises(BillingError):  # not over yet
            class_invoice_draft(actor=staff, klass=klass)
    with clock.frozen(START + timedelta(hours=11)):
        ledger.ingest(klass=klass, events=_class_day(klass))
        invoice = class_invoice_draft(actor=staff, klass=klass)
        assert class_invoice_draft(actor=staff, klass=klass).pk == invoice.pk  # drafted once
        assert class_invoices_due()["drafted"] == 0
        case, billed = assert_invoice_is_the_simulation(invoice, klass, today=START.date())
    usage = [e for e in case["events"] if e["type"] == "usage"]
    assert len(usage) == 31
    assert {c["kind"] for c in billed} >= {"usage", "extension", "storage"}
    assert invoice.purpose == "consumption" and not invoice.vat_exempt


def test_a_cancelled_class_is_not_billed(world: Any) -> None:
    _org, klass, contact, staff = world
    with clock.frozen(START - timedelta(days=1)):
        services.class_cancel(actor=contact, klass=klass)
    with clock.frozen(START + timedelta(days=2)), pytest.raises(BillingError):
        class_invoice_draft(actor=staff, klass=klass)


def test_usage_api_for_staff_tokens_only_and_duplicates_ignored(world: Any) -> None:
    org, klass, contact, staff = world
    web = Client()
    body = {"events": [{"event_id": "a-1", "machine": "instructor", "kind": "start",
                        "at": START.isoformat()}]}
    with clock.frozen(START + timedelta(hours=1)):
        web.force_login(contact)
        refused = web.post(f"/api/v1/classes/{klass.pk}/usage", body, content_type="application/json")
        assert refused.status_code == 403
        web.force_login(staff)
        first = web.post(f"/api/v1/classes/{klass.pk}/usage", body, content_type="application/json")
        second = web.post(f"/api/v1/classes/{klass.pk}/usage", body, content_type="application/json")
        bad = web.post(f"/api/v1/classes/{klass.pk}/usage",
                       {"events": [{**body["events"][0], "event_id": "a-2", "machine": "learner-99"}]},
                       content_type="application/json")
        consumption = web.get(f"/api/v1/classes/{klass.pk}/consumption").json()
    assert first.json() == {"accepted": 1, "duplicates": 0} and second.json() == {"accepted": 0, "duplicates": 1}
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert consumption["final"] is False and Decimal(consumption["machine_hours"]) == Decimal("1")
