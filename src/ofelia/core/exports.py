"""The one CSV writer of Ofelia's exports (audit log, invoices, reports, data-rights requests).

French spreadsheet conventions: semicolon, UTF-8 with a BOM (accents read right), CRLF. Every
cell that a spreadsheet would take for a formula — starting with `=`, `+`, `-`, `@`, a tab
or a carriage return — is neutralised with a leading apostrophe (OWASP's CSV injection
advice): a company named `=HYPERLINK(…)` stays text. Plain numbers (`-120,50`) are numbers,
not formulas, and are kept as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.match(value):
        return value
    return "'" + value


class CsvWriter:
    def __init__(self, stream: _Writable) -> None:
        stream.write("\ufeff")
        self._writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_response(name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Any:
    """A CSV download named `<name>-<date>.csv`, written row by row as the rows come."""
    from django.http import HttpResponse

    from . import clock

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{clock.today():%Y%m%d}.csv"'
    writer = CsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
