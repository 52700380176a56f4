"""LRN-5: accounts with no login for years after the training ends may be deleted.

A daily job (Celery beat) asks the rules core, per organisation and learner account, for
`deletion_from` (the `account` case of SIMULATION.md: end of the last training, last login),
warns by e-mail `WARNING_DAYS` before, and on that day deletes the *account* only: the
membership of the organisation goes, and a user left with no membership is deactivated and
stripped of their identity. The people records, contracts, invoices and attendance sheets stay
(legal retention: accounting documents 10 years, Code de commerce L123-22). See
docs/elearning.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max

from ofelia.catalogue.models import Enrolment
from ofelia.core import audit, clock
from ofelia.organisations.models import ConsumerClient, Learner, Membership, Organisation, Role
from ofelia.rules.errors import RulesError
from ofelia.rules.french import fr_date
from ofelia.rules.learning import access_kept_until
from ofelia.simulator.selectors import simulate_for
from ofelia.simulator.terms import policy_terms

from .models import InactivityNotice

WARNING_DAYS = 30
ROLES = (Role.LEARNER, Role.CONSUMER)


def account_case(*, policy_id: str, training_ended_on: date, last_login_on: date | None,
                 as_of: date) -> dict[str, Any]:
    account: dict[str, Any] = {"training_ended_on": training_ended_on.isoformat()}
    if last_login_on is not None:
        account["last_login_on"] = last_login_on.isoformat()
    return {"case": "account", "policy": policy_id, "as_of": as_of.isoformat(), "account": account}


def _candidates(organisation: Organisation) -> list[tuple[Any, date]]:
    """(user, end of their last training) for the learner accounts of the organisation whose
    trainings have all ended."""
    ends = (Enrolment.objects.for_organisation(organisation)
            .filter(learner__user__isnull=False, learner__user__memberships__organisation=organisation,
                    learner__user__memberships__role__in=ROLES)
            .values("learner__user").annotate(end=Max("session__end_date")))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[e["learner__user"] for e in ends])}
    today = clock.today()
    return [(users[e["learner__user"]], e["end"]) for e in ends if e["end"] and e["end"] < today]


def _delete_account(*, organisation: Organisation, user: Any) -> None:
    Membership.objects.filter(organisation=organisation, user=user, role__in=ROLES).delete()
    for model in (Learner, ConsumerClient):
        model.objects.filter(organisation=organisation, user=user).update(user=None)
    if not Membership.objects.filter(user=user).exists():
        user.is_active = False
        user.username = f"supprime-{user.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.set_unusable_password()
        user.save()


def _kept_until(organisation: Organisation) -> tuple[date, str] | None:
    """LRN-6: an organisation that stopped keeps its learners' access (so their accounts)
    at least the policy's months after the day the operator entered."""
    stopped_on = organisation.activity_stopped_on
    if stopped_on is None:
        return None
    policy = policy_terms(organisation=organisation, policy_id=organisation.policy_id, on=stopped_on)
    return access_kept_until(stopped_on, policy)


def inactivity_scan(*, today: date | None = None) -> dict[str, int]:
    """Warn, then delete. Idempotent: reruns send no second warning and delete nothing twice."""
    today = today or clock.today()
    counts = {"warned": 0, "deleted": 0}
    for organisation in Organisation.objects.exclude(policy_id=""):
        for user, ended_on in _candidates(organisation):
            last_login = user.last_login.date() if user.last_login else None
            case = account_case(policy_id=organisation.policy_id, training_ended_on=ended_on,
                                last_login_on=last_login, as_of=today)
            try:
                outcome = simulate_for(organisation=organisation, case=case, today=today)
            except RulesError:
                continue
            deletion_from = date.fromisoformat(outcome["deadlines"]["deletion_from"])
            explanation = outcome["deadline_reasons"]["deletion_from"]["explanation"]
            kept = _kept_until(organisation)
            if kept is not None and kept[0] > deletion_from:  # LRN-6 comes first
                deletion_from, explanation = kept[0], f"{explanation} {kept[1]}"
            if today < deletion_from - timedelta(days=WARNING_DAYS):
                continue
            notice = InactivityNotice.objects.filter(organisation=organisation, user=user,
                                                     deletion_from=deletion_from).first()
            if notice is None:
                counts["warned"] += _warn(organisation, user, deletion_from, explanation)
                continue
            # Deleted only once the full warning period has run since the e-mail.
            if (notice.deleted_at is None and today >= deletion_from
                    and today >= notice.warned_at.date() + timedelta(days=WARNING_DAYS)):
                with transaction.atomic():
                    _delete_account(organisation=organisation, user=user)
                    notice.deleted_at = clock.now()
                    notice.save(update_fields=["deleted_at"])
                    audit.record(actor=None, action="privacy.inactive_account_delete",
                                 organisation=organisation, obj=notice,
                                 after={"user": user.pk, "deletion_from": deletion_from})
                counts["deleted"] += 1
    return counts


def _warn(organisation: Organisation, user: Any, deletion_from: date, explanation: str) -> int:
    try:
        with transaction.atomic():
            notice = InactivityNotice.objects.create(
                organisation=organisation, user=user, deletion_from=deletion_from,
                explanation=explanation, warned_at=clock.now())
            audit.record(actor=None, action="privacy.inactivity_warning", organisation=organisation,
                         obj=notice, after={"user": user.pk, "deletion_from": deletion_from})
    except IntegrityError:
        return 0
    if user.email:
        send_mail(subject=f"{organisation} : votre compte sera supprimé faute de connexion",
                  message=(f"Bonjour,\n\n{explanation}\n\nPour garder votre compte, il suffit de vous "
                           f"connecter avant le {fr_date(deletion_from)}. Vos factures et attestations "
                           "restent conservées par l'organisme pendant la durée légale ; après la "
                           "suppression, vous pourrez demander un nouveau compte en présentant votre "
                           "facture et une pièce d'identité.\n"),
                  from_email=None, recipient_list=[user.email], fail_silently=True)
    return 1
