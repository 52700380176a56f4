"""Reads of the e-learning app; what a learner may open is the rules core's answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from ofelia.catalogue.models import Enrolment, Modality, Training
from ofelia.core import clock
from ofelia.organisations.models import Learner
from ofelia.rules.errors import RulesError
from ofelia.rules.learning import access_kept_until
from ofelia.sales import rules_io as sales_rules_io
from ofelia.sales.models import Contract, Order
from ofelia.sales.selectors import contracts_by_enrolment

from . import rules_io
from .models import (
    Attempt,
    Course,
    CourseVersion,
    Evaluation,
    LearnerCourse,
    Module,
    ModuleCompletion,
)


def elearning_trainings(*, organisation: Any) -> QuerySet[Training]:
    return (Training.objects.for_organisation(organisation).filter(modality=Modality.ELEARNING)
            .select_related("course").order_by("title"))


def course_get(*, organisation: Any, pk: int) -> Course | None:
    return Course.objects.for_organisation(organisation).select_related("training").filter(pk=pk).first()


def draft_of(course: Course) -> CourseVersion | None:
    return course.versions.filter(published_at__isnull=True).first()


def published_of(course: Course) -> CourseVersion | None:
    return course.versions.filter(published_at__isnull=False).order_by("-number").first()


def version_modules(version: CourseVersion) -> list[Module]:
    return list(version.modules.order_by("position", "id"))


def learner_of(*, organisation: Any, user: Any) -> Learner | None:
    return Learner.objects.for_organisation(organisation).filter(user=user).first()


def live_contract(enrolment: Enrolment) -> Contract | None:
    """The signed contract of the enrolment; an online order must be paid (LRN-1: access at
    the order's validation)."""
    contract = contracts_by_enrolment(session=enrolment.session).get(enrolment.pk)
    if contract is None or contract.status != Contract.Status.SIGNED:
        return None
    order = Order.objects.filter(contract=contract).first()
    if order is not None and order.status != Order.Status.PAID:
        return None
    return contract


def courses_of_learner(*, organisation: Any, learner: Learner) -> list[tuple[Enrolment, Course]]:
    """The learner's confirmed enrolments on trainings whose course has a published version."""
    enrolments = (Enrolment.objects.for_organisation(organisation)
                  .filter(learner=learner, status=Enrolment.Status.CONFIRMED,
                          session__training__course__versions__published_at__isnull=False)
                  .select_related("session__training__course").distinct()
                  .order_by("-session__start_date", "-id"))
    seen: dict[int, tuple[Enrolment, Course]] = {}
    for e in enrolments:  # one line per course: the latest session
        seen.setdefault(e.session.training.course.pk, (e, e.session.training.course))
    return list(seen.values())


def learner_course_get(*, organisation: Any, learner: Learner, pk: int) -> LearnerCourse | None:
    return (LearnerCourse.objects.for_organisation(organisation)
            .select_related("course__training", "version", "enrolment__session", "learner")
            .filter(learner=learner, pk=pk).first())


@dataclass
class ModuleRow:
    module: Module
    ident: str
    open: bool
    done: bool
    done_at: datetime | None
    attempt: Attempt | None = None


@dataclass
class CourseState:
    learner_course: LearnerCourse
    contract: Contract | None
    rows: list[ModuleRow] = field(default_factory=list)
    rule: str = ""
    explanation: str = ""
    retraction_open: bool = False
    retraction_explanation: str = ""
    needs_consent: bool = False
    consent_at: datetime | None = None
    problem: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)
    # Certification (LRN-3, LRN-4), as the core says.
    eligible: bool = False
    missing: list[str] = field(default_factory=list)
    submission_by: date | None = None
    deadline_rule: str = ""
    deadline_explanation: str = ""
    certification_explanation: str = ""
    evaluation: Evaluation | None = None
    # LRN-6: the organisation stopped; access kept at least until this day.
    kept_until: date | None = None
    kept_explanation: str = ""

    @property
    def core_done(self) -> bool:
        return self.submission_by is not None

    @property
    def may_submit(self) -> bool:
        """The video can be sent once the core modules are done, until the deadline (a late
        one would not count, LRN-4), and only once."""
        return (self.core_done and self.evaluation is None and self.submission_by is not None
                and clock.today() <= self.submission_by)

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.rows)) if self.rows else 0

    def row(self, module_pk: int) -> ModuleRow | None:
        return next((r for r in self.rows if r.module.pk == module_pk), None)


