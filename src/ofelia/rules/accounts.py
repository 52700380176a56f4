"""Accounts and platform terms: LRN-5 (inactive accounts), ACC-4 (change of terms), ACC-5
(force majeure), ACC-6 (data rights), ACC-7 (SaaS licence term),
ACC-3 (maintenance notice), ACC-8 (security incident notification).

Cases "account" and "terms_change" of SIMULATION.md; ACC-3 and ACC-8 are pure functions
the apps call with the policy's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ofelia.rules.calendars import (
    PARIS,
    BusinessHours,
    Calendar,
    add_business_time,
    add_months,
    add_years,
)
from ofelia.rules.errors import PolicyError
from ofelia.rules.french import fr_date
from ofelia.rules.legal import LegalData
from ofelia.rules.outcome import Outcome
from ofelia.rules.policy import Policy
from ofelia.rules.validation import obj, opt_date, reject_unknown, req_date, req_enum

KINDS = ("account", "terms_change")
_COMMON = ("case", "policy", "policy_version", "as_of")


@dataclass(frozen=True)
class AccountCase:
    training_ended_on: date
    last_login_on: date | None = None


@dataclass(frozen=True)
class TermsChangeCase:
    notified_on: date


def parse_case(data: Mapping[str, object]) -> AccountCase | TermsChangeCase:
    root = obj(data, "")
    kind = req_enum(root, "case", "", KINDS)
    if kind == "terms_change":
        reject_unknown(root, (*_COMMON, "notified_on"), "")
        return TermsChangeCase(notified_on=req_date(root, "notified_on", ""))
    reject_unknown(root, (*_COMMON, "account"), "")
    account = obj(root.get("account"), "account")
    reject_unknown(account, ("training_ended_on", "last_login_on"), "account")
    return AccountCase(
        training_ended_on=req_date(account, "training_ended_on", "account"),
        last_login_on=opt_date(account, "last_login_on", "account"),
    )


def reference_date(case: AccountCase | TermsChangeCase) -> date:
    """Terms change: the notification day; account: the end of the training."""
    if isinstance(case, TermsChangeCase):
        return case.notified_on
    return case.training_ended_on


def _day(as_of: date | datetime) -> date:
    return as_of.astimezone(PARIS).date() if isinstance(as_of, datetime) else as_of


# --- LRN-5 ---------------------------------------------------------------------------------


def deletion_from(training_ended_on: date, last_login_on: date | None, years: int) -> date:
    """LRN-5: `years` after the later of the training end and the last login (CAL-6)."""
    start = max(training_ended_on, last_login_on or training_ended_on)
    return add_years(start, years)


def _evaluate_account(case: AccountCase, policy: Policy, as_of: date | datetime) -> Outcome:
    clause = policy.require("LRN-5")
    years = int(clause.get("inactivity_years"))
    day = deletion_from(case.training_ended_on, case.last_login_on, years)
    later_login = case.last_login_on is not None and case.last_login_on > case.training_ended_on
    start = (f"de la dernière connexion du {fr_date(case.last_login_on)}"  # type: ignore[arg-type]
             if later_login else f"de la fin de la formation le {fr_date(case.training_ended_on)}")
    explanation = (
        f"Compte sans connexion pendant {years} ans à compter {start} : il peut être supprimé "
        f"à partir du {fr_date(day)} ; une nouvelle connexion repousse cette date ({clause.article})."
    )
    warnings: list[str] = []
    if case.last_login_on is not None and case.last_login_on < case.training_ended_on:
        warnings.append("La dernière connexion précède la fin de la formation : le délai court "
                        "depuis la fin de la formation.")
    if case.last_login_on is not None and case.last_login_on > _day(as_of):
        warnings.append("La dernière connexion indiquée est postérieure à la date d'évaluation.")
    return Outcome(
        policy=policy.id, policy_version=policy.version,
        deadlines={"deletion_from": day},
        deadline_reasons={"deletion_from": ("LRN-5", explanation)},
        warnings=tuple(warnings),
        extra={"deletable": _day(as_of) >= day},
    )


# --- ACC-4 ---------------------------------------------------------------------------------


def terms_effective_on(notified_on: date, notice_months: int) -> date:
    """ACC-4: a change of CGU becomes part of the contract N months after notification (CAL-6)."""
    return add_months(notified_on, notice_months)


def _evaluate_terms_change(case: TermsChangeCase, policy: Policy) -> Outcome:
    clause = policy.require("ACC-4")
    mode = clause.get("mode")
    if mode == "version_at_signature":
        return Outcome(
            policy=policy.id, policy_version=policy.version,
            warnings=(
                f"Pour ces conditions générales de vente, la version en vigueur à la signature "
                f"(commande, configuration) régit chaque contrat : la modification notifiée le "
                f"{fr_date(case.notified_on)} ne s'applique qu'aux contrats conclus sous la "
                f"nouvelle version, jamais aux contrats en cours (ACC-4, {clause.article}).",
            ),
        )
    months = clause.get("notice_months")
    if mode != "notice" or months is None:
        raise PolicyError(
            f"ACC-4 de la politique {policy.id} {policy.version} : le mode « notice » exige "
            "notice_months"
        )
    day = terms_effective_on(case.notified_on, int(months))
    explanation = (
        f"Modification notifiée le {fr_date(case.notified_on)} : elle fait partie du contrat "
        f"{int(months)} mois plus tard, le {fr_date(day)} ({clause.article})."
    )
    return Outcome(
        policy=policy.id, policy_version=policy.version,
        deadlines={"effective_on": day},
        deadline_reasons={"effective_on": ("ACC-4", explanation)},
    )


def evaluate(
    case: AccountCase | TermsChangeCase, *, policy: Policy, legal: LegalData,
    as_of: date | datetime,
) -> Outcome:
    del legal  # no legal parameter here
    if isinstance(case, TermsChangeCase):
        return _evaluate_terms_change(case, policy)
    return _evaluate_account(case, policy, as_of)


# --- ACC-3, ACC-8 ----------------------------------------------------------------------------


def maintenance_notice_ok(
    notified_at: datetime,
    starts_at: datetime,
    emergency: bool,
    *,
    notice_hours: int = 48,
    emergency_exempt: bool = True,
) -> bool:
    """ACC-3: a scheduled maintenance is announced at least `notice_hours` (elapsed time,
    DST included) before it starts, unless it is an emergency the clause exempts."""
    for instant in (notified_at, starts_at):
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("les instants doivent porter leur fuseau horaire")
    if emergency and emergency_exempt:
        return True
    # In UTC: two instants of the same zone would otherwise subtract as wall-clock times.
    return starts_at.astimezone(UTC) - notified_at.astimezone(UTC) >= timedelta(hours=notice_hours)


def security_incident_inform_by(
    known_at: datetime,
    cal: Calendar,
    *,
    business_hours: int = 24,
    hours: BusinessHours = BusinessHours(),  # noqa: B008 — frozen, hence safe as a default
) -> datetime:
    """ACC-8: the client is informed within `business_hours` business hours (CAL-5) of the
    incident becoming known."""
    return add_business_time(known_at, timedelta(hours=business_hours), cal, hours)


# --- ACC-5 -----------------------------------------------------------------------------------


def force_majeure_termination_from(started_on: date, *, consecutive_days: int = 30) -> date:
    """ACC-5 (Mi4 CGU, « Force majeure »): a force majeure lasting beyond `consecutive_days`
    consecutive days lets either party terminate by registered letter. Counting the first
    day of the event as day 1, termination is open from day `consecutive_days` + 1."""
    return started_on + timedelta(days=consecutive_days)


def force_majeure_may_terminate(started_on: date, notified_on: date, ended_on: date | None = None,
                                *, consecutive_days: int = 30) -> bool:
    """ACC-5: True when the notice is sent while the event still lasts (`ended_on`: its last
    day, None if ongoing) and after it has lasted beyond `consecutive_days` days."""
    if notified_on < force_majeure_termination_from(started_on, consecutive_days=consecutive_days):
        return False
    return ended_on is None or notified_on <= ended_on


# --- ACC-6 -----------------------------------------------------------------------------------

DATA_RIGHTS = ("access", "rectification", "erasure", "restriction", "objection", "portability")
# RGPD art. 12.3: an answer within one month of the request, extendable by two months for
# complex or numerous requests (the person being told why within the first month).
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2
# Code de commerce L123-22: accounting documents, invoices included, are kept 10 years.
INVOICE_RETENTION_YEARS = 10


@dataclass(frozen=True)
class DataRequestDeadline:
    right: str
    answer_by: date
    extended_answer_by: date
    explanation: str


def data_request_deadline(right: str, received_on: date) -> DataRequestDeadline:
    """ACC-6: when a data-protection request must be answered (RGPD art. 12.3, CAL-6)."""
    if right not in DATA_RIGHTS:
        raise ValueError(f"droit inconnu : {right} (attendu : {', '.join(DATA_RIGHTS)})")
    answer_by = add_months(received_on, ANSWER_MONTHS)
    extended = add_months(received_on, ANSWER_MONTHS + EXTENSION_MONTHS)
    return DataRequestDeadline(
        right=right, answer_by=answer_by, extended_answer_by=extended,
        explanation=(f"Demande reçue le {fr_date(received_on)} : réponse au plus tard le "
                     f"{fr_date(answer_by)}, prolongeable jusqu'au {fr_date(extended)} si elle "
                     "est complexe, en le motivant dans le premier mois (RGPD, art. 12.3 ; ACC-6)."))


def invoice_kept_until(issued_on: date) -> date:
    """ACC-6: an invoice survives an erasure request until the end of its legal retention
    (Code de commerce L123-22: 10 years; counted here from the invoice date, CAL-6)."""
    return add_years(issued_on, INVOICE_RETENTION_YEARS)


# --- ACC-7 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaasAccountTerm:
    licence_ends_on: date
    closed_on: date
    non_personal_data_until: date
    explanation: str


def saas_account_term(invoiced_on: tuple[date, ...] | list[date], *, licence_months: int = 12,
                      keep_data_months: int = 12) -> SaasAccountTerm:
    """ACC-7 (VIRTUALEO CGV art. 13.2): the licence runs `licence_months` from the last
    invoice, renewed by each new one; at its term the account is closed; data outside the
    GDPR's scope is kept `keep_data_months` after closure; personal data is deleted or
    returned at closure."""
    if not invoiced_on:
        raise ValueError("aucune facture : la licence n'a pas commencé")
    last = max(invoiced_on)
    ends = add_months(last, licence_months)
    kept = add_months(ends, keep_data_months)
    return SaasAccountTerm(
        licence_ends_on=ends, closed_on=ends, non_personal_data_until=kept,
        explanation=(f"Licence de {licence_months} mois depuis la facture du {fr_date(last)} : "
                     f"compte clôturé le {fr_date(ends)} sans nouvelle facture ; données "
                     f"personnelles supprimées ou restituées à la clôture, autres données "
                     f"conservées jusqu'au {fr_date(kept)} (ACC-7)."))
