"""Virtual classes: deadlines, estimate and consumption billing (VCL-1..6, CAN-V1), and the
pure checks around them: availability credit (VCL-7), onboarding quota (VCL-8), liability
cap (ACC-10).

Case "virtual_class" of SIMULATION.md. Interval arithmetic is exact: instants are compared
in UTC, durations are `timedelta`s (integer microseconds), and an amount is the tariff
times those microseconds, divided and rounded to the cent once, at the end of its line.
Class days follow the wall clock of Europe/Paris (09:00 stays 09:00 across a DST change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

from ofelia.rules.calendars import PARIS, add_months
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.french import fr_date, fr_instant
from ofelia.rules.legal import LegalData
from ofelia.rules.money import cents, fmt_eur, percent_of
from ofelia.rules.outcome import Breach, Charge, DeadlineValue, Outcome
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.training_terms import fr_days
from ofelia.rules.validation import (
    array,
    join,
    obj,
    opt_instant,
    opt_int,
    reject_unknown,
    req_bool,
    req_decimal,
    req_enum,
    req_instant,
    req_int,
    req_str,
)

# SIMULATION.md: more than 30 learners is an invalid case whatever the policy; a policy may
# set a lower VCL-1 maximum, checked at evaluation.
MAX_LEARNERS = 30
MODES = ("scheduled", "on_demand")
TARIFF_FIELDS = ("machine_hour", "storage_machine_day", "outside_hours_machine_hour",
                 "extension_machine_hour")
_EVENT_TYPES = ("cancellation", "extension", "usage", "ready", "tool")
_MICROS_PER_HOUR = Decimal(3_600_000_000)
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]  # [start, end), both in UTC


@dataclass(frozen=True)
class Tariff:
    """Prices excluding VAT, per machine and hour (or machine and class day for storage)."""

    machine_hour: Decimal
    storage_machine_day: Decimal
    outside_hours_machine_hour: Decimal
    extension_machine_hour: Decimal


@dataclass(frozen=True)
class VirtualClass:
    created_at: datetime
    mode: str
    start: datetime
    days: int
    daily_hours: timedelta
    learners: int
    validated_at: datetime | None = None
    tariff: Tariff | None = None
    # VCL-6 "périodes de stockage péri-formation": machine days kept before the first class
    # day and after the last (Ofelia extension of SIMULATION.md, docs/simulation.md).
    storage_days_before: int = 0
    storage_days_after: int = 0

    @property
    def machines(self) -> tuple[str, ...]:
        return ("instructor", *(f"learner-{k}" for k in range(1, self.learners + 1)))


@dataclass(frozen=True)
class Extension:
    day: int  # 1-based
    hours: timedelta
    approved: bool
    path: str


@dataclass(frozen=True)
class Usage:
    machine: str
    start: datetime
    end: datetime
    path: str


@dataclass(frozen=True)
class Tool:
    """VCL-6: an additional tool or resource activated for the class, at its price (HT)."""
    name: str
    amount: Decimal
    path: str


@dataclass(frozen=True)
class ClassCase:
    klass: VirtualClass
    cancelled_at: datetime | None = None
    extensions: tuple[Extension, ...] = ()
    usages: tuple[Usage, ...] = ()
    ready_at: datetime | None = None
    tools: tuple[Tool, ...] = ()


# --- parsing ----------------------------------------------------------------------------


def _duration(hours: Decimal, where: str) -> timedelta:
    """Decimal hours as an exact timedelta; refuses what is not a whole number of seconds."""
    seconds = hours * 3600
    if seconds != seconds.to_integral_value():
        raise CaseError(where, "la durée doit tomber sur une seconde entière")
    return timedelta(seconds=int(seconds))


def _tariff(data: Any, path: str) -> Tariff:
    table = obj(data, path)
    reject_unknown(table, TARIFF_FIELDS, path)
    return Tariff(*(req_decimal(table, name, path) for name in TARIFF_FIELDS))


def _class(data: Any) -> VirtualClass:
    path = "class"
    body = obj(data, path)
    reject_unknown(body, ("created_at", "mode", "validated_at", "start", "days", "daily_hours",
                          "learners", "tariff", "storage_days_before", "storage_days_after"), path)
    mode = req_enum(body, "mode", path, MODES)
    created_at = req_instant(body, "created_at", path)
    validated_at = opt_instant(body, "validated_at", path)
    if mode == "on_demand" and validated_at is None:
        raise CaseError(join(path, "validated_at"), "obligatoire pour une classe à la demande (VCL-3)")
    if mode == "scheduled" and validated_at is not None:
        raise CaseError(join(path, "validated_at"), "réservé aux classes à la demande (mode on_demand)")
    if validated_at is not None and validated_at < created_at:
        raise CaseError(join(path, "validated_at"), "la demande ne peut être validée avant la création")
    hours = req_decimal(body, "daily_hours", path)
    if not Decimal(0) < hours <= Decimal(24):
        raise CaseError(join(path, "daily_hours"), "entre 0 (exclu) et 24 heures par jour")
    learners = req_int(body, "learners", path, minimum=1, maximum=MAX_LEARNERS, rule="VCL-1")
    return VirtualClass(
        created_at=created_at,
        mode=mode,
        start=req_instant(body, "start", path),
        days=req_int(body, "days", path, minimum=1),
        daily_hours=_duration(hours, join(path, "daily_hours")),
        learners=learners,
        validated_at=validated_at,
        tariff=None if body.get("tariff") is None else _tariff(body["tariff"], join(path, "tariff")),
        storage_days_before=opt_int(body, "storage_days_before", path, minimum=0, maximum=366) or 0,
        storage_days_after=opt_int(body, "storage_days_after", path, minimum=0, maximum=366) or 0,
    )


def parse_case(data: Mapping[str, object]) -> ClassCase:
    """A "virtual_class" case; CaseError naming the field (and VCL-1 beyond 30 learners)."""
    root = obj(data, "")
    reject_unknown(root, ("case", "policy", "policy_version", "as_of", "class", "events"), "")
    klass = _class(root.get("class"))
    cancelled_at: datetime | None = None
    ready_at: datetime | None = None
    extensions: list[Extension] = []
    usages: list[Usage] = []
    tools: list[Tool] = []
    for i, raw in enumerate(array(root.get("events", []), "events")):
        path = join("events", i)
        event = obj(raw, path)
        kind = req_enum(event, "type", path, _EVENT_TYPES)
        if kind in ("cancellation", "ready"):
            reject_unknown(event, ("type", "at"), path)
            at = req_instant(event, "at", path)
            if at < klass.created_at:
                raise CaseError(join(path, "at"), "antérieur à la création de la classe")
            if kind == "cancellation":
                if cancelled_at is not None:
                    raise CaseError(path, "la classe est déjà annulée")
                cancelled_at = at
            else:
                ready_at = at if ready_at is None else min(ready_at, at)
        elif kind == "tool":
            reject_unknown(event, ("type", "name", "amount"), path)
            tools.append(Tool(req_str(event, "name", path), req_decimal(event, "amount", path), path))
        elif kind == "extension":
            reject_unknown(event, ("type", "day", "hours", "approved"), path)
            day = req_int(event, "day", path, minimum=1, maximum=klass.days)
            hours = req_decimal(event, "hours", path)
            extensions.append(Extension(day, _duration(hours, join(path, "hours")),
                                        req_bool(event, "approved", path), path))
        else:
            reject_unknown(event, ("type", "machine", "from", "to"), path)
            machine = req_str(event, "machine", path)
            if machine not in klass.machines:
                raise CaseError(join(path, "machine"),
                                f"machine inconnue « {machine} » (instructor, learner-1 … "
                                f"learner-{klass.learners})")
            start, end = req_instant(event, "from", path), req_instant(event, "to", path)
            if end <= start:
                raise CaseError(join(path, "to"), "la fin doit suivre le début")
            usages.append(Usage(machine, start, end, path))
    return ClassCase(klass, cancelled_at, tuple(extensions), tuple(usages), ready_at, tuple(tools))


def reference_date(case: ClassCase) -> date:
    """The class creation day (Paris): the terms and prices in force then apply (VCL-2)."""
    return case.klass.created_at.astimezone(PARIS).date()


# --- interval arithmetic ----------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint union of half-open intervals (touching ones are joined)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted disjoint lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """`a` minus `b`, both sorted disjoint lists."""
    out: list[Interval] = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def length(intervals: Iterable[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), _ZERO)


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def hours_of(duration: timedelta) -> Decimal:
    """Exact Decimal hours when they terminate (whole seconds / 3600 may not: 28 digits)."""
    return Decimal(duration // timedelta(microseconds=1)) / _MICROS_PER_HOUR


def day_windows(klass: VirtualClass) -> list[Interval]:
    """Class day k: from the start's wall-clock time on day start+k (Paris), for daily_hours."""
    local = klass.start.astimezone(PARIS)
    out = []
    for k in range(klass.days):
        opens = datetime.combine(local.date() + timedelta(days=k), local.time(),
                                 tzinfo=PARIS)
        out.append((_utc(opens), _utc(opens) + klass.daily_hours))
    return out


