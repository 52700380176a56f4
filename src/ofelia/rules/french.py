"""Dates as a French office writes them in a sentence: « 1er août 2026 », « 4 décembre 2026
à 09:00 » (Paris time). Every explanation of the core, and the apps' messages and e-mails,
write their days through here, so that one text never mixes « 04/12/2026 » and « 4 décembre »."""

from __future__ import annotations

from datetime import date, datetime

from ofelia.rules.calendars import PARIS

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")

# Texts of days, kept once written: a case names the same days in several sentences, and the
# days met by a process are few.
_DATE_TEXTS: dict[date, str] = {}
_TEXTS_KEPT = 20_000


def fr_date(d: date) -> str:
    """« 1er août 2026 », « 4 décembre 2026 » (an instant: its own calendar day, as given)."""
    try:
        return _DATE_TEXTS[d]  # only days are kept: an instant never equals a day
    except KeyError:
        text = f"{d.day}{'er' if d.day == 1 else ''} {_MONTHS[d.month - 1]} {d.year}"
    if type(d) is date:
        if len(_DATE_TEXTS) >= _TEXTS_KEPT:
            _DATE_TEXTS.clear()
        _DATE_TEXTS[d] = text
    return text


def fr_instant(instant: datetime) -> str:
    """« 4 décembre 2026 à 09:00 », in Paris time (a naive instant is taken as Paris time)."""
    local = instant.astimezone(PARIS) if instant.tzinfo else instant
    return f"{fr_date(local.date())} à {local:%H:%M}"
