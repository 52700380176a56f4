"""The pure rules of surveys: when each kind is due, how a form is read, how a quiz scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.datastructures import MultiValueDict

from ofelia.surveys import logic

START, END = date(2026, 3, 16), date(2026, 3, 18)
Q = [
    {"key": "1", "text": "Note", "type": "scale5", "choices": [], "correct": [], "required": True},
    {"key": "2", "text": "Reco", "type": "scale10", "choices": [], "correct": [], "required": False},
    {"key": "3", "text": "Capitale", "type": "single", "choices": ["Paris", "Lyon"],
     "correct": ["Paris"], "required": True},
    {"key": "4", "text": "Pairs", "type": "multiple", "choices": ["2", "3", "4"],
     "correct": ["2", "4"], "required": True},
    {"key": "5", "text": "Avis", "type": "text", "choices": [], "correct": [], "required": False},
]


def form(**values: str | list[str]) -> MultiValueDict[str, str]:
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in values.items()})


def test_cold_satisfaction_is_due_on_the_delay_day_not_the_day_before() -> None:
    window = logic.send_window("cold", start=START, end=END, delay_days=90)
    assert window.due_on == date(2026, 6, 16)  # 18 March + 90 days
    assert not window.contains(date(2026, 6, 15))
    assert window.contains(date(2026, 6, 16))
    assert window.contains(date(2026, 6, 30)) and not window.contains(date(2026, 7, 1))


def test_positioning_goes_the_week_before_and_no_later_than_the_first_day() -> None:
    window = logic.send_window("positioning", start=START, end=END, delay_days=90)
    assert (window.due_on, window.last_day) == (date(2026, 3, 9), START)
    hot = logic.send_window("hot", start=START, end=END, delay_days=90)
    assert hot.due_on == END and not hot.contains(date(2026, 3, 17))


def test_reminders_every_n_days_at_most_twice() -> None:
    sent = date(2026, 3, 18)
    assert not logic.reminder_due(sent_on=sent, reminders=0, every_days=7, today=date(2026, 3, 24))
    assert logic.reminder_due(sent_on=sent, reminders=0, every_days=7, today=date(2026, 3, 25))
    assert not logic.reminder_due(sent_on=sent, reminders=1, every_days=7, today=date(2026, 3, 31))
    assert logic.reminder_due(sent_on=sent, reminders=1, every_days=7, today=date(2026, 4, 1))
    assert not logic.reminder_due(sent_on=sent, reminders=2, every_days=7, today=date(2026, 5, 1))
    assert not logic.reminder_due(sent_on=sent, reminders=0, every_days=0, today=date(2026, 5, 1))


def test_answers_are_read_and_checked_with_french_errors() -> None:
    answers, errors = logic.read_answers(Q, form(q1="4", q3="Paris", q4=["2", "4"], q5="  Bien  "))
    assert errors == {}
    assert answers == {"1": 4, "3": "Paris", "4": ["2", "4"], "5": "Bien"}
    _, errors = logic.read_answers(Q, form(q1="6", q2="11", q3="Marseille", q4=["5"]))
    assert errors == {"1": "Choisissez une note de 1 à 5.", "2": "Choisissez une note de 0 à 10.",
                      "3": "Choisissez parmi les réponses proposées.",
                      "4": "Choisissez parmi les réponses proposées."}
    _, errors = logic.read_answers(Q, form())
    assert errors == {"1": "Choisissez une réponse.", "3": "Choisissez une réponse.",
                      "4": "Cochez au moins une réponse."}


def test_quiz_scores_one_point_per_exactly_right_question() -> None:
    assert logic.quiz_score(Q, {"3": "Paris", "4": ["4", "2"]}) == (Decimal(2), Decimal(2))
    assert logic.quiz_score(Q, {"3": "Paris", "4": ["2"]}) == (Decimal(1), Decimal(2))
    assert logic.quiz_score(Q, {"3": "Lyon", "4": ["2", "3", "4"]}) == (Decimal(0), Decimal(2))
    assert logic.quiz_score(Q, {}) == (Decimal(0), Decimal(2))
