"""The auditor's ZIP of the Qualiopi file, streamed to the browser: `index.html` first
(each indicator, its status, its evidence rows and the files that prove it), then each
evidence file once, read only when it is written. `zipfile` writes to a sink that the
response drains after every chunk, so memory holds one chunk, not the archive."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string

from ofelia.core import clock

from .evidence import EvidenceFile, Scope
from .qualiopi_file import IndicatorState, qualiopi_file, summary


class _Sink:
    """A write-only file: what zipfile writes waits here until the generator yields it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _files(file: list[tuple[Any, list[IndicatorState]]]) -> dict[str, EvidenceFile]:
    """Each file once, however many indicators it proves."""
    found: dict[str, EvidenceFile] = {}
    for _, states in file:
        for state in states:
            for finding in state.findings:
                for f in finding.files:
                    found.setdefault(f"preuves/{f.path}", f)
    return found


def index_html(scope: Scope, file: list[tuple[Any, list[IndicatorState]]]) -> str:
    from .qualiopi_file import candidates

    sessions = [s for s in candidates(organisation=scope.organisation, start=scope.start,
                                      end=scope.end) if s.pk in scope.session_ids]
    return render_to_string("quality/qualiopi/archive/index.html", {
        "scope": scope, "file": file, "sessions": sessions, "counts": summary(file),
        "organisation": scope.organisation, "made_at": clock.now()})


def stream(scope: Scope) -> Iterator[bytes]:
    file = qualiopi_file(scope)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        archive.writestr("index.html", index_html(scope, file))
        yield sink.take()
        for path, evidence in _files(file).items():
            with archive.open(path, "w") as entry:
                for chunk in evidence.chunks():
                    entry.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
