"""How long a person's uploaded document is kept (ACC-6), by kind.

RULES.md ACC-6 gives the person the right to erasure and keeps « legal records for their
legal period »; it names no period for a CV, a diploma or an identity document. The reading
(docs/documents.md): a trainer's CV and diplomas prove their competence to the Qualiopi
auditor (indicators 21–22) over the three years of a certification cycle; an identity
document is checked once for a certification exam and kept only for the certifier's
jury and its appeals, six months; any other document three years, the CNIL's usual period
after the last contact. Pure: no Django, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ofelia.rules.calendars import add_months

RULE_ID = "ACC-6"

# Months kept after the upload, per kind (the values of `PersonDocument.Kind`).
MONTHS = {"cv": 36, "diploma": 36, "identity": 6, "other": 36}

REASONS = {
    "cv": "preuve des compétences du formateur sur un cycle de certification Qualiopi (3 ans)",
    "diploma": "preuve des compétences sur un cycle de certification Qualiopi (3 ans)",
    "identity": "vérification d'identité pour la certification : jury et recours (6 mois)",
    "other": "3 ans après le dépôt, durée usuelle de conservation après le dernier contact",
}


@dataclass(frozen=True)
class Retention:
    keep_until: date
    rule_id: str
    clause: str


def retention(kind: str, uploaded_on: date) -> Retention:
    """The last day the document is kept; it is deleted the day after (daily job)."""
    return Retention(keep_until=add_months(uploaded_on, MONTHS[kind]), rule_id=RULE_ID,
                     clause=f"{RULE_ID} (lecture docs/documents.md) : {REASONS[kind]}")
