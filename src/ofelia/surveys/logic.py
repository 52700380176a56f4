"""The pure part of surveys (no database): when a questionnaire is due for a session, how a
submitted form is read and checked, and how a quiz is scored. Questions are the frozen
`snapshot` dicts of an invitation: key, text, type, choices, correct, required."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

# Positioning goes a week before the first day and no later than that day; the other kinds
# are sent from their due day and for two weeks after it (a session finished long before the
# feature was switched on is not surveyed retroactively).
POSITIONING_AHEAD_DAYS = 7
SEND_WINDOW_DAYS = 14
SCALES = {"scale5": (1, 5), "scale10": (0, 10)}


@dataclass(frozen=True)
class Window:
    due_on: date
    last_day: date

    def contains(self, day: date) -> bool:
        return self.due_on <= day <= self.last_day


def send_window(kind: str, *, start: date, end: date, delay_days: int) -> Window:
    if kind == "positioning":
        return Window(start - timedelta(days=POSITIONING_AHEAD_DAYS), start)
    if kind == "cold":
        due = end + timedelta(days=delay_days)
        return Window(due, due + timedelta(days=SEND_WINDOW_DAYS))
    # learning evaluation and satisfaction à chaud: on the last day of the session
    return Window(end, end + timedelta(days=SEND_WINDOW_DAYS))


def reminder_due(*, sent_on: date, reminders: int, every_days: int, today: date,
                 max_reminders: int = 2) -> bool:
    """A reminder each `every_days` without an answer, at most `max_reminders`."""
    if every_days <= 0 or reminders >= max_reminders:
        return False
    return today >= sent_on + timedelta(days=every_days * (reminders + 1))


def read_answers(questions: Sequence[Mapping[str, Any]], data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers of a submitted form (`data.getlist` / `data.get`) checked against the
    questions: a value per key, and French errors per key (empty when all is well)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        key, kind = question["key"], question["type"]
        name = f"q{key}"
        if kind == "multiple":
            picked = [v for v in data.getlist(name) if v in question["choices"]]
            if len(picked) != len(data.getlist(name)):
                errors[key] = "Choisissez parmi les réponses proposées."
            elif not picked and question["required"]:
                errors[key] = "Cochez au moins une réponse."
            else:
                answers[key] = picked
            continue
        raw = (data.get(name) or "").strip()
        if not raw:
            if question["required"]:
                errors[key] = ("Écrivez une réponse." if kind == "text"
                               else "Choisissez une réponse.")
            continue
        if kind in SCALES:
            low, high = SCALES[kind]
            if not raw.isdigit() or not low <= int(raw) <= high:
                errors[key] = f"Choisissez une note de {low} à {high}."
            else:
                answers[key] = int(raw)
        elif kind == "single":
            if raw not in question["choices"]:
                errors[key] = "Choisissez parmi les réponses proposées."
            else:
                answers[key] = raw
        elif len(raw) > 3000:
            errors[key] = "Votre réponse est trop longue (3 000 caractères au plus)."
        else:
            answers[key] = raw
    return answers, errors


def quiz_score(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """One point per choice question that has right answers, earned when the set of boxes
    picked is exactly the set of right answers (no partial credit)."""
    score = total = Decimal(0)
    for question in questions:
        if question["type"] not in ("single", "multiple") or not question.get("correct"):
            continue
        total += 1
        given = answers.get(question["key"])
        picked = set(given if isinstance(given, list) else [given] if given else [])
        if picked == set(question["correct"]):
            score += 1
    return score, total


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
