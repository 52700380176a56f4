"""Legal mentions of the convention (D6353-1) and the contrat de formation (L6353-4)."""

from __future__ import annotations

import pytest

from ofelia.sales.mentions import (
    CONTRAT,
    CONVENTION,
    MissingMention,
    mentions_for,
    missing_mentions,
    require_mentions,
)


def _complete(kind: str) -> dict[str, object]:
    return {m.key: f"valeur {m.key}" for m in mentions_for(kind)}


def test_d6353_1_convention_lists_the_two_items_of_article_i() -> None:
    # D6353-1, I since 2019: 1° title, objective, content, means, duration, period, conduct,
    # follow-up, sanction; 2° price and payment terms. No 3° or 4° any more.
    by_item: dict[str, set[str]] = {}
    for m in mentions_for(CONVENTION):
        by_item.setdefault(m.reference, set()).add(m.key)
    assert by_item["Code du travail D6353-1, I, 1°"] == {
        "title", "objectives", "programme", "means", "duration", "period", "delivery",
        "follow_up", "assessment"}
    assert by_item["Code du travail D6353-1, I, 2°"] == {"price", "payment_terms"}
    assert not any("3°" in r or "4°" in r for r in by_item)


def test_l6353_4_3_means_are_a_contrat_mention() -> None:
    assert ("means", "Code du travail L6353-4, 3°") in {
        (m.key, m.reference) for m in mentions_for(CONTRAT)}


def test_l6353_4_contrat_lists_the_five_items_and_the_retraction_of_l6353_5() -> None:
    references = {m.reference for m in mentions_for(CONTRAT)}
    for item in ("1°", "2°", "3°", "4°", "5°"):
        assert f"Code du travail L6353-4, {item}" in references
    assert "Code du travail L6353-5" in references


@pytest.mark.parametrize("kind", [CONVENTION, CONTRAT])
def test_complete_document_has_no_missing_mention(kind: str) -> None:
    assert missing_mentions(kind, _complete(kind)) == ()
    require_mentions(kind, _complete(kind))


def test_d6353_1_convention_without_assessment_is_refused_naming_the_mention() -> None:
    values = _complete(CONVENTION)
    values["assessment"] = "   "  # blank counts as missing
    with pytest.raises(MissingMention) as refused:
        require_mentions(CONVENTION, values)
    assert [m.key for m in refused.value.missing] == ["assessment"]
    assert "modalités de sanction" in str(refused.value)
    assert "D6353-1, I, 1°" in str(refused.value)


def test_l6353_4_contrat_without_prerequisites_and_trainers_names_both() -> None:
    values = _complete(CONTRAT)
    del values["prerequisites"]
    values["trainers"] = []
    with pytest.raises(MissingMention) as refused:
        require_mentions(CONTRAT, values)
    message = str(refused.value)
    assert "niveau de connaissances préalables requis (Code du travail L6353-4, 2°)" in message
    assert "diplômes, titres ou références des formateurs (Code du travail L6353-4, 4°)" in message


def test_prerequisites_are_not_a_convention_mention_but_are_a_contrat_one() -> None:
    assert "prerequisites" not in {m.key for m in mentions_for(CONVENTION)}
    assert "prerequisites" in {m.key for m in mentions_for(CONTRAT)}


def test_unknown_document_kind_is_an_error() -> None:
    with pytest.raises(ValueError):
        mentions_for("facture")
