"""Policies as data: parsing, parameter specs, bands, version resolution."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ofelia.rules.errors import PolicyError
from ofelia.rules.policy import check_policy_text, parse_policy, version_in_force, version_named
from ofelia.rules.policy_schema import (
    KNOWN_RULE_IDS,
    PARAM_SPECS,
    Param,
    RuleSpec,
    band_for,
    bands,
)

HEADER = """
[policy]
id = "demo"
version = "2026.01.01"
effective_from = 2026-01-01
organisation = "Démo Formation"
document = "Conditions générales de vente"
calendar = "national"
"""

SPECS = {
    "CAN-D1": RuleSpec({"fee": bands(percent=Param("percent"))}),
    "PEN-D2": RuleSpec({
        "legal_multiplier": Param("decimal", role="legal_multiplier"),
        "recovery_fee": Param("decimal", role="recovery_fee"),
        "grace_days": Param("int", required=False, minimum=0),
        "creditor": Param("enum", choices=("other", "private"), required=False),
    }),
}

CAN_D1 = """
[rules.CAN-D1]
article = "CGV Partie 2, art. 4"
summary = "Annulation par le client professionnel"
fee = [
  { min = 31, percent = "0" },
  { min = 20, max = 30, percent = "25" },
  { min = 5, max = 19, percent = "50" },
  { max = 4, percent = "80" },
]
"""


def errors_of(text: str) -> list[str]:
    policy, problems = check_policy_text(text, specs=SPECS)
    assert policy is None
    return [str(p) for p in problems]


def test_parse_policy_header_and_typed_params():
    policy = parse_policy(HEADER + CAN_D1, specs=SPECS)
    assert (policy.id, policy.version, policy.effective_from) == ("demo", "2026.01.01", date(2026, 1, 1))
    assert policy.calendar_region == "national"
    clause = policy.require("CAN-D1")
    assert clause.article == "CGV Partie 2, art. 4"
    fee = clause.params["fee"]
    assert band_for(fee, 31).values["percent"] == Decimal("0")
    assert band_for(fee, 30).values["percent"] == Decimal("25")
    assert band_for(fee, 5).values["percent"] == Decimal("50")
    assert band_for(fee, 4).values["percent"] == Decimal("80")
    assert band_for(fee, -3).values["percent"] == Decimal("80")
    assert policy.clauses_of("CAN-") == (clause,)
    assert policy.clause("PEN-D2") is None


def test_policy_is_frozen():
    policy = parse_policy(HEADER + CAN_D1, specs=SPECS)
    with pytest.raises(AttributeError):
        policy.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.clauses["X-1"] = None  # type: ignore[index]


def test_missing_clause_required_is_a_policy_error():
    policy = parse_policy(HEADER, specs=SPECS)
    with pytest.raises(PolicyError, match="CAN-D1"):
        policy.require("CAN-D1")


def test_effective_from_accepts_an_iso_string():
    text = HEADER.replace("effective_from = 2026-01-01", 'effective_from = "2026-02-03"')
    assert parse_policy(text).effective_from == date(2026, 2, 3)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("id = \"demo\"", "id = \"Demo Org\""), "policy.id"),
        (("version = \"2026.01.01\"\n", ""), "policy.version"),
        (("effective_from = 2026-01-01", "effective_from = \"2026-13-01\""), "policy.effective_from"),
        (("calendar = \"national\"", "calendar = \"corse\""), "policy.calendar"),
        (("calendar = \"national\"", "calendar = \"national\"\ncolour = \"red\""), "policy.colour"),
    ],
)
def test_header_errors_name_the_field(edit, expected):
    assert any(e.startswith(expected) for e in errors_of(HEADER.replace(*edit)))


def test_invalid_toml_is_reported():
    assert "TOML invalide" in errors_of("[policy\n")[0]


def test_missing_article_is_an_error():
    text = HEADER + CAN_D1.replace('article = "CGV Partie 2, art. 4"\n', "")
    assert errors_of(text) == [
        "rules.CAN-D1.article: article obligatoire : chaque clause cite l'article des conditions"
    ]


def test_unknown_rule_id_is_an_error_but_own_clause_x_is_free():
    assert "identifiant de règle inconnu" in errors_of(HEADER + '[rules.CAN-D01]\narticle = "4"\n')[0]
    policy = parse_policy(HEADER + '[rules.X-PARKING]\narticle = "art. 12"\nspots = 3\n', specs=SPECS)
    assert policy.require("X-PARKING").params == {"spots": 3}


def test_unknown_parameter_of_a_specified_rule_is_an_error():
    text = HEADER + CAN_D1 + "colour = \"red\"\n"
    assert errors_of(text) == ["rules.CAN-D1.colour: paramètre inconnu"]


def test_required_parameter_missing_and_wrong_types():
    text = HEADER + '[rules.PEN-D2]\narticle = "art. 3"\nrecovery_fee = 40.0\n'
    (error,) = errors_of(text)
    assert error.startswith("rules.PEN-D2.legal_multiplier: paramètre obligatoire manquant")
    text = HEADER + '[rules.PEN-D2]\narticle = "art. 3"\nlegal_multiplier = "3"\nrecovery_fee = 40.0\n'
    assert errors_of(text)[0].startswith("rules.PEN-D2.recovery_fee: nombre à virgule flottante refusé")
    text = HEADER + ('[rules.PEN-D2]\narticle = "art. 3"\nlegal_multiplier = "3"\nrecovery_fee = "40"\n'
                     'creditor = "bank"\n')
    assert "valeur « bank » inconnue" in errors_of(text)[0]
    text = HEADER + ('[rules.PEN-D2]\narticle = "art. 3"\nlegal_multiplier = "3"\nrecovery_fee = "40"\n'
                     'grace_days = -1\n')
    assert errors_of(text) == ["rules.PEN-D2.grace_days: doit être supérieur ou égal à 0"]


def test_float_refused_even_without_spec():
    text = HEADER + '[rules.ACC-10]\narticle = "art. 16"\ncap_percent = 20.0\n'
    assert errors_of(text)[0].startswith("rules.ACC-10.cap_percent: nombre à virgule flottante")


def test_percent_outside_0_100_is_an_error():
    text = HEADER + CAN_D1.replace('percent = "80"', 'percent = "120"')
    assert errors_of(text) == ["rules.CAN-D1.fee[3].percent: pourcentage hors de 0–100 : 120"]


def test_bands_gap_is_an_error():
    text = HEADER + CAN_D1.replace("{ min = 20, max = 30,", "{ min = 21, max = 30,")
    (error,) = errors_of(text)
    assert "trou entre les tranches [5 ; 19] et [21 ; 30]" in error and "20–20" in error


def test_bands_overlap_is_an_error():
    text = HEADER + CAN_D1.replace("{ min = 5, max = 19,", "{ min = 5, max = 20,")
    assert "se chevauchent : [5 ; 20] et [20 ; 30]" in errors_of(text)[0]


def test_bands_must_be_open_at_the_top_and_cover_zero():
    text = HEADER + CAN_D1.replace("{ min = 31, percent", "{ min = 31, max = 90, percent")
    assert "au-delà de 90" in errors_of(text)[0]
    text = HEADER + CAN_D1.replace("{ max = 4, percent", "{ min = 1, max = 4, percent")
    assert "de 0 à 0" in errors_of(text)[0]


def test_all_errors_are_listed_not_only_the_first():
    text = HEADER.replace('organisation = "Démo Formation"\n', "") + CAN_D1.replace(
        'article = "CGV Partie 2, art. 4"\n', "")
    assert len(errors_of(text)) == 2
    with pytest.raises(PolicyError, match="policy.organisation"):
        parse_policy(text, specs=SPECS)


def test_known_rule_ids_cover_the_catalogue_and_specs_use_known_ids():
    assert {"CAL-1", "PEN-2b", "CAN-V1", "ACC-10", "SUP-2", "VCL-8"} <= set(KNOWN_RULE_IDS)
    assert len(KNOWN_RULE_IDS) == len(set(KNOWN_RULE_IDS))
    assert set(PARAM_SPECS) <= set(KNOWN_RULE_IDS)


def _version(v: str, start: date):
    text = HEADER.replace("2026.01.01", v).replace("effective_from = 2026-01-01",
                                                    f"effective_from = {start.isoformat()}")
    return parse_policy(text)


def test_version_in_force_is_the_latest_effective_on_or_before_the_date():
    v1, v2 = _version("2025.01.01", date(2025, 1, 1)), _version("2026.03.01", date(2026, 3, 1))
    assert version_in_force([v1, v2], date(2026, 2, 28)) is v1
    assert version_in_force([v2, v1], date(2026, 3, 1)) is v2
    assert version_in_force((p for p in [v1, v2]), date(2027, 1, 1)) is v2
    with pytest.raises(PolicyError, match="Aucune version.*2024-12-31.*2025-01-01"):
        version_in_force([v1, v2], date(2024, 12, 31))
    assert version_named([v1, v2], "2025.01.01") is v1
    with pytest.raises(PolicyError, match="inconnue"):
        version_named([v1, v2], "1999")
