"""Provisioning of the classes' machines through Apache Libcloud (issue 13, items 2 and 7).

- The driver is the operator's (`compute_driver`: provider by name, credentials, options);
  « ofelia-local » runs each machine as a local process (`local_driver`).
- **Never twice**: a machine is a row first (one live row per class and slot, a partial
  unique constraint); a task creates its node only after claiming the row by a conditional
  UPDATE (requested → creating, or creating under its own claim: the same task redelivered
  after its worker died), and the node is named after the row, so the claimant looks for
  that name among the driver's nodes before creating one.
- **Ready on time**: `tick` (every minute) starts provisioning at start − lead time (VCL-3:
  an on-demand class at once), probes each ready machine (HTTP), replaces a failed one,
  powers machines on and off with the class's days, records starts and stops in the usage
  ledger through its one door (`ledger.ingest`, event ids derived from the machine and the
  transition, so a retry is not counted twice), keeps the warm pool full and destroys every
  machine after the storage period.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from libcloud.compute.base import Node, NodeDriver
from libcloud.compute.providers import DRIVERS, get_driver, set_driver
from libcloud.compute.types import NodeState

from ofelia.core import audit, clock
from ofelia.organisations.models import Membership, Role

from . import ledger, local_driver, rules_io
from .models import Extension, Machine, VirtualClass

log = logging.getLogger(__name__)
LIVE = (Machine.State.REQUESTED, Machine.State.CREATING, Machine.State.READY, Machine.State.STOPPED)
MAX_ROUNDS = 3  # creation rounds of one task: a failed machine is replaced at most twice in a row
PROBE_SECONDS = 2.0


# --- the operator's driver ------------------------------------------------------------------
def compute_driver() -> NodeDriver:
    """The libcloud compute driver of the operator's configuration (settings.OFELIA_HOSTING_*)."""
    provider = settings.OFELIA_HOSTING_PROVIDER
    options = dict(settings.OFELIA_HOSTING_OPTIONS)
    if provider == local_driver.PROVIDER:
        if provider not in DRIVERS:
            set_driver(provider, "ofelia.hosting.local_driver", "LocalNodeDriver")
        options.setdefault("state_dir", settings.OFELIA_HOSTING_LOCAL_STATE_DIR)
        options.setdefault("boot_seconds", settings.OFELIA_HOSTING_LOCAL_BOOT_SECONDS)
    cls = get_driver(provider)
    secret = settings.OFELIA_HOSTING_SECRET or None
    return cls(settings.OFELIA_HOSTING_KEY, secret, **options)  # type: ignore[no-any-return]


def _address(node: Node) -> str:
    url = (node.extra or {}).get("url")
    if url:
        return str(url)
    ips = list(node.public_ips or []) + list(node.private_ips or [])
    return f"http://{ips[0]}/" if ips else ""


def probe(address: str, name: str | None = None) -> bool:
    """Readiness: the machine answers HTTP on its address (`/status`), under its own name
    when it says one (never another machine's answer on a reused address)."""
    if not address:
        return False
    try:
        answer = requests.get(address.rstrip("/") + "/status", timeout=PROBE_SECONDS)
    except requests.RequestException:
        return False
    if answer.status_code != 200:
        return False
    if name is not None and "json" in answer.headers.get("Content-Type", ""):
        return bool(answer.json().get("name", name) == name)
    return True


def _record(machine: Machine, action: str, actor: Any = None, **after: Any) -> None:
    audit.record(actor=actor, action=f"machine.{action}", organisation=machine.organisation, obj=machine, after={"node": machine.node_id, "state": machine.state,
                                     "class": machine.klass_id, "slot": machine.slot, **after})


# --- the class's days -------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    day: int
    start: datetime
    end: datetime


def windows(klass: VirtualClass) -> list[Window]:
    """Each class day's opening hours (VCL-4: the daily hours, plus an approved extension)."""
    extra = {e.day: timedelta(hours=float(e.hours))
             for e in Extension.objects.filter(klass=klass, status=Extension.Status.APPROVED)}
    first = klass.start.astimezone(clock.PARIS)
    found = []
    for day in range(1, klass.days + 1):
        start = first + timedelta(days=day - 1)  # wall-clock arithmetic: 09:00 every day
        found.append(Window(day, start, start + timedelta(hours=float(klass.daily_hours)) + extra.get(day, timedelta())))
    return found


