"""The shipped example policies load, validate and resolve by date."""

from __future__ import annotations

from datetime import date

import pytest

from ofelia.policies import load_shipped, policy_in_force, shipped_policy_ids
from ofelia.rules.errors import PolicyError


def test_the_five_example_policies_are_shipped():
    assert set(shipped_policy_ids()) >= {"mi4", "dixneuf", "laporte", "formagogy", "virtualeo"}


@pytest.mark.parametrize("policy_id", ["mi4", "dixneuf", "laporte", "formagogy", "virtualeo"])
def test_shipped_policy_parses_and_every_clause_names_its_article(policy_id):
    versions = load_shipped(policy_id)
    assert versions
    for policy in versions:
        assert policy.id == policy_id
        assert all(c.article for c in policy.clauses.values())


def test_policy_in_force_by_date_and_by_version():
    assert policy_in_force("dixneuf", date(2026, 3, 1)).version == "2025.08.01"
    assert policy_in_force("dixneuf", date(2026, 3, 1), "2025.08.01").effective_from == date(2025, 8, 1)
    with pytest.raises(PolicyError, match="Aucune version"):
        policy_in_force("dixneuf", date(2025, 7, 31))
    with pytest.raises(PolicyError, match="Politique inconnue"):
        policy_in_force("nobody", date(2026, 1, 1))


def _lint_shipped(policy_id: str):
    from importlib import resources

    from ofelia.rules.lint import lint_policy_text

    folder = resources.files("ofelia.policies").joinpath(policy_id)
    return [lint_policy_text(f.read_text(encoding="utf-8")) for f in folder.iterdir()
            if f.name.endswith(".toml")]


@pytest.mark.parametrize("policy_id", ["mi4", "dixneuf", "laporte", "formagogy", "virtualeo"])
def test_shipped_policies_lint_without_errors(policy_id):
    for report in _lint_shipped(policy_id):
        assert report.errors == ()


def test_formagogy_pen_f1_stacked_rates_are_flagged_by_the_linter():
    (report,) = _lint_shipped("formagogy")
    assert ("rules.PEN-F1", "W-STACKED") in [(w.path, w.code) for w in report.warnings]
