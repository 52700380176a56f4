"""The Qualiopi file's evidence: a registry of providers, one function per source of
evidence, registered for the indicators it serves.

A provider receives the `Scope` (organisation, period, sample of sessions) and returns a
`Finding`: the rows it found (each with a link to the real page), the files it can put in
the auditor's ZIP, a status and what to do when something is missing. Another app's
provider is added in one place, with `@provides(30, …)` in a module imported by
`QualityConfig.ready` (or in this module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

COVERED = "covered"
PARTIAL = "partial"
MISSING = "missing"
NOT_APPLICABLE = "not_applicable"

STATUS_LABELS = {COVERED: "couvert", PARTIAL: "partiel", MISSING: "manquant",
                 NOT_APPLICABLE: "non applicable"}


@dataclass(frozen=True)
class Scope:
    organisation: Any
    start: date
    end: date
    session_ids: tuple[int, ...]
    today: date


@dataclass(frozen=True)
class Row:
    label: str
    detail: str = ""
    url: str = ""
    on: date | None = None
    ok: bool = True


@dataclass(frozen=True)
class EvidenceFile:
    """A file of the ZIP: its path inside the archive and how to read it, chunk by chunk,
    only when the archive is written (one file in memory at a time)."""

    path: str
    chunks: Callable[[], Iterable[bytes]] = field(compare=False)


@dataclass(frozen=True)
class Finding:
    source: str
    status: str
    rows: tuple[Row, ...] = ()
    files: tuple[EvidenceFile, ...] = ()
    todo: str = ""


Provider = Callable[[Scope], Finding]
PROVIDERS: dict[int, list[Provider]] = {}


def provides(*indicators: int) -> Callable[[Provider], Provider]:
    def register(provider: Provider) -> Provider:
        for number in indicators:
            slot = PROVIDERS.setdefault(number, [])
            if provider not in slot:
                slot.append(provider)
        return provider
    return register


def status_of(findings: Iterable[Finding]) -> str:
    """All sources covered → couvert; nothing anywhere → manquant; otherwise partiel."""
    statuses = {f.status for f in findings}
    if not statuses or statuses == {MISSING}:
        return MISSING
    return COVERED if statuses == {COVERED} else PARTIAL


def share(found: int, expected: int) -> str:
    """Status of a count against what was expected."""
    if expected == 0 or found == 0:
        return MISSING
    return COVERED if found >= expected else PARTIAL


def file_chunks(opened: Callable[[], Any], size: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        with opened() as handle:
            while chunk := handle.read(size):
                yield chunk
    return read