def extension_windows(klass: VirtualClass, extensions: Sequence[Extension]) -> list[Interval]:
    """Approved extensions lengthen their day's window (VCL-4); an unapproved one is nothing."""
    windows = day_windows(klass)
    added: dict[int, timedelta] = {}
    for ext in extensions:
        if ext.approved:
            added[ext.day] = added.get(ext.day, _ZERO) + ext.hours
    return [(windows[d - 1][1], windows[d - 1][1] + extra) for d, extra in sorted(added.items())]


@dataclass(frozen=True)
class Consumption:
    """Machine time split by what it bills (VCL-5, VCL-6); the three parts add up to total."""

    usage: timedelta
    extension: timedelta
    outside_hours: timedelta
    total: timedelta


def split_running_time(
    klass: VirtualClass, extensions: Sequence[Extension], usages: Sequence[Usage]
) -> Consumption:
    """Running time inside the day windows (`usage`), inside approved extensions
    (`extension`), anywhere else (`outside_hours`). A machine's overlapping usage records
    count once: it cannot run twice at the same time."""
    windows = merge(day_windows(klass))
    extension_only = subtract(merge(extension_windows(klass, extensions)), windows)
    covered = merge([*windows, *extension_only])
    usage = extension = outside = total = _ZERO
    for machine in klass.machines:
        running = merge((_utc(u.start), _utc(u.end)) for u in usages if u.machine == machine)
        usage += length(intersect(running, windows))
        extension += length(intersect(running, extension_only))
        outside += length(subtract(running, covered))
        total += length(running)
    return Consumption(usage, extension, outside, total)