def teardown_at(klass: VirtualClass) -> datetime:
    """End of the storage period: the last day's end plus the storage days after the class
    the core bills (VCL-6 « stockage péri-formation », `storage_days_after` of the class's
    case: the machines are kept exactly as long as they are billed)."""
    case = rules_io.consumption_case(klass, now=klass.start)
    after = int(case["class"].get("storage_days_after", 0))
    return windows(klass)[-1].end + timedelta(days=after)


def provisioning_from(klass: VirtualClass) -> datetime:
    """Scheduled: start − lead time. On demand (VCL-3): at once, from the validated request."""
    if klass.mode == VirtualClass.Mode.ON_DEMAND:
        return klass.validated_at or klass.ordered_at
    return klass.start - timedelta(minutes=settings.OFELIA_HOSTING_LEAD_MINUTES)


# --- rows: requested, from the warm pool first -----------------------------------------------
def machines_request(klass: VirtualClass) -> int:
    """A row for every slot of the class without a live machine (VCL-1: learners + the
    instructor), ready machines of the warm pool claimed first. Returns the rows added."""
    with transaction.atomic():
        klass = VirtualClass.objects.select_for_update().get(pk=klass.pk)  # one requester at a time
        if klass.is_cancelled:
            return 0
        live = set(klass.provisioned.filter(state__in=LIVE).values_list("slot", flat=True))
        missing = [s for s in range(klass.machines()) if s not in live]
        if not missing:
            return 0
        pooled = list(Machine.objects.select_for_update(skip_locked=True)
                      .filter(organisation_id=klass.organisation_id, klass__isnull=True, software=klass.software,
                              state=Machine.State.READY).order_by("id")[:len(missing)])
        for slot, machine in zip(missing, pooled, strict=False):
            machine.klass, machine.slot = klass, slot
            machine.save(update_fields=["klass", "slot", "updated_at"])
        Machine.objects.bulk_create([
            Machine(organisation_id=klass.organisation_id, klass=klass, slot=slot, software=klass.software)
            for slot in missing[len(pooled):]])
        audit.record(actor=None, action="machine.requested", organisation=klass.organisation, obj=klass,
                     after={"slots": missing, "from_pool": [m.pk for m in pooled]})
    return len(missing)


def _claim(machines: Iterable[Machine], token: str, now: datetime) -> list[Machine]:
    """The rows this task may create: requested ones, or creating under its own claim, or
    under a claim older than the readiness timeout (its task is gone). One conditional
    UPDATE: of two tasks, each row goes to one."""
    stale = now - timedelta(seconds=settings.OFELIA_HOSTING_READY_TIMEOUT + 60)
    ids = [m.pk for m in machines]
    Machine.objects.filter(pk__in=ids).filter(
        Q(state=Machine.State.REQUESTED) | Q(state=Machine.State.CREATING, claim=token)
        | Q(state=Machine.State.CREATING, claimed_at__lt=stale),
    ).update(state=Machine.State.CREATING, claim=token, claimed_at=now)
    return list(Machine.objects.filter(pk__in=ids, state=Machine.State.CREATING, claim=token)
                .select_related("organisation", "klass"))


def _record_batch(machines: list[Machine], action: str) -> None:
    """One audit row for machines that changed together (their ids, nodes, posts)."""
    if machines:
        first = machines[0]
        audit.record(actor=None, action=f"machine.{action}", organisation=first.organisation,
                     obj=first.klass if first.klass_id is not None else first,
                     after={"machines": [{"id": m.pk, "node": m.node_id, "slot": m.slot, "address": m.address}
                                         for m in machines]})