def course_state(learner_course: LearnerCourse, *, now: datetime | None = None) -> CourseState:
    """Modules of the version the learner follows, each open or locked as the core says."""
    now = now or clock.now()
    modules = version_modules(learner_course.version)
    completions = {c.module_id: c.completed_at for c in learner_course.completions.all()}
    evaluation = Evaluation.objects.filter(learner_course=learner_course).select_related("graded_by").first()
    attempts = {a.module_id: a for a in learner_course.attempts.order_by("number")}
    ids = rules_io.module_ids(modules)
    contract = live_contract(learner_course.enrolment)
    state = CourseState(learner_course=learner_course, contract=contract, evaluation=evaluation)
    opened: set[str] = set()
    if contract is None:
        state.problem = ("Accès non ouvert : pas de contrat signé (et de commande payée) pour "
                         "cette inscription.")
    elif not any(m.is_core for m in modules):
        opened = set(ids.values())  # nothing to follow in order
    else:
        case = rules_io.learning_case(learner_course, contract=contract, modules=modules,
                                      completions=completions, as_of=now,
                                      evaluation_at=evaluation.submitted_at if evaluation else None)
        try:
            outcome = rules_io.evaluate(case, organisation=learner_course.organisation,
                                        today=now.date())
        except RulesError as exc:
            state.problem = f"Règles non applicables : {exc}"
        else:
            state.outcome = outcome
            access = outcome.get("access", {})
            opened = set(access.get("unlocked", []))
            state.rule = access.get("rule", "")
            state.explanation = access.get("explanation", "")
            state.retraction_open = bool(outcome.get("retraction_open"))
            state.retraction_explanation = outcome.get("retraction", {}).get("explanation", "")
            state.consent_at = rules_io.consent_at(contract)
            _certification(state, outcome)
            _kept(state, contract)
            state.needs_consent = (learner_course.first_access_at is None
                                   and Order.objects.filter(contract=contract).exists()
                                   and state.retraction_open and state.consent_at is None)
    for module in modules:
        ident = ids[module.pk]
        state.rows.append(ModuleRow(module=module, ident=ident, open=ident in opened,
                                    done=module.pk in completions,
                                    done_at=completions.get(module.pk),
                                    attempt=attempts.get(module.pk)))
    return state


def _certification(state: CourseState, outcome: dict[str, Any]) -> None:
    cert = outcome.get("certification", {})
    state.eligible = bool(cert.get("eligible"))
    state.missing = list(cert.get("missing", []))
    state.certification_explanation = cert.get("explanation", "")
    by = outcome.get("deadlines", {}).get("certification_submission_by")
    if by:
        state.submission_by = date.fromisoformat(by)
        reason = outcome.get("deadline_reasons", {}).get("certification_submission_by", {})
        state.deadline_rule = reason.get("rule", "LRN-4")
        state.deadline_explanation = reason.get("explanation", "")


def _kept(state: CourseState, contract: Contract) -> None:
    stopped_on = contract.organisation.activity_stopped_on
    if stopped_on is not None:
        state.kept_until, state.kept_explanation = access_kept_until(
            stopped_on, sales_rules_io.contract_policy(contract))


def course_progress(*, course: Course) -> list[CourseState]:
    """Staff: every learner of the course with their progress (LRN-3)."""
    followers = (LearnerCourse.objects.filter(course=course)
                 .select_related("learner", "version", "enrolment__session", "course")
                 .prefetch_related("completions", "attempts"))
    return [course_state(lc) for lc in followers]


def completion_count(*, learner_course: LearnerCourse) -> int:
    return ModuleCompletion.objects.filter(learner_course=learner_course).count()
