"""E-learning: access to the modules, retraction on digital content, certification (LRN, RET-5).

Case "learning" of SIMULATION.md. Who may open which module (LRN-1 self-funded: all at
once; LRN-2 funded: the core modules one after the other, extras once the core is done),
whether the consumer can still retract (RET-2 period, ended early by the first access
only with a consent recorded before it, RET-5), what the certification still lacks (LRN-3)
and by when the evaluation must be sent (LRN-4). Every parameter comes from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ofelia.rules.calendars import (
    PARIS,
    Region,
    add_months,
    french_calendar,
    legal_period_end,
)
from ofelia.rules.errors import CaseError, PolicyError
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.outcome import Breach, DeadlineValue, Outcome
from ofelia.rules.policy import Clause, Policy
from ofelia.rules.validation import (
    array,
    join,
    obj,
    opt_int,
    reject_unknown,
    req_date,
    req_decimal,
    req_enum,
    req_instant,
    req_int,
)

FUNDINGS = ("self", "cpf", "opco", "france_travail", "faf")
_EVENT_TYPES = ("access_consent", "first_access", "module_completed", "evaluation_submitted")


@dataclass(frozen=True)
class Order:
    ordered_on: date
    funding: str
    price: Decimal


@dataclass(frozen=True)
class Course:
    core_modules: int
    extra_modules: int
    evaluation_modules: int = 1


@dataclass(frozen=True)
class LearningEvent:
    """`at` for the instants (consent, first access), `on` for the days (modules, evaluation)."""

    type: str
    path: str
    at: datetime | None = None
    on: date | None = None
    module: str | None = None  # "core-2", "extra-1", "evaluation-1"


@dataclass(frozen=True)
class LearningCase:
    order: Order
    course: Course
    events: tuple[LearningEvent, ...] = ()


# --- parsing ----------------------------------------------------------------------------


def _module_id(value: Any, where: str, course: Course, default_kind: str) -> str:
    """A module given as its number in `default_kind` (1-based) or as "core-2"/"extra-1"."""
    counts = {"core": course.core_modules, "extra": course.extra_modules,
              "evaluation": course.evaluation_modules}
    if isinstance(value, bool):
        raise CaseError(where, "un numéro de module ou un identifiant « core-N » est attendu")
    if isinstance(value, int):
        kind, number = default_kind, value
    elif isinstance(value, str) and "-" in value:
        kind, _, digits = value.partition("-")
        if kind not in counts or not digits.isdigit():
            raise CaseError(where, f"module inconnu « {value} » (core-N, extra-N ou evaluation-N)")
        number = int(digits)
    else:
        raise CaseError(where, "un numéro de module ou un identifiant « core-N » est attendu")
    if not 1 <= number <= counts[kind]:
        raise CaseError(where, f"le cours n'a pas de module {kind}-{number} ({counts[kind]} module(s) {kind})")
    return f"{kind}-{number}"


def _event(data: Any, path: str, course: Course) -> LearningEvent:
    event = obj(data, path)
    kind = req_enum(event, "type", path, _EVENT_TYPES)
    if kind in ("access_consent", "first_access"):
        reject_unknown(event, ("type", "at"), path)
        return LearningEvent(kind, path, at=req_instant(event, "at", path))
    if kind == "module_completed":
        reject_unknown(event, ("type", "module", "on"), path)
        if event.get("module") is None:
            raise CaseError(join(path, "module"), "champ obligatoire manquant")
        module = _module_id(event["module"], join(path, "module"), course, "core")
        if module.startswith("evaluation"):
            raise CaseError(join(path, "module"), "une évaluation se transmet par « evaluation_submitted »")
        return LearningEvent(kind, path, on=req_date(event, "on", path), module=module)
    reject_unknown(event, ("type", "module", "on"), path)
    raw = event.get("module")
    module = _module_id(1 if raw is None else raw, join(path, "module"), course, "evaluation")
    if not module.startswith("evaluation"):
        raise CaseError(join(path, "module"), "seul un module d'évaluation se transmet")
    return LearningEvent(kind, path, on=req_date(event, "on", path), module=module)


def parse_case(data: Mapping[str, object]) -> LearningCase:
    """A "learning" case; CaseError naming the field for anything invalid or unknown."""
    root = obj(data, "")
    reject_unknown(root, ("case", "policy", "policy_version", "as_of", "order", "course", "events"), "")
    order_data = obj(root.get("order"), "order")
    reject_unknown(order_data, ("ordered_on", "funding", "price"), "order")
    order = Order(
        ordered_on=req_date(order_data, "ordered_on", "order"),
        funding=req_enum(order_data, "funding", "order", FUNDINGS),
        price=req_decimal(order_data, "price", "order"),
    )
    course_data = obj(root.get("course"), "course")
    reject_unknown(course_data, ("core_modules", "extra_modules", "evaluation_modules"), "course")
    evaluations = opt_int(course_data, "evaluation_modules", "course", minimum=0)
    course = Course(
        core_modules=req_int(course_data, "core_modules", "course", minimum=1),
        extra_modules=req_int(course_data, "extra_modules", "course", minimum=0),
        evaluation_modules=1 if evaluations is None else evaluations,
    )
    raw_events = array(root.get("events", []), "events")
    events = tuple(_event(e, join("events", i), course) for i, e in enumerate(raw_events))
    for event in events:
        day = event.on if event.on is not None else _local_day(event.at)
        if day < order.ordered_on:
            raise CaseError(event.path, "événement antérieur à la commande")
    return LearningCase(order=order, course=course, events=events)


def reference_date(case: LearningCase) -> date:
    """The order date: the CGV version in force that day governs the contract (ACC-4)."""
    return case.order.ordered_on


# --- policy parameters ------------------------------------------------------------------


def _cite(clause: Clause) -> str:
    return f"({clause.article})"


def _fundings(clause: Clause) -> tuple[str, ...]:
    return tuple(str(f) for f in clause.params["fundings"])


def access_rule(policy: Policy, funding: str) -> Clause:
    """LRN-1 (free access) or LRN-2 (sequential core) according to how the order was paid."""
    for rule in ("LRN-1", "LRN-2"):
        clause = policy.clause(rule)
        if clause is not None and funding in _fundings(clause):
            return clause
    raise PolicyError(
        f"La politique {policy.id} {policy.version} ne dit pas comment s'ouvre l'accès "
        f"pour le financement « {funding} » (LRN-1, LRN-2)."
    )


def is_funded(policy: Policy, funding: str) -> bool:
    return access_rule(policy, funding).rule == "LRN-2"


# --- access (LRN-1, LRN-2) --------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    unlocked: tuple[str, ...]
    locked: tuple[str, ...]
    rule: str
    explanation: str
    warnings: tuple[str, ...] = ()


def module_access(course: Course, completed: Mapping[str, date], clause: Clause) -> Access:
    """Which modules are open given the completed ones (module id -> completion day)."""
    core = [f"core-{k}" for k in range(1, course.core_modules + 1)]
    extra = [f"extra-{k}" for k in range(1, course.extra_modules + 1)]
    if clause.rule == "LRN-1":
        return Access(tuple(core + extra), (), clause.rule,
                      "Financement personnel : tous les contenus sont ouverts dès la validation "
                      f"de la commande, dans l'ordre souhaité {_cite(clause)}.")
    # LRN-2: core-1 open, core-k+1 once core-k is done; extras once the whole core is done.
    unlocked = [core[0]]
    for k in range(1, course.core_modules):
        if core[k - 1] in completed:
            unlocked.append(core[k])
    core_done = all(m in completed for m in core)
    if core_done:
        unlocked.extend(extra)
    warnings = tuple(
        f"Le module {m} est noté terminé alors qu'il n'était pas encore débloqué {_cite(clause)}."
        for m in core if m in completed and m not in unlocked
    )
    locked = tuple(m for m in core + extra if m not in unlocked)
    done = sum(1 for m in core if m in completed)
    return Access(tuple(unlocked), locked, clause.rule,
                  f"Formation financée : modules de montage débloqués un à un ({done}/{len(core)} "
                  "terminés), contenus additionnels fermés tant que tous ne sont pas terminés "
                  f"{_cite(clause)}.", warnings)


# --- retraction (RET-2, RET-5) ----------------------------------------------------------


@dataclass(frozen=True)
class Retraction:
    ends: date
    open: bool
    rule: str
    explanation: str
    deadline_explanation: str


def retraction_status(
    *, ordered_on: date, consent_at: datetime | None, first_access_at: datetime | None,
    as_of_day: date, policy: Policy,
) -> Retraction:
    """RET-2: 14 days from the order (CAL-3). RET-5: the first access ends the right only
    when the express consent was recorded BEFORE it; without that record it stays open."""
    period = policy.require("RET-2")
    days = int(period.params["days"])
    region: Region = "alsace-moselle" if policy.calendar_region == "alsace-moselle" else "national"
    ends = legal_period_end(ordered_on, days, french_calendar(region))
    base = (f"Délai de rétractation de {days} jours à compter de la commande du "
            f"{fr_date(ordered_on)}, jusqu'au {fr_date(ends)} inclus")
    reason = f"{base} {_cite(period)}."
    waiver = policy.clause("RET-5")
    if as_of_day > ends:
        return Retraction(ends, False, period.rule, f"{base} : expiré {_cite(period)}.", reason)
    if (first_access_at is not None and waiver is not None
            and bool(waiver.params["waived_on_first_access"])):
        # L221-28 13° is an exception, read narrowly: the record must strictly precede access.
        if consent_at is not None and consent_at < first_access_at:
            return Retraction(ends, False, waiver.rule,
                              "Droit de rétractation perdu au premier accès à la formation, le "
                              f"{fr_date(_local_day(first_access_at))} : consentement exprès et "
                              f"renoncement enregistrés avant cet accès {_cite(waiver)}.", reason)
        return Retraction(ends, True, waiver.rule,
                          f"{base} : le premier accès n'y met pas fin, faute de consentement "
                          f"exprès enregistré avant cet accès {_cite(waiver)}.", reason)
    return Retraction(ends, True, period.rule, reason, reason)


# --- certification (LRN-3, LRN-4) -------------------------------------------------------


@dataclass(frozen=True)
class Certification:
    eligible: bool
    missing: tuple[str, ...]
    submission_by: date | None
    late: tuple[str, ...]  # evaluations sent after submission_by (they do not count)
    explanation: str
    deadline_explanation: str


def certification_status(
    course: Course, completed: Mapping[str, date], submitted: Mapping[str, date],
    *, funded: bool, policy: Policy,
) -> Certification:
    rule3, rule4 = policy.require("LRN-3"), policy.require("LRN-4")
    core = [f"core-{k}" for k in range(1, course.core_modules + 1)]
    evaluations = [f"evaluation-{k}" for k in range(1, course.evaluation_modules + 1)]
    months = int(rule4.params["months_funded" if funded else "months_self_funded"])
    submission_by: date | None = None
    deadline_explanation = ""
    if all(m in completed for m in core):
        core_done_on = max(completed[m] for m in core)
        submission_by = add_months(core_done_on, months)
        who = "financée" if funded else "sur fonds propres"
        deadline_explanation = (
            f"Formation {who} : vidéo d'évaluation à transmettre dans les {months} mois suivant la "
            f"fin des modules de montage ({fr_date(core_done_on)}), soit au plus tard le "
            f"{fr_date(submission_by)} {_cite(rule4)}.")
    late = tuple(m for m in evaluations if m in submitted and submission_by is not None
                 and submitted[m] > submission_by)
    missing: list[str] = []
    if bool(rule3.params["require_all_core"]):
        missing += [m for m in core if m not in completed]
    if bool(rule3.params["require_evaluations"]):
        missing += [m for m in evaluations if m not in submitted or m in late]
    if missing:
        explanation = ("Certification pas encore accessible : il manque " + ", ".join(missing)
                       + f" {_cite(rule3)}.")
    else:
        explanation = ("Certification accessible : tous les modules de montage suivis et "
                       f"l'évaluation transmise {_cite(rule3)}.")
    return Certification(not missing, tuple(missing), submission_by, late, explanation,
                         deadline_explanation)


# --- LRN-6 ------------------------------------------------------------------------------


def access_kept_until(stopped_on: date, policy: Policy) -> tuple[date, str]:
    """LRN-6: if the company stops (or closes its accounts after dissolution), access to the
    training stays guaranteed at least this many months after that day (CAL-6)."""
    clause = policy.require("LRN-6")
    months = int(clause.params["months"])
    until = add_months(stopped_on, months)
    return until, (f"Arrêt d'activité le {fr_date(stopped_on)} : accès à la formation maintenu au "
                   f"moins {months} mois, jusqu'au {fr_date(until)} {_cite(clause)}.")


# --- evaluation -------------------------------------------------------------------------


def _local_day(at: datetime | None) -> date:
    assert at is not None  # noqa: S101 — instants are required by the parser
    return at.astimezone(PARIS).date()


def _happened(event: LearningEvent, as_of: date | datetime) -> bool:
    if isinstance(as_of, datetime):
        if event.at is not None:
            return event.at <= as_of
        return event.on is not None and event.on <= as_of.astimezone(PARIS).date()
    day = event.on if event.on is not None else _local_day(event.at)
    return day <= as_of


def _first(events: Sequence[LearningEvent], kind: str) -> dict[str, date]:
    """Module id -> the first day it was done (a module redone keeps its first date)."""
    out: dict[str, date] = {}
    for e in events:
        if e.type == kind and e.module is not None and e.on is not None:
            out[e.module] = min(e.on, out.get(e.module, e.on))
    return out


def _earliest(events: Sequence[LearningEvent], kind: str) -> datetime | None:
    instants = [e.at for e in events if e.type == kind and e.at is not None]
    return min(instants) if instants else None


def evaluate(
    case: LearningCase, *, policy: Policy, legal: LegalData | None = None,
    as_of: date | datetime,
) -> Outcome:
    """Access, retraction and certification of a learner's order as of `as_of`.

    Events after `as_of` are ignored: the outcome is what was true at that moment.
    """
    del legal  # no legal rate or amount enters these rules
    as_of_day = as_of.astimezone(PARIS).date() if isinstance(as_of, datetime) else as_of
    if as_of_day < case.order.ordered_on:
        raise CaseError("as_of", "la date d'évaluation précède la commande")
    events = [e for e in case.events if _happened(e, as_of)]
    completed = _first(events, "module_completed")
    submitted = _first(events, "evaluation_submitted")

    access_clause = access_rule(policy, case.order.funding)
    access = module_access(case.course, completed, access_clause)
    retraction = retraction_status(
        ordered_on=case.order.ordered_on, consent_at=_earliest(events, "access_consent"),
        first_access_at=_earliest(events, "first_access"), as_of_day=as_of_day, policy=policy)
    cert = certification_status(case.course, completed, submitted,
                                funded=access_clause.rule == "LRN-2", policy=policy)

    deadlines: dict[str, DeadlineValue] = {"retraction_ends": retraction.ends}
    reasons = {"retraction_ends": ("RET-2", retraction.deadline_explanation)}
    breaches: list[Breach] = []
    warnings = list(access.warnings)
    if cert.submission_by is not None:
        rule4 = policy.require("LRN-4")
        deadlines["certification_submission_by"] = cert.submission_by
        reasons["certification_submission_by"] = (rule4.rule, cert.deadline_explanation)
        pending = [m for m in cert.missing if m.startswith("evaluation")]
        if cert.late or (pending and as_of_day > cert.submission_by):
            breaches.append(Breach("certification_submission_by", cert.submission_by, rule4.rule,
                                   "Vidéo d'évaluation non transmise dans le délai : "
                                   + cert.deadline_explanation))
    if retraction.rule == "RET-5" and retraction.open:
        warnings.append(retraction.explanation)

    core_total = case.course.core_modules
    core_done = sum(1 for k in range(1, core_total + 1) if f"core-{k}" in completed)
    return Outcome(
        policy=policy.id,
        policy_version=policy.version,
        deadlines=deadlines,
        deadline_reasons=reasons,
        breaches=tuple(breaches),
        warnings=tuple(warnings),
        extra={
            "access": {"unlocked": list(access.unlocked), "locked": list(access.locked),
                       "rule": access.rule, "explanation": access.explanation},
            "retraction_open": retraction.open,
            "retraction": {"rule": retraction.rule, "explanation": retraction.explanation},
            "certification": {"eligible": cert.eligible, "missing": list(cert.missing),
                              "rule": "LRN-3", "explanation": cert.explanation},
            # LRN-3: progress is visible to the learner at any time.
            "progress": {"core_completed": core_done, "core_total": core_total},
        },
    )
