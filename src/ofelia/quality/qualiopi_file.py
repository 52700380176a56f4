"""The Qualiopi file (issue 11 item 7): the 32 indicators with, for a period and a sample of
sessions, the evidence each registered provider finds (`evidence.py`, `evidence_sources.py`)
and the organisation's « non applicable » choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ofelia.catalogue.models import TrainingSession
from ofelia.rules.calendars import add_years

from . import evidence_sources  # noqa: F401 — registers the providers
from .evidence import NOT_APPLICABLE, PROVIDERS, STATUS_LABELS, Finding, Provider, Scope, status_of
from .models import QualiopiExclusion
from .qualiopi import BY_NUMBER, CRITERIA, INDICATORS, Criterion, Indicator

# The sample offered by default: the most recent sessions of the period, so that the page
# and the ZIP stay quick on a large organisation; the quality manager ticks others.
DEFAULT_SAMPLE = 20
MAX_CANDIDATES = 300


@dataclass(frozen=True)
class IndicatorState:
    indicator: Indicator
    status: str
    findings: tuple[Finding, ...]
    exclusion: QualiopiExclusion | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def todo(self) -> list[str]:
        found = [f.todo for f in self.findings if f.todo and f.status != "covered"]
        return found or ([] if self.findings else [self.indicator.hint])


def _date(raw: str, default: date) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return default


def candidates(*, organisation: Any, start: date, end: date) -> list[TrainingSession]:
    """Sessions running in the period, the most recent first."""
    return list(TrainingSession.objects.for_organisation(organisation)
                .filter(start_date__lte=end, end_date__gte=start).select_related("training")
                .order_by("-start_date", "-id")[:MAX_CANDIDATES])


def scope_from(query: Mapping[str, Any], *, organisation: Any, today: date
               ) -> tuple[Scope, list[TrainingSession]]:
    """The period (`du`, `au`, default the last twelve months) and the sample (`session`
    repeated; default the most recent sessions of the period) from a query string."""
    end = _date(str(query.get("au", "")), today)
    start = _date(str(query.get("du", "")), add_years(end, -1) + timedelta(days=1))
    if start > end:
        start, end = end, start
    offered = candidates(organisation=organisation, start=start, end=end)
    known = {s.pk for s in offered}
    getlist = getattr(query, "getlist", None)
    asked = getlist("session") if getlist else query.get("session", [])
    chosen = [int(v) for v in asked if str(v).isdigit() and int(v) in known]
    ids = tuple(chosen) if chosen else tuple(s.pk for s in offered[:DEFAULT_SAMPLE])
    return Scope(organisation=organisation, start=start, end=end, session_ids=ids,
                 today=today), offered


def exclusions(*, organisation: Any) -> dict[int, QualiopiExclusion]:
    return {e.indicator: e for e in QualiopiExclusion.objects.for_organisation(organisation)
            .select_related("decided_by")}


def _state(indicator: Indicator, scope: Scope, excluded: dict[int, QualiopiExclusion],
           cache: dict[Provider, Finding]) -> IndicatorState:
    exclusion = excluded.get(indicator.number)
    if exclusion is not None:
        return IndicatorState(indicator, NOT_APPLICABLE, (), exclusion)
    findings = []
    for provider in PROVIDERS.get(indicator.number, []):
        if provider not in cache:
            cache[provider] = provider(scope)
        findings.append(cache[provider])
    return IndicatorState(indicator, status_of(findings), tuple(findings), None)


def qualiopi_file(scope: Scope) -> list[tuple[Criterion, list[IndicatorState]]]:
    """Every indicator grouped by criterion; each provider runs once."""
    excluded = exclusions(organisation=scope.organisation)
    cache: dict[Provider, Finding] = {}
    return [(c, [_state(i, scope, excluded, cache) for i in INDICATORS if i.criterion == c.number])
            for c in CRITERIA]


def indicator_state(scope: Scope, number: int) -> IndicatorState | None:
    indicator = BY_NUMBER.get(number)
    if indicator is None:
        return None
    return _state(indicator, scope, exclusions(organisation=scope.organisation), {})


def summary(file: list[tuple[Criterion, list[IndicatorState]]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for _, states in file:
        for s in states:
            counts[s.status] += 1
    return counts
