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
    Mention("nda_number", "numéro de déclaration d'activité de l'organisme",
            "Code du travail L6352-1 et R6351-5"),
)

CONVENTION_MENTIONS: tuple[Mention, ...] = (
    *_PARTIES,
    Mention("client_identity", "identité du client (entreprise signataire)", "Code du travail L6353-1"),
    Mention("title", "intitulé de l'action de formation", "Code du travail D6353-1, 1°"),
    Mention("objectives", "objectif de l'action", "Code du travail D6353-1, 1°"),
    Mention("programme", "contenu de l'action (programme)", "Code du travail D6353-1, 1°"),
    Mention("means", "moyens prévus (pédagogiques, techniques et d'encadrement)",
            "Code du travail D6353-1, 1°"),
    Mention("duration", "durée de l'action", "Code du travail D6353-1, 2°"),
    Mention("period", "période de réalisation (dates)", "Code du travail D6353-1, 2°"),
    Mention("delivery", "modalités de déroulement (lieu, modalité, horaires)",
            "Code du travail D6353-1, 3°"),
    Mention("follow_up", "modalités de suivi de l'exécution", "Code du travail D6353-1, 3°"),
    Mention("assessment", "modalités de sanction de l'action", "Code du travail D6353-1, 3°"),
    Mention("workforce", "effectif formé (stagiaires)", "Code du travail L6353-2"),
    Mention("price", "prix de l'action", "Code du travail D6353-1, 4°"),
    Mention("payment_terms", "modalités de règlement", "Code du travail D6353-1, 4°"),
)

CONTRAT_MENTIONS: tuple[Mention, ...] = (
    *_PARTIES,
    Mention("client_identity", "identité du stagiaire signataire", "Code du travail L6353-3"),
    Mention("title", "nature et objet de l'action de formation", "Code du travail L6353-4, 1°"),
    Mention("programme", "programme de l'action", "Code du travail L6353-4, 1°"),
    Mention("duration", "durée de l'action", "Code du travail L6353-4, 1°"),
    Mention("workforce", "effectifs concernés", "Code du travail L6353-4, 1°"),
    Mention("prerequisites", "niveau de connaissances préalables requis",
            "Code du travail L6353-4, 2°"),
    Mention("delivery", "conditions dans lesquelles la formation est donnée (lieu, moyens)",
            "Code du travail L6353-4, 3°"),
    Mention("assessment", "modalités de contrôle des connaissances et nature de la sanction",
            "Code du travail L6353-4, 3°"),
    Mention("trainers", "diplômes, titres ou références des formateurs",
            "Code du travail L6353-4, 4°"),
    Mention("payment_terms", "modalités de paiement", "Code du travail L6353-4, 5°"),
    Mention("early_termination", "conditions financières en cas de cessation anticipée ou d'abandon",
            "Code du travail L6353-4, 5°"),
    Mention("price", "prix de l'action", "Code du travail L6353-4, 5°"),
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
        super().__init__(f"{name} ne peut pas être émis : mention obligatoire manquante — {details}.")


def require_mentions(kind: str, values: Mapping[str, object]) -> None:
    missing = missing_mentions(kind, values)
    if missing:
        raise MissingMention(kind, missing)
