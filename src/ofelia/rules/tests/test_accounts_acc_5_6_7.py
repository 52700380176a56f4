"""ACC-5 (force majeure beyond 30 days), ACC-6 (data rights deadlines, invoice retention),
ACC-7 (SaaS licence term and data kept after closure)."""

from __future__ import annotations

from datetime import date

import pytest

from ofelia.rules.accounts import (
    data_request_deadline,
    force_majeure_may_terminate,
    force_majeure_termination_from,
    invoice_kept_until,
    saas_account_term,
)
from ofelia.rules.tests.test_training_helpers import shipped


def test_acc_5_termination_open_only_beyond_30_consecutive_days():
    started = date(2026, 3, 1)  # day 1; day 30 is 30 March
    assert force_majeure_termination_from(started) == date(2026, 3, 31)
    assert not force_majeure_may_terminate(started, date(2026, 3, 30))
    assert force_majeure_may_terminate(started, date(2026, 3, 31))


def test_acc_5_an_event_over_before_the_notice_gives_no_termination():
    started = date(2026, 3, 1)
    assert not force_majeure_may_terminate(started, date(2026, 4, 5), ended_on=date(2026, 4, 2))
    assert force_majeure_may_terminate(started, date(2026, 4, 2), ended_on=date(2026, 4, 2))


def test_acc_5_mi4_policy_carries_the_30_days():
    clause = shipped("mi4").clause("ACC-5")
    assert clause is not None and int(clause.get("consecutive_days")) == 30
    assert "Force majeure" in clause.article


def test_acc_6_answer_within_one_month_extendable_by_two_with_month_end_clamping():
    d = data_request_deadline("erasure", date(2026, 1, 31))
    assert (d.answer_by, d.extended_answer_by) == (date(2026, 2, 28), date(2026, 4, 30))
    assert "RGPD, art. 12.3" in d.explanation and "ACC-6" in d.explanation
    assert data_request_deadline("portability", date(2026, 3, 15)).answer_by == date(2026, 4, 15)
    with pytest.raises(ValueError, match="droit inconnu"):
        data_request_deadline("oubli", date(2026, 1, 1))


def test_acc_6_invoices_are_kept_ten_years_even_after_an_erasure_request():
    assert invoice_kept_until(date(2016, 2, 29)) == date(2026, 2, 28)
    assert invoice_kept_until(date(2026, 12, 1)) == date(2036, 12, 1)


def test_acc_7_licence_twelve_months_from_the_last_invoice_data_kept_twelve_more():
    term = saas_account_term([date(2025, 1, 31), date(2025, 8, 31)])
    assert term.licence_ends_on == date(2026, 8, 31) == term.closed_on
    assert term.non_personal_data_until == date(2027, 8, 31)
    assert "ACC-7" in term.explanation
    renewed = saas_account_term([date(2025, 8, 31), date(2026, 8, 30)])
    assert renewed.closed_on == date(2027, 8, 30)
    with pytest.raises(ValueError):
        saas_account_term([])


def test_acc_7_virtualeo_policy_carries_its_durations():
    clause = shipped("virtualeo").clause("ACC-7")
    assert clause is not None
    assert (int(clause.get("licence_months")), int(clause.get("keep_data_months"))) == (12, 12)
