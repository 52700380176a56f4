"""The mentions a training contract must carry, as data, and the check that refuses a gap.

A convention de formation (client company) follows Code du travail D6353-1; a contrat de
formation (private person paying for themselves) follows L6353-4 and must also inform of the
retraction right of L6353-5. Both identify the parties and the organisation's activity
declaration number. Pure module: it reads a mapping of the values that will be printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CONVENTION = "convention"
CONTRAT = "contrat"


@dataclass(frozen=True)
class Mention:
    key: str  # the document value that carries it
    label: str  # what the mention is, in French
    reference: str  # where the law asks for it


_PARTIES = (
    Mention("provider_identity", "identité de l'organisme de formation (raison sociale, SIRET, adresse)",
            "Code du travail L6353-1"),
    Mention("nda_number", "numéro d'enregistrement de la déclaration d'activité de l'organisme",
            "Code du travail R6351-6"),
)

# D6353-1, I (version in force since 1 January 2019) has two items only: 1° title, objective
# and content, means, duration and period, conduct, follow-up and sanction; 2° price and
# payment terms. The workforce is printed but no longer a mandatory mention of a convention.
_D1 = "Code du travail D6353-1, I, 1°"
_D2 = "Code du travail D6353-1, I, 2°"

CONVENTION_MENTIONS: tuple[Mention, ...] = (
    *_PARTIES,
    Mention("client_identity", "identité du client (entreprise signataire)", "Code du travail L6353-1"),
    Mention("title", "intitulé de l'action de formation", _D1),
    Mention("objectives", "objectif de l'action", _D1),
    Mention("programme", "contenu de l'action (programme)", _D1),
    Mention("means", "moyens prévus (pédagogiques, techniques et d'encadrement)", _D1),
    Mention("duration", "durée de l'action", _D1),
    Mention("period", "période de réalisation (dates)", _D1),
    Mention("delivery", "modalités de déroulement (lieu, modalité, horaires)", _D1),
    Mention("follow_up", "modalités de suivi de l'action", _D1),
    Mention("assessment", "modalités de sanction de l'action", _D1),
    Mention("price", "prix de l'action", _D2),
    Mention("payment_terms", "modalités de règlement", _D2),
)

# L6353-4: mandatory "à peine de nullité", 1° to 5°; L6353-5: the retraction right.
CONTRAT_MENTIONS: tuple[Mention, ...] = (
    *_PARTIES,
    Mention("client_identity", "identité du stagiaire signataire", "Code du travail L6353-3"),
    Mention("title", "nature et objet de l'action de formation", "Code du travail L6353-4, 1°"),
    Mention("programme", "programme de l'action", "Code du travail L6353-4, 1°"),
    Mention("duration", "durée de l'action", "Code du travail L6353-4, 1°"),
    Mention("workforce", "effectifs concernés", "Code du travail L6353-4, 1°"),
    Mention("prerequisites", "niveau de connaissances préalables requis",
            "Code du travail L6353-4, 2°"),
    Mention("delivery", "conditions dans lesquelles la formation est donnée (lieu, modalités, "
            "y compris à distance)", "Code du travail L6353-4, 3°"),
    Mention("means", "moyens pédagogiques et techniques mis en œuvre", "Code du travail L6353-4, 3°"),
    Mention("assessment", "modalités de contrôle des connaissances et nature de la sanction",
            "Code du travail L6353-4, 3°"),
    Mention("trainers", "diplômes, titres ou références des formateurs",
            "Code du travail L6353-4, 4°"),
    Mention("payment_terms", "modalités de paiement", "Code du travail L6353-4, 5°"),
    Mention("early_termination", "conditions financières en cas de cessation anticipée ou d'abandon",
            "Code du travail L6353-4, 5°"),
    Mention("price", "prix convenu", "Code du travail L6353-4, 5° et L6353-6"),
    Mention("retraction", "délai de rétractation de dix jours et ses modalités",
            "Code du travail L6353-5"),
)


def mentions_for(kind: str) -> tuple[Mention, ...]:
    if kind == CONVENTION:
        return CONVENTION_MENTIONS
    if kind == CONTRAT:
        return CONTRAT_MENTIONS
    raise ValueError(f"type de document inconnu : {kind}")


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(_present(v) for v in value)
    return True


def missing_mentions(kind: str, values: Mapping[str, object]) -> tuple[Mention, ...]:
    """The mentions whose value is absent or blank, in the order of the law."""
    return tuple(m for m in mentions_for(kind) if not _present(values.get(m.key)))


class MissingMention(Exception):
    """A document cannot be issued without every mandatory mention; the message names them."""

    def __init__(self, kind: str, missing: tuple[Mention, ...]) -> None:
        self.kind = kind
        self.missing = missing
        name = "La convention de formation" if kind == CONVENTION else "Le contrat de formation"
        details = " ; ".join(f"{m.label} ({m.reference})" for m in missing)
        issued = "émise" if kind == CONVENTION else "émis"
        what = ("mentions obligatoires manquantes" if len(missing) > 1
                else "mention obligatoire manquante")
        super().__init__(f"{name} ne peut pas être {issued} : {what} — {details}.")


def require_mentions(kind: str, values: Mapping[str, object]) -> None:
    missing = missing_mentions(kind, values)
    if missing:
        raise MissingMention(kind, missing)
