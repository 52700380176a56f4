"""Provisioning on the local libcloud driver (issue 13, item 2): real processes on loopback.

A 31-machine class is provisioned from start − lead time, ready by its start, runs its day
with one machine stopped by staff at noon and one approved extension, is torn down after the
storage period with every process gone, and its consumption invoice equals `ofelia simulate`
of the ledger the machines wrote. A dead machine is replaced; the warm pool is claimed first;
nothing is ever created twice."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ofelia.billing.virtual_classes import class_invoice_draft
from ofelia.core import clock
from ofelia.core.models import AuditEntry
from ofelia.hosting import ledger, local_driver, provisioning, rules_io, services
from ofelia.hosting.models import Machine, UsageEvent

from .simulation import START, assert_invoice_is_the_simulation

PARIS = clock.PARIS
pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The local driver in a state directory of this test; every process ended afterwards."""
    state = tmp_path / "nodes"
    settings.OFELIA_HOSTING_PROVIDER = local_driver.PROVIDER
    settings.OFELIA_HOSTING_LOCAL_STATE_DIR = str(state)
    settings.OFELIA_HOSTING_LOCAL_BOOT_SECONDS = 0.2
    settings.OFELIA_HOSTING_READY_TIMEOUT = 15
    settings.OFELIA_HOSTING_LEAD_MINUTES = 30
    settings.OFELIA_HOSTING_WARM_POOL = {}
    try:
        yield state
    finally:
        local_driver.destroy_all(state)
        assert local_driver.node_processes(state) == {}




def _nodes(state: Path) -> list[Any]:
    return provisioning.compute_driver().list_nodes()


def test_a_31_machine_class_is_ready_by_its_start_runs_its_day_and_is_torn_down(cloud: Path, world: Any) -> None:
    org, klass, contact, staff = world
    with clock.frozen(START - timedelta(minutes=31)):
        assert provisioning.tick()["provisioning"] == 0  # not yet: start − lead time
    with clock.frozen(START - timedelta(minutes=30)):
        provisioning.tick()
        provisioning.tick()  # a second pass (another worker, a retry) creates nothing
    machines = list(klass.provisioned.order_by("slot"))
    assert [m.slot for m in machines] == list(range(31))
    assert {m.state for m in machines} == {Machine.State.READY}
    assert all(m.ready_at is not None and m.ready_at <= START for m in machines)
    nodes = _nodes(cloud)
    assert len(nodes) == 31 and len(local_driver.node_processes(cloud)) == 31
    assert sorted(n.name for n in nodes) == sorted(m.node_name for m in machines)
    assert all(provisioning.probe(m.address) for m in machines)
    recorded = AuditEntry.objects.get(action="machine.ready")  # one event for the batch, naming each
    assert sorted(m["node"] for m in recorded.after["machines"]) == sorted(n.id for n in nodes)

    with clock.frozen(START + timedelta(hours=1)):
        provisioning.tick()
        assert UsageEvent.objects.filter(klass=klass, kind="start", at=START).count() == 31
        web = Client()
        web.force_login(contact)
        page = web.get(f"/espace/classes-virtuelles/{klass.pk}/").content.decode()
        assert "31 / 31" in page and machines[1].address not in page  # the client sees the states only
    with clock.frozen(START + timedelta(hours=2)):
        extension = services.extension_request(actor=contact, klass=klass, day=1)
        services.extension_decide(actor=staff, membership=staff.memberships.get(organisation=org),
                                  extension=extension, approve=True)
    learner_7 = klass.provisioned.get(slot=7)
    with clock.frozen(START + timedelta(hours=3)):
        with pytest.raises(ValidationError):  # the client does not switch machines
            provisioning.machine_power(actor=contact, membership=contact.memberships.get(organisation=org),
                                       machine=learner_7, on=False)
        web = Client()
        web.force_login(staff)
        page = web.get(f"/gestion/classes-virtuelles/{klass.pk}/").content.decode()
        assert machines[1].address in page and "Arrêter" in page
        answer = web.post(f"/gestion/classes-virtuelles/{klass.pk}/", {"action": "machine_stop",
                                                                        "machine": learner_7.pk})
        assert answer.status_code == 302
        assert "30 / 31" in web.get(f"/gestion/classes-virtuelles/{klass.pk}/").content.decode()
        provisioning.tick()  # the schedule leaves a machine staff stopped off
    learner_7.refresh_from_db()
    assert learner_7.state == Machine.State.STOPPED and learner_7.held
    assert len(local_driver.node_processes(cloud)) == 30

    end = START + timedelta(hours=10)  # 9 hours + the approved extension (VCL-4)
    with clock.frozen(end - timedelta(minutes=1)):
        assert provisioning.tick()["destroyed"] == 0  # still in the extension
    with clock.frozen(end):
        report = provisioning.tick()
        provisioning.tick()
    assert report["destroyed"] == 31  # storage period over: nothing kept after the last day
    assert local_driver.node_processes(cloud) == {} and _nodes(cloud) == []
    assert set(klass.provisioned.values_list("state", flat=True)) == {Machine.State.DESTROYED}

    with clock.frozen(end + timedelta(hours=1)):
        found = {i.machine: i for i in ledger.intervals(klass)}
        assert len(found) == 31 and found["learner-7"].hours == 3 and found["learner-1"].hours == 10
        invoice = class_invoice_draft(actor=staff, klass=klass)
        _case, billed = assert_invoice_is_the_simulation(invoice, klass, today=START.date())
    assert {c["kind"] for c in billed} >= {"usage", "extension", "storage"}