def _wait_ready(machines: list[Machine], timeout: float) -> tuple[list[Machine], list[Machine]]:
    """Probe every machine's address in parallel until it answers or the time is out."""
    import time

    waiting = {m.pk: m for m in machines}
    ready: list[Machine] = []
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(max_workers=16) as pool:
        while waiting and time.monotonic() < deadline:
            answers = dict(zip(list(waiting), pool.map(lambda m: probe(m.address, m.node_name), list(waiting.values())), strict=True))
            for pk, ok in answers.items():
                if ok:
                    ready.append(waiting.pop(pk))
            if waiting:
                time.sleep(0.05)
    return ready, list(waiting.values())


def _fail(driver: NodeDriver, machine: Machine, reason: str, now: datetime) -> None:
    """The machine is failed: its node destroyed, its use stopped in the ledger, the event
    recorded; `machines_request` gives its slot a new machine."""
    if machine.node_id:
        node = _node(driver, machine)
        if node is not None:
            try:
                driver.destroy_node(node)
            except Exception:  # noqa: BLE001 — the provider's error is logged, the slot replaced anyway
                log.exception("destruction du nœud %s en échec", machine.node_id)
    if machine.klass_id is not None and machine.ready_at is not None:
        _ingest(machine.klass, [_event(f"vm{machine.pk}-failed-stop", machine, "stop", now)])
    machine.state, machine.claim = Machine.State.FAILED, ""
    machine.save(update_fields=["state", "claim", "updated_at"])
    _record(machine, "failed", reason=reason)


def provision(machines: list[Machine], *, token: str) -> dict[str, int]:
    """Create the nodes of the rows this task claims, wait for them to answer, mark them
    ready; failed ones are recorded (their class's slots are requested again by the caller)."""
    driver = compute_driver()
    now = clock.now()
    claimed = _claim(machines, token, now)
    if not claimed:
        return {"created": 0, "ready": 0, "failed": 0}
    existing = {node.name: node for node in driver.list_nodes()}
    created, booting = 0, []
    for machine in claimed:
        node = existing.get(machine.node_name)
        if node is None:
            image = driver.get_image(settings.OFELIA_HOSTING_IMAGES[machine.software])
            size = next((s for s in driver.list_sizes() if s.id == settings.OFELIA_HOSTING_SIZE), None)
            try:
                node = driver.create_node(name=machine.node_name, size=size, image=image,
                                          ex_metadata={"ofelia_machine": str(machine.pk)})
            except Exception as error:  # noqa: BLE001 — any provider error fails this machine only
                _fail(driver, machine, f"création refusée par le fournisseur : {error}", now)
                continue
            created += 1
        elif node.state != NodeState.RUNNING:  # found, but its creator died before it ran
            driver.start_node(node)
            node = _node_named(driver, machine.node_name) or node
        machine.node_id, machine.address = node.id, _address(node)
        booting.append(machine)
    # A task killed before this line leaves nodes that its retry finds by their names.
    Machine.objects.bulk_update(booting, ["node_id", "address"])
    ready, late = _wait_ready(booting, settings.OFELIA_HOSTING_READY_TIMEOUT)
    now = clock.now()
    Machine.objects.filter(pk__in=[m.pk for m in ready], claim=token, state=Machine.State.CREATING).update(
        state=Machine.State.READY, ready_at=now, claim="")
    _record_batch(ready, "ready")
    for machine in late:
        _fail(driver, machine, "ne répond pas au test de disponibilité", now)
    return {"created": created, "ready": len(ready), "failed": len(late) + len(claimed) - len(booting)}


def provision_class(klass: VirtualClass, *, token: str | None = None) -> dict[str, int]:
    """Every slot of the class given a ready machine; a failed one is replaced (a few rounds)."""
    token = token or uuid.uuid4().hex
    totals = {"created": 0, "ready": 0, "failed": 0}
    for _ in range(MAX_ROUNDS):
        machines_request(klass)
        pending = list(klass.provisioned.filter(state__in=(Machine.State.REQUESTED, Machine.State.CREATING)))
        if not pending:
            break
        report = provision(pending, token=token)
        for key in totals:
            totals[key] += report[key]
        if not report["failed"]:
            break
    return totals


def ready_count(klass: VirtualClass) -> int:
    return klass.provisioned.filter(state=Machine.State.READY).count()


# --- the ledger -------------------------------------------------------------------------------
def _event(event_id: str, machine: Machine, kind: str, at: datetime) -> dict[str, Any]:
    return {"event_id": event_id, "machine": machine.ledger_name, "kind": kind, "at": at}