# --- policy parameters ------------------------------------------------------------------


def _cite(clause: Clause) -> str:
    return f"({clause.article})"


def _local(instant: datetime) -> str:
    return fr_instant(instant)


def _fmt_hours(duration: timedelta) -> str:
    return f"{hours_of(duration).quantize(Decimal('0.01')):f}".replace(".", ",") + " h"


def tariff_in_force(policy: Policy, created_at: datetime) -> tuple[Tariff, bool]:
    """The VCL-2 price list in force on the creation day, and whether it is an example."""
    clause = policy.require("VCL-2")
    day = created_at.astimezone(PARIS).date()
    lists = [p for p in clause.params["price_lists"] if p["from"] <= day]
    if not lists:
        raise PolicyError(f"La politique {policy.id} {policy.version} n'a pas de tarif de classe "
                          f"virtuelle en vigueur le {fr_date(day)} (VCL-2).")
    chosen = max(lists, key=lambda p: p["from"])
    return Tariff(*(Decimal(chosen[name]) for name in TARIFF_FIELDS)), bool(chosen.get("example"))


def _amount(rate: Decimal, duration: timedelta) -> Decimal:
    # One division, one rounding per line: the microseconds are exact integers.
    return cents(rate * Decimal(duration // timedelta(microseconds=1)) / _MICROS_PER_HOUR)


# --- evaluation -------------------------------------------------------------------------


def _as_instant(as_of: date | datetime) -> datetime:
    """A date means "at the end of that day" in Paris: everything dated that day is known."""
    if isinstance(as_of, datetime):
        return as_of
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=PARIS)


def _charge(kind: str, amount: Decimal, vat_rate: Decimal, rule: str, text: str) -> Charge:
    return Charge(kind=kind, payer="client", amount=amount, vat=percent_of(amount, vat_rate),
                  rule=rule, explanation=text)


def evaluate(
    case: ClassCase, *, policy: Policy, legal: LegalData | None = None, as_of: date | datetime,
) -> Outcome:
    """Deadlines of the class, its estimate, and after the class its consumption invoice."""
    del legal  # no legal rate or amount enters these rules
    klass = case.klass
    now = _as_instant(as_of)
    if now < klass.created_at:
        raise CaseError("as_of", "la date d'évaluation précède la création de la classe")
    vcl1 = policy.require("VCL-1")
    if klass.learners > int(vcl1.params["max_learners"]):
        raise CaseError("class.learners", f"au plus {vcl1.params['max_learners']} stagiaires par "
                        f"classe {_cite(vcl1)}", "VCL-1")
    can, vcl2, vcl3 = policy.require("CAN-V1"), policy.require("VCL-2"), policy.require("VCL-3")
    vcl4 = policy.require("VCL-4")
    warnings: list[str] = []
    max_extension = _duration(Decimal(vcl4.params["max_extension_hours"]), "")
    for ext in case.extensions:
        if ext.approved and ext.hours > max_extension:
            raise CaseError(join(ext.path, "hours"), f"prolongation limitée à "
                            f"{_fmt_hours(max_extension)} par jour {_cite(vcl4)}", "VCL-4")
    if klass.daily_hours > _duration(Decimal(vcl4.params["standard_daily_hours"]), ""):
        warnings.append(f"Journée de {_fmt_hours(klass.daily_hours)} au-delà de la durée standard "
                        f"de {vcl4.params['standard_daily_hours']} h {_cite(vcl4)}.")

    # CAN-V1: free change or cancellation until N hours before the start (absolute time).
    change_until = (_utc(klass.start) - timedelta(hours=int(can.params["hours_before"]))).astimezone(PARIS)
    deadlines: dict[str, DeadlineValue] = {"change_until": change_until}
    reasons = {"change_until": (can.rule, f"Modification ou annulation sans frais jusqu'au "
                                          f"{_local(change_until)}, {can.params['hours_before']} h "
                                          f"avant le démarrage {_cite(can)}.")}
    extra: dict[str, Any] = {"machines": len(klass.machines)}
    if klass.mode == "scheduled":
        ready_by = klass.start.astimezone(PARIS)
        reasons["ready_by"] = (vcl3.rule, "Classe programmée : disponible et opérationnelle à "
                                          f"l'heure de démarrage, le {_local(ready_by)} {_cite(vcl3)}.")
    else:
        assert klass.validated_at is not None  # noqa: S101 — the parser requires it
        validated = _utc(klass.validated_at)
        ready_by = (validated + timedelta(minutes=int(vcl3.params["on_demand_latest_minutes"]))
                    ).astimezone(PARIS)
        ready_from = (validated + timedelta(minutes=int(vcl3.params["on_demand_earliest_minutes"]))
                      ).astimezone(PARIS)
        extra["ready_from"] = ready_from.isoformat()
        reasons["ready_by"] = (vcl3.rule, "Classe à la demande : déployée entre "
                               f"{vcl3.params['on_demand_earliest_minutes']} minutes (au plus tôt le "
                               f"{_local(ready_from)}) et {vcl3.params['on_demand_latest_minutes']} "
                               f"minutes après la demande validée, soit au plus tard le "
                               f"{_local(ready_by)} {_cite(vcl3)}.")
        if ready_by > klass.start:
            warnings.append(f"La classe peut n'être prête qu'après son heure de démarrage "
                            f"{_cite(vcl3)}.")
    deadlines["ready_by"] = ready_by
    breaches = []
    if case.ready_at is not None and case.ready_at <= now and case.ready_at > ready_by:
        breaches.append(Breach("ready_by", ready_by, vcl3.rule,
                               f"Classe prête le {_local(case.ready_at)}, après l'échéance : "
                               + reasons["ready_by"][1]))

    cancelled = case.cancelled_at is not None and case.cancelled_at <= now
    if cancelled and case.cancelled_at is not None and case.cancelled_at <= change_until:
        warnings.append(f"Classe annulée le {_local(case.cancelled_at)}, avant la limite du "
                        f"{_local(change_until)} : rien n'est facturé {_cite(can)}.")
        return _outcome(policy, deadlines, reasons, (), breaches, warnings, extra)

    tariff = klass.tariff
    if tariff is None:
        tariff, example = tariff_in_force(policy, klass.created_at)
        if example:
            warnings.append(f"Tarif de la grille d'exemple de la politique {policy.id} {_cite(vcl2)}.")
    vat_rate = Decimal(vcl2.params["vat_rate"])
    machines = len(klass.machines)
    planned = klass.daily_hours * klass.days * machines
    storage = cents(tariff.storage_machine_day * machines * klass.days)
    peri_days = klass.storage_days_before + klass.storage_days_after
    peri = cents(tariff.storage_machine_day * machines * peri_days)
    estimate = cents(_amount(tariff.machine_hour, planned) + storage + peri)
    charges = [_charge("estimate", estimate, vat_rate, vcl2.rule,
                       f"Estimation indicative à la création : {machines} machines × {fr_days(klass.days)} "
                       f"× {_fmt_hours(klass.daily_hours)} × {fmt_eur(tariff.machine_hour)} HT, "
                       f"plus le stockage ({fmt_eur(storage + peri)} HT) ; tarifs en vigueur à la "
                       f"création {_cite(vcl2)}.")]

    if cancelled and case.cancelled_at is not None:
        warnings.append(f"Classe annulée le {_local(case.cancelled_at)}, après la limite du "
                        f"{_local(change_until)} : facturée au consommé {_cite(can)}.")
    windows = day_windows(klass)
    ext_windows = extension_windows(klass, case.extensions)
    class_end = max(end for _, end in [*windows, *ext_windows])
    if now < class_end:
        return _outcome(policy, deadlines, reasons, tuple(charges), breaches, warnings, extra)

    # VCL-5 / VCL-6: after the session, the consumption invoice.
    vcl5 = policy.clause("VCL-5") or can
    vcl6 = policy.clause("VCL-6") or vcl2
    # Only the running time known at `now` is billed (a record may run past it).
    known = tuple(replace(u, end=min(u.end, now)) for u in case.usages if u.start < now)
    split = split_running_time(klass, case.extensions, known)
    for ext in case.extensions:
        if not ext.approved:
            warnings.append(f"Prolongation du jour {ext.day} non approuvée : le temps machine "
                            f"correspondant est facturé hors plages {_cite(vcl4)}.")
    lines = (
        ("usage", split.usage, tariff.machine_hour, vcl6,
         "Temps d'utilisation réel dans les plages de la classe"),
        ("extension", split.extension, tariff.extension_machine_hour, vcl4,
         "Prolongation approuvée par le personnel administratif"),
        ("outside_hours", split.outside_hours, tariff.outside_hours_machine_hour, vcl5,
         "Machines utilisées en dehors des plages de la classe"),
    )
    for kind, duration, rate, clause, label in lines:
        if duration > _ZERO:
            amount = _amount(rate, duration)
            charges.append(_charge(kind, amount, vat_rate, clause.rule,
                                   f"{label} : {_fmt_hours(duration)} machine × {fmt_eur(rate)} HT "
                                   f"= {fmt_eur(amount)} HT {_cite(clause)}."))
    charges.append(_charge("storage", storage, vat_rate, vcl5.rule,
                           f"Stockage : {machines} machines provisionnées × {fr_days(klass.days)} × "
                           f"{fmt_eur(tariff.storage_machine_day)} HT, machines éteintes comprises {_cite(vcl5)}."))
    if peri_days:
        charges.append(_charge("storage", peri, vat_rate, vcl6.rule,
                               f"Stockage péri-formation : {machines} machines × {fr_days(peri_days)} "
                               f"({klass.storage_days_before} avant, {klass.storage_days_after} après) × "
                               f"{fmt_eur(tariff.storage_machine_day)} HT {_cite(vcl6)}."))
    for tool in case.tools:
        charges.append(_charge("tool", cents(tool.amount), vat_rate, vcl6.rule,
                               f"Outil ou ressource additionnel activé : {tool.name}, "
                               f"{fmt_eur(cents(tool.amount))} HT {_cite(vcl6)}."))
    extra["hours"] = {name: f"{hours_of(d).quantize(Decimal('0.0001')):f}" for name, d in (
        ("usage", split.usage), ("extension", split.extension),
        ("outside_hours", split.outside_hours), ("total", split.total))}
    return _outcome(policy, deadlines, reasons, tuple(charges), breaches, warnings, extra)


def _outcome(policy: Policy, deadlines: Mapping[str, DeadlineValue],
             reasons: Mapping[str, tuple[str, str]], charges: tuple[Charge, ...],
             breaches: Sequence[Breach], warnings: Sequence[str], extra: Mapping[str, Any]) -> Outcome:
    return Outcome(policy=policy.id, policy_version=policy.version, deadlines=deadlines,
                   deadline_reasons=reasons, charges=charges, breaches=tuple(breaches),
                   warnings=tuple(warnings), extra=extra)


# --- VCL-7: availability credit ---------------------------------------------------------

DowntimeCause = Literal["incident", "maintenance", "force_majeure", "third_party"]


@dataclass(frozen=True)
class Downtime:
    start: datetime
    end: datetime
    cause: DowntimeCause = "incident"
    announced_at: datetime | None = None  # maintenance only


@dataclass(frozen=True)
class Availability:
    month: str  # "2026-03"
    period: timedelta
    downtime: timedelta  # counted against the commitment
    excluded: timedelta  # announced maintenance, force majeure, third parties
    percent: Decimal  # rounded to 4 decimals for display; the comparison is exact
    below_target: bool
    credit: Decimal
    rule: str
    explanation: str


def month_span(year: int, month: int) -> Interval:
    """A calendar month in Europe/Paris as a UTC interval (743 hours in March, 745 in October)."""
    first = date(year, month, 1)
    return (_utc(datetime.combine(first, time(0), tzinfo=PARIS)),
            _utc(datetime.combine(add_months(first, 1), time(0), tzinfo=PARIS)))


def split_downtime(span: Interval, downtimes: Sequence[Downtime], notice: timedelta
                   ) -> tuple[timedelta, timedelta]:
    """(downtime, excluded) inside `span`: maintenance announced at least `notice` before it
    starts, force majeure and third-party outages are excluded; the rest is downtime.
    Overlapping incidents count once, and time both excluded and down counts as excluded."""
    def excused(d: Downtime) -> bool:
        if d.cause == "maintenance":
            return d.announced_at is not None and d.announced_at <= d.start - notice
        return d.cause in ("force_majeure", "third_party")

    excluded = intersect(merge((_utc(d.start), _utc(d.end)) for d in downtimes if excused(d)), [span])
    counted = subtract(
        intersect(merge((_utc(d.start), _utc(d.end)) for d in downtimes if not excused(d)), [span]),
        excluded)
    return length(counted), length(excluded)


_MICRO = timedelta(microseconds=1)
_FOUR_DECIMALS = Decimal("0.0001")


def measured_percent(period: timedelta, downtime: timedelta, excluded: timedelta) -> Decimal:
    """100 × (period − excluded − downtime) / (period − excluded), truncated to 4 decimals
    (SIMULATION.md `availability`); 100 when the whole period is excluded."""
    base = (period - excluded) // _MICRO
    if base <= 0:
        return Decimal("100.0000")
    up = base - downtime // _MICRO
    return (Decimal(up * 100) / Decimal(base)).quantize(_FOUR_DECIMALS, rounding=ROUND_DOWN)


def _fr(x: Decimal) -> str:
    return f"{x:f}".replace(".", ",")


def monthly_availability(
    year: int, month: int, downtimes: Sequence[Downtime], *, services_amount: Decimal,
    policy: Policy,
) -> Availability:
    """VCL-7: availability of a calendar month (Paris) and the pro-rata credit that may be
    granted below the target. Maintenance counts as excluded only when announced at least
    the policy's notice before it starts; overlapping downtimes count once."""
    clause = policy.require("VCL-7")
    target = Decimal(clause.params["target_percent"])
    notice = timedelta(hours=int(clause.params["maintenance_notice_hours"]))
    span = month_span(year, month)
    period = span[1] - span[0]
    down, excluded = split_downtime(span, downtimes, notice)
    base = (period - excluded) // _MICRO
    # Exact: up / base < target / 100  ⇔  up × 100 < target × base.
    below = base > 0 and Decimal((base - down // _MICRO) * 100) < target * Decimal(base)
    percent = measured_percent(period, down, excluded)
    credit = Decimal("0.00")
    if below:
        if clause.params["credit_basis"] == "downtime_share":
            credit = cents(services_amount * Decimal(down // _MICRO) / Decimal(base))
        else:
            credit = cents(services_amount * (target - Decimal((base - down // _MICRO) * 100)
                                              / Decimal(base)) / 100)
        text = (f"Disponibilité de {_fr(percent)} % en {month:02d}/{year}, sous l'engagement de "
                f"{_fr(target)} % : un avoir proportionnel de {fmt_eur(credit)} HT sur les services "
                f"peut être accordé {_cite(clause)}.")
    else:
        text = (f"Disponibilité de {_fr(percent)} % en {month:02d}/{year}, engagement de {_fr(target)} % "
                f"tenu {_cite(clause)}.")
    return Availability(f"{year}-{month:02d}", period, down, excluded, percent, below,
                        credit, clause.rule, text)


# --- VCL-8: onboarding quota ------------------------------------------------------------


@dataclass(frozen=True)
class OnboardingQuota:
    within: bool
    excess: Mapping[str, int]
    rule: str
    explanation: str


_ROLES = {"administrative_staff": "personnel administratif", "administrators": "administrateurs",
          "trainers": "formateurs"}


def onboarding_quota(
    *, administrative_staff: int, administrators: int, trainers: int, policy: Policy
) -> OnboardingQuota:
    """VCL-8: onboarding is included up to the policy's head counts per client; beyond, a quote."""
    clause = policy.require("VCL-8")
    asked = {"administrative_staff": administrative_staff, "administrators": administrators,
             "trainers": trainers}
    excess = {role: n - int(clause.params[role]) for role, n in asked.items()
              if n > int(clause.params[role])}
    included = ", ".join(f"{clause.params[r]} {label}" for r, label in _ROLES.items())
    if excess:
        over = ", ".join(f"{n} {_ROLES[r]}" for r, n in excess.items())
        text = (f"Prise en main incluse pour {included} par client ; au-delà ({over} de plus), "
                f"sur devis {_cite(clause)}.")
    else:
        text = f"Prise en main incluse pour {included} par client {_cite(clause)}."
    return OnboardingQuota(not excess, excess, clause.rule, text)


# --- ACC-10: liability cap --------------------------------------------------------------


@dataclass(frozen=True)
class LiabilityCap:
    amount: Decimal  # incl. VAT
    invoiced: Decimal  # incl. VAT, over the window
    window_from: date  # exclusive
    rule: str
    explanation: str


def liability_cap(
    invoices: Iterable[tuple[date, Decimal]], *, on: date, policy: Policy
) -> LiabilityCap:
    """ACC-10: a share of what was invoiced (VAT included) over the months before `on`
    (invoices dated after `on − months` and up to `on`); a fixed amount when nothing was."""
    clause = policy.require("ACC-10")
    months = int(clause.params["months"])
    since = add_months(on, -months)
    invoiced = cents(sum((amount for day, amount in invoices if since < day <= on), Decimal(0)))
    if invoiced > 0:
        cap = percent_of(invoiced, Decimal(clause.params["cap_percent"]))
        text = (f"Responsabilité limitée à {clause.params['cap_percent']} % des {fmt_eur(invoiced)} "
                f"TTC facturés sur les {months} derniers mois, soit {fmt_eur(cap)} {_cite(clause)}.")
    else:
        cap = cents(Decimal(clause.params["cap_ttc_when_nothing_invoiced"]))
        text = (f"Aucune somme facturée sur les {months} derniers mois : responsabilité limitée à "
                f"{fmt_eur(cap)} TTC {_cite(clause)}.")
    return LiabilityCap(cap, invoiced, since, clause.rule, text)
