"""The delay to pay an online order (the organisation's setting), from the rules core."""

from datetime import date

import pytest

from ofelia.rules.order_payment import SOURCE, order_payment_deadline


def test_order_is_due_the_delay_after_it_was_placed_and_expires_the_day_after() -> None:
    due = order_payment_deadline(ordered_on=date(2026, 2, 2), days=7,
                                 session_start=date(2026, 4, 13), today=date(2026, 2, 9))
    assert due.due_on == date(2026, 2, 9) and not due.expired and due.source == SOURCE
    assert "9 février 2026" in due.explanation
    later = order_payment_deadline(ordered_on=date(2026, 2, 2), days=7,
                                   session_start=date(2026, 4, 13), today=date(2026, 2, 10))
    assert later.expired


def test_deadline_never_after_the_eve_of_the_session_nor_before_the_order() -> None:
    close = order_payment_deadline(ordered_on=date(2026, 2, 2), days=7,
                                   session_start=date(2026, 2, 5), today=date(2026, 2, 2))
    assert close.due_on == date(2026, 2, 4) and "veille de la session" in close.explanation
    same_day = order_payment_deadline(ordered_on=date(2026, 2, 2), days=7,
                                      session_start=date(2026, 2, 2), today=date(2026, 2, 2))
    assert same_day.due_on == date(2026, 2, 2)


def test_a_delay_of_zero_days_is_refused() -> None:
    with pytest.raises(ValueError, match="au moins un jour"):
        order_payment_deadline(ordered_on=date(2026, 2, 2), days=0,
                               session_start=date(2026, 4, 13), today=date(2026, 2, 2))