def _ingest(klass: VirtualClass, events: list[dict[str, Any]]) -> int:
    return ledger.ingest(klass=klass, events=events).accepted if events else 0


def _node_named(driver: NodeDriver, name: str) -> Node | None:
    return next((n for n in driver.list_nodes() if n.name == name), None)


def _node(driver: NodeDriver, machine: Machine) -> Node | None:
    return next((n for n in driver.list_nodes() if n.id == machine.node_id), None)


def power(klass: VirtualClass, now: datetime, driver: NodeDriver | None = None) -> int:
    """The class's days: each machine's use starts at the day's opening (or when it became
    ready, if later) and stops at the day's end; the nodes are switched off between days and
    on again a lead time before the next. A machine staff stopped stays off. Returns the
    ledger events appended (each id derived from machine and day: a rerun appends nothing)."""
    days = windows(klass)
    lead = timedelta(minutes=settings.OFELIA_HOSTING_LEAD_MINUTES)
    events: list[dict[str, Any]] = []
    machines = list(klass.provisioned.filter(ready_at__isnull=False).exclude(state=Machine.State.CREATING))
    for machine in machines:
        for window in days:
            if window.start > now:
                break
            assert machine.ready_at is not None
            if machine.ready_at < window.end and machine.state == Machine.State.READY and not machine.held \
                    and now < window.end:
                events.append(_event(f"vm{machine.pk}-d{window.day}-start", machine, "start",
                                     max(window.start, machine.ready_at)))
            if now >= window.end and machine.ready_at < window.end:
                events.append(_event(f"vm{machine.pk}-d{window.day}-stop", machine, "stop", window.end))
    appended = _ingest(klass, events)
    opened = any(w.start - lead <= now < w.end for w in days)
    driver = driver or compute_driver()
    for machine in machines:
        if machine.state == Machine.State.READY and not opened and now >= days[0].start:
            _switch(driver, machine, on=False)
        elif machine.state == Machine.State.STOPPED and not machine.held and opened:
            _switch(driver, machine, on=True)
    return appended


def _switch(driver: NodeDriver, machine: Machine, *, on: bool, actor: Any = None) -> None:
    node = _node(driver, machine)
    if node is None:
        _fail(driver, machine, "nœud introuvable chez le fournisseur", clock.now())
        return
    if on:
        driver.start_node(node)
        node = _node(driver, machine) or node
        machine.address = _address(node)
        machine.state = Machine.State.READY if _wait_ready([machine], settings.OFELIA_HOSTING_READY_TIMEOUT)[0] \
            else Machine.State.FAILED
    else:
        driver.stop_node(node)
        machine.state = Machine.State.STOPPED
    machine.save(update_fields=["state", "address", "held", "power_seq", "updated_at"])
    _record(machine, "started" if on else "stopped", actor=actor)


# --- staff: stop and start a machine during the class ----------------------------------------
def _staff_only(membership: Membership | None) -> None:
    if membership is None or membership.role not in (Role.ADMINISTRATOR, Role.STAFF):
        raise ValidationError("Seul le personnel de l'organisme arrête ou démarre une machine.")


def machine_power(*, actor: Any, membership: Membership | None, machine: Machine, on: bool) -> Machine:
    """Staff switch a machine off (it bills storage only from now, VCL-5, and stays off) or
    on again (its use resumes now if the day is open). Each switch is a ledger event whose id
    counts the machine's manual switches: a retried request is not counted twice."""
    _staff_only(membership)
    with transaction.atomic():
        machine = Machine.objects.select_for_update().get(pk=machine.pk)
        if machine.state != (Machine.State.STOPPED if on else Machine.State.READY):
            raise ValidationError("Seule une machine arrêtée peut être démarrée." if on
                                  else "Seule une machine prête peut être arrêtée.")
        machine.held, machine.power_seq = not on, machine.power_seq + 1
        _switch(compute_driver(), machine, on=on, actor=actor)
        now = clock.now()
        if machine.klass is not None and (not on or (machine.state == Machine.State.READY and any(
                w.start <= now < w.end for w in windows(machine.klass)))):
            kind = "start" if on else "stop"
            _ingest(machine.klass, [_event(f"vm{machine.pk}-s{machine.power_seq}-{kind}", machine, kind, now)])
    return machine