def test_a_dead_machine_is_replaced_the_pool_is_claimed_first_and_nothing_is_created_twice(
        cloud: Path, world: Any, settings: Any) -> None:
    _org, klass, _contact, _staff = world
    klass.learners = 3
    klass.save()
    settings.OFELIA_HOSTING_WARM_POOL = {"office": 2}
    with clock.frozen(START - timedelta(days=1)):
        provisioning.tick()  # the class is not due; the organisation's pool is filled
    pool = list(Machine.objects.filter(klass__isnull=True, state=Machine.State.READY))
    assert len(pool) == 2 and len(_nodes(cloud)) == 2

    with clock.frozen(START - timedelta(minutes=20)):
        provisioning.tick()
        again = provisioning.provision_class(klass)  # a retried task: every slot is taken
    assert again == {"created": 0, "ready": 0, "failed": 0}
    assert {m.pk for m in pool} <= set(klass.provisioned.values_list("pk", flat=True))  # pool claimed first
    assert klass.provisioned.filter(state=Machine.State.READY).count() == 4
    assert len(_nodes(cloud)) == 4 + 2  # the class's four, and the pool refilled

    victim = klass.provisioned.get(slot=2)
    node = next(n for n in _nodes(cloud) if n.id == victim.node_id)
    os.kill(int(node.extra["pid"]), signal.SIGKILL)
    with clock.frozen(START + timedelta(minutes=30)):
        report = provisioning.tick()
    assert report["failed"] == 1
    victim.refresh_from_db()
    assert victim.state == Machine.State.FAILED
    replacement = klass.provisioned.get(slot=2, state=Machine.State.READY)
    assert replacement.pk != victim.pk and provisioning.probe(replacement.address)
    assert AuditEntry.objects.filter(action="machine.failed", object_id=str(victim.pk)).exists()
    assert len(_nodes(cloud)) == 6 and len(local_driver.node_processes(cloud)) == 6
    # its use stopped when it died and the replacement's started when it was ready
    assert UsageEvent.objects.filter(klass=klass, machine="learner-2", kind="stop").exists()
    assert UsageEvent.objects.filter(klass=klass, machine="learner-2", kind="start").count() == 2


def test_an_on_demand_class_is_provisioned_at_once_within_the_vcl_3_window(cloud: Path, world: Any) -> None:
    org, _klass, contact, _staff = world
    asked = datetime(2026, 6, 3, 10, 0, tzinfo=PARIS)
    with clock.frozen(asked):
        klass = services.class_order(
            actor=contact, organisation=org, membership=contact.memberships.get(organisation=org),
            company=contact.memberships.get(organisation=org).company,
            data={"title": "Dépannage", "mode": "on_demand", "start": asked + timedelta(hours=1), "days": 1,
                  "daily_hours": Decimal("4"), "learners": 2, "software": "data", "custom_configuration": ""})
        provisioning.tick()  # the minute after the validated request, not start − lead time
    ready_by = rules_io.estimate_of(klass).ready_by
    assert ready_by is not None
    assert all(m.ready_at is not None and asked <= m.ready_at <= ready_by for m in klass.provisioned.all())
    assert klass.provisioned.filter(state=Machine.State.READY, software="data").count() == 3
