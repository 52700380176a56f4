"""Reads of the surveys app: results per session or per training, what a person has to
answer, and the evidence the Qualiopi file reads (`evidence_for`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ofelia.catalogue.models import Training, TrainingSession
from ofelia.core import clock
from ofelia.organisations.models import Organisation

from .logic import SCALES
from .models import Invitation, Kind, Questionnaire, Response


def questionnaire_list(*, organisation: Organisation) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.for_organisation(organisation).prefetch_related("questions")


def questionnaire_get(*, organisation: Organisation, pk: int) -> Questionnaire | None:
    return Questionnaire.objects.for_organisation(organisation).filter(pk=pk).first()


def session_get(*, organisation: Organisation, pk: int) -> TrainingSession | None:
    return (TrainingSession.objects.for_organisation(organisation).select_related("training")
            .filter(pk=pk).first())


def training_get(*, organisation: Organisation, pk: int) -> Training | None:
    return Training.objects.for_organisation(organisation).filter(pk=pk).first()


def invitations_of_user(*, organisation: Organisation, user: Any) -> list[Invitation]:
    """What a signed-in person was sent (to their account or their address), newest first."""
    mine = Q(user=user) | Q(email__iexact=user.email) if user.email else Q(user=user)
    return list(Invitation.objects.for_organisation(organisation).filter(mine)
                .select_related("session__training", "response").order_by("-sent_at", "-id"))


@dataclass
class QuestionResult:
    key: str
    text: str
    type: str
    answered: int = 0
    average: Decimal | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class QuestionnaireResult:
    title: str
    kind: str
    kind_label: str
    audience_label: str
    sent: int
    answered: int
    questions: list[QuestionResult]
    scores: list[tuple[str, Decimal, Decimal, str]]  # who, score, out of, comment
    to_grade: list[Response]

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.sent) if self.sent else 0


def _question_result(question: dict[str, Any], values: list[Any]) -> QuestionResult:
    result = QuestionResult(key=question["key"], text=question["text"], type=question["type"],
                            answered=len(values))
    if question["type"] in SCALES:
        low, high = SCALES[question["type"]]
        counter = Counter(int(v) for v in values)
        result.counts = [(str(n), counter.get(n, 0)) for n in range(low, high + 1)]
        if values:
            result.average = (Decimal(sum(int(v) for v in values)) / len(values)).quantize(
                Decimal("0.1"), ROUND_HALF_UP)
    elif question["type"] in ("single", "multiple"):
        counter = Counter(v for value in values for v in (value if isinstance(value, list) else [value]))
        result.counts = [(choice, counter.get(choice, 0)) for choice in question["choices"]]
    else:
        result.texts = [str(v) for v in values]
    return result


def results(invitations: QuerySet[Invitation]) -> list[QuestionnaireResult]:
    """One block per questionnaire sent: response rate, then per question (as it was asked,
    from the invitations' own copies) the average, the distribution or the free answers."""
    groups: dict[int, list[Invitation]] = defaultdict(list)
    for invitation in invitations.select_related("response", "questionnaire").order_by("id"):
        groups[invitation.questionnaire_id].append(invitation)
    blocks = []
    for items in groups.values():
        first = items[0]
        asked: dict[str, dict[str, Any]] = {}
        values: dict[str, list[Any]] = defaultdict(list)
        scores, to_grade = [], []
        for invitation in items:
            for question in invitation.snapshot:
                asked.setdefault(question["key"], question)
            response = getattr(invitation, "response", None)
            if response is None:
                continue
            for key, value in response.answers.items():
                values[key].append(value)
            if response.score is not None and response.max_score:
                scores.append((invitation.name, response.score, response.max_score,
                               response.grade_comment))
            elif invitation.scoring == "trainer":
                to_grade.append(response)
        blocks.append(QuestionnaireResult(
            title=first.title, kind=first.kind, kind_label=first.get_kind_display(),
            audience_label=first.get_audience_display(), sent=len(items),
            answered=sum(1 for i in items if getattr(i, "response", None) is not None),
            questions=[_question_result(q, values.get(k, [])) for k, q in asked.items()],
            scores=scores, to_grade=to_grade))
    order = list(Kind.values)
    blocks.sort(key=lambda b: order.index(b.kind))
    return blocks


def session_invitations(session: TrainingSession) -> QuerySet[Invitation]:
    return Invitation.objects.for_organisation(session.organisation).filter(session=session)


def training_invitations(*, organisation: Organisation, training: Training) -> QuerySet[Invitation]:
    return Invitation.objects.for_organisation(organisation).filter(session__training=training)


def export_rows(invitations: QuerySet[Invitation]) -> list[list[Any]]:
    """One row per answer. Satisfaction answers are exported without the person's name."""
    rows = []
    for invitation in (invitations.filter(response__isnull=False)
                       .select_related("response", "session__training").order_by("id")):
        response = invitation.response
        named = invitation.kind in ("positioning", "learning")
        for question in invitation.snapshot:
            value = response.answers.get(question["key"], "")
            rows.append([
                invitation.session.training.title, invitation.session.start_date.strftime("%d/%m/%Y"),
                invitation.title, invitation.get_kind_display(), invitation.get_audience_display(),
                invitation.name if named else "", response.submitted_at.astimezone(clock.PARIS)
                .strftime("%d/%m/%Y %H:%M"), question["text"],
                " | ".join(value) if isinstance(value, list) else value])
    return rows


EXPORT_HEADER = ["Formation", "Session du", "Questionnaire", "Moment", "Destinataires",
                 "Personne (évaluations)", "Répondu le", "Question", "Réponse"]


@dataclass(frozen=True)
class SurveyEvidence:
    """What the Qualiopi file shows for a period: invitations sent and answered per
    (kind, audience), and the sessions they cover."""

    start: date
    end: date
    sent: dict[tuple[str, str], int]
    answered: dict[tuple[str, str], int]
    session_ids: tuple[int, ...]


def evidence_for(organisation: Organisation, start: date, end: date) -> SurveyEvidence:
    """Invitations sent between `start` and `end` (days included, Paris time)."""
    since = datetime.combine(start, time.min, tzinfo=clock.PARIS)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.PARIS)
    rows = (Invitation.objects.for_organisation(organisation)
            .filter(sent_at__gte=since, sent_at__lt=until)
            .values_list("kind", "audience", "session_id", "response__id"))
    sent: Counter[tuple[str, str]] = Counter()
    answered: Counter[tuple[str, str]] = Counter()
    sessions: set[int] = set()
    for kind, audience, session_id, response_id in rows:
        sent[(kind, audience)] += 1
        if response_id is not None:
            answered[(kind, audience)] += 1
        sessions.add(session_id)
    return SurveyEvidence(start=start, end=end, sent=dict(sent), answered=dict(answered),
                          session_ids=tuple(sorted(sessions)))


def sessions_with(organisation: Organisation, session_ids: Iterable[int],
                  kinds: Iterable[str]) -> list[int]:
    """Which of these sessions had a questionnaire of one of `kinds` sent (the Qualiopi file
    asks it of its sample)."""
    return sorted(set(Invitation.objects.for_organisation(organisation)
                      .filter(session_id__in=list(session_ids), kind__in=list(kinds))
                      .values_list("session_id", flat=True)))
