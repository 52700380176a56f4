"""Errors of the rules core. Every message is French and names what is wrong."""

from __future__ import annotations


class RulesError(Exception):
    """A rule cannot be applied to these facts."""


class CaseError(RulesError):
    """Invalid input: `path` names the field (e.g. "contract.price"), `message` says why."""

    def __init__(self, path: str, message: str, rule: str | None = None) -> None:
        self.path = path
        self.message = message
        self.rule = rule
        super().__init__(f"{path}: {message}" if path else message)


class MissingLegalData(RulesError):
    """A legal parameter (rate, amount) is unknown for the date asked: never guess it."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"Donnée légale manquante : {what}. Un administrateur doit l'ajouter avant ce calcul."
        )


class PolicyError(RulesError):
    """A policy file is invalid or lacks a clause a computation needs."""