# --- checks, pool and teardown ----------------------------------------------------------------
def check_ready(klass: VirtualClass, now: datetime, driver: NodeDriver | None = None) -> int:
    """Probe the class's ready machines; one not answering is failed (and replaced by the
    next provisioning). Returns the machines failed."""
    ready = list(klass.provisioned.filter(state=Machine.State.READY))
    if not ready:
        return 0
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda m: probe(m.address, m.node_name), ready))
    dead = [m for m, ok in zip(ready, answers, strict=True) if not ok]
    if dead and driver is None:
        driver = compute_driver()
    for machine in dead:
        assert driver is not None
        _fail(driver, machine, "ne répond plus au test de disponibilité", now)
    return len(dead)


def teardown(klass: VirtualClass, now: datetime, driver: NodeDriver | None = None) -> int:
    """Every node of the class destroyed; the rows stay, destroyed, for the record."""
    driver = driver or compute_driver()
    nodes = {n.id: n for n in driver.list_nodes()}
    machines = list(klass.provisioned.exclude(state=Machine.State.DESTROYED).select_related("organisation", "klass"))
    for machine in machines:
        node = nodes.get(machine.node_id)
        if node is not None:
            driver.destroy_node(node)
    done = [m for m in machines if m.state != Machine.State.FAILED]
    Machine.objects.filter(pk__in=[m.pk for m in done]).update(state=Machine.State.DESTROYED, destroyed_at=now)
    _record_batch(done, "destroyed")
    return len(done)


def pool_refill(organisation_id: int, *, token: str) -> int:
    """The warm pool of each software pack brought back to its size (settings), created now."""
    made = []
    for software, size in settings.OFELIA_HOSTING_WARM_POOL.items():
        have = Machine.objects.filter(organisation_id=organisation_id, klass__isnull=True, software=software,
                                      state__in=LIVE).count()
        for _ in range(max(0, int(size) - have)):
            made.append(Machine.objects.create(organisation_id=organisation_id, software=software))
    _record_batch(made, "requested_for_pool")
    if made:
        provision(made, token=token)
    return len(made)


def tick(now: datetime | None = None, *, dispatch: Callable[[int], Any] | None = None,
         token: str | None = None) -> dict[str, int]:
    """One pass over the classes (every minute, any worker; each step is idempotent)."""
    now = now or clock.now()
    token = token or uuid.uuid4().hex
    driver = compute_driver()
    report = {"provisioning": 0, "failed": 0, "events": 0, "destroyed": 0, "pooled": 0}
    horizon = now + timedelta(minutes=settings.OFELIA_HOSTING_LEAD_MINUTES)
    # Classes with live machines, and those without any yet that start soon (not the past).
    active = VirtualClass.objects.filter(
        Q(provisioned__state__in=LIVE)
        | Q(provisioned__isnull=True, start__lte=horizon + timedelta(days=1), start__gte=now - timedelta(days=60)))
    for klass in active.distinct().select_related("organisation"):
        if klass.is_cancelled:
            report["destroyed"] += teardown(klass, now, driver)
            continue
        if now >= teardown_at(klass):
            report["events"] += power(klass, now, driver)
            report["destroyed"] += teardown(klass, now, driver)
            continue
        if now < provisioning_from(klass):
            continue
        report["events"] += power(klass, now, driver)  # the uses so far, before a check may end one
        report["failed"] += check_ready(klass, now, driver)
        machines_request(klass)
        if klass.provisioned.filter(state__in=(Machine.State.REQUESTED, Machine.State.CREATING)).exists():
            report["provisioning"] += 1
            if dispatch is not None:
                dispatch(klass.pk)
            else:
                provision_class(klass, token=token)
        report["events"] += power(klass, now, driver)
    for organisation_id in VirtualClass.objects.values_list("organisation_id", flat=True).distinct():
        report["pooled"] += pool_refill(organisation_id, token=token)
    return report
