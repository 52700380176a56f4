"""Display helpers of the shell templates."""

from __future__ import annotations

from django import template

from ofelia.core.audit_labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _action_label(code or "")


# Codes of the rules core's outcomes (charge kinds, payers, deadlines) as read by a person.
OUTCOME_LABELS = {
    "price": "Prix de la formation",
    "prorata": "Heures suivies (prorata)",
    "cancellation_fee": "Dédommagement d'annulation",
    "abandonment_fee": "Dédommagement d'abandon",
    "deposit": "Acompte",
    "instalment": "Échéance",
    "recovery_fee": "Indemnité forfaitaire de recouvrement",
    "remaining_charge": "Reste à charge",
    "usage": "Consommation",
    "storage": "Stockage",
    "extension": "Prolongation",
    "outside_hours": "Hors horaires",
    "estimate": "Estimation",
    "tool": "Outil additionnel",
    "availability_credit": "Avoir de disponibilité",
    "availability": "Disponibilité du mois",
    "client": "client",
    "learner": "stagiaire",
    "opco": "OPCO",
    "cpf": "CPF",
    "france_travail": "France Travail",
    "faf": "FAF",
    "employer": "employeur",
    "provider": "organisme",
    "retraction_ends": "Fin du délai de rétractation",
    "first_payment_from": "Premier paiement possible à partir du",
    "provider_cancel_by": "Annulation par l'organisme possible jusqu'au",
    "opco_agreement_by": "Accord de l'OPCO attendu au plus tard le",
    "france_travail_request_by": "Demande à France Travail au plus tard le",
    "modification_request_by": "Demande de modification au plus tard le",
    "payment_due": "Échéance",
    "formal_notice_from": "Mise en demeure possible à partir du",
    "order_to_pay_from": "Injonction de payer possible à partir du",
    "suspension_from": "Suspension possible à partir du",
    "certification_submission_by": "Vidéo d'évaluation au plus tard le",
    "change_until": "Modification gratuite jusqu'au",
    "ready_by": "Prête au plus tard le",
    "take_charge_by": "Prise en charge au plus tard le",
    "workaround_by": "Contournement au plus tard le",
    "resolution_by": "Résolution au plus tard le",
    "deletion_from": "Suppression possible à partir du",
    "effective_on": "Entrée en vigueur le",
    "rescission_from": "Résolution pour retard de fourniture possible à partir du",
    "complaints_by": "Réserves et réclamations par écrit au plus tard le",
}


@register.filter
def outcome_label(code: object) -> str:
    text = str(code)
    return OUTCOME_LABELS.get(text, text)


@register.filter
def date_fr(value: object) -> str:
    """A date as « 1er août 2025 », an instant as « 4 décembre 2026 à 09:00 » (Paris time), an
    ISO text as the one it names; anything else unchanged (`ofelia.rules.french` writes them)."""
    from datetime import date, datetime

    from ofelia.rules.french import fr_date, fr_instant

    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10]) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return fr_instant(value)
    if isinstance(value, date):
        return fr_date(value)
    return str(value)
