"""Writes of virtual classes: order (VCL-1, VCL-2), change and cancel (CAN-V1).

Each refusal names its rule and clause, and changes nothing; each change leaves an audit
row with what was before."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.core import audit, clock
from ofelia.organisations.models import ClientCompany, Membership, Organisation, Role
from ofelia.rules.errors import CaseError, RulesError
from ofelia.rules.french import fr_instant

from . import rules_io
from .models import Extension, VirtualClass

CONFIGURATION = ("title", "mode", "start", "days", "daily_hours", "learners", "software",
                 "custom_configuration")


def may_order(membership: Membership | None) -> bool:
    """A client's administrator (an active client contact attached to a company) or staff."""
    if membership is None or not membership.is_active:
        return False
    if membership.role in (Role.ADMINISTRATOR, Role.STAFF):
        return True
    return membership.role == Role.CLIENT_CONTACT and membership.company_id is not None


def _snapshot(klass: VirtualClass) -> dict[str, Any]:
    return {name: str(getattr(klass, name)) for name in (*CONFIGURATION, "status")}


def _check(*, organisation: Organisation, policy_id: str, policy_version: str, created_at: datetime,
           data: dict[str, Any]) -> rules_io.Estimate:
    """The core's estimate for the configuration, or the field it refuses (VCL-1…)."""
    if data["software"] == VirtualClass.Software.CUSTOM and not data.get("custom_configuration", "").strip():
        raise ValidationError({"custom_configuration": "Décrivez la configuration sur mesure souhaitée."})
    if data["start"] <= created_at:
        raise ValidationError({"start": "Le démarrage doit être dans le futur."})
    if data["mode"] == VirtualClass.Mode.ON_DEMAND and \
            data["start"].astimezone(clock.PARIS).date() != created_at.astimezone(clock.PARIS).date():
        raise ValidationError({"start": "Une classe à la demande démarre le jour même (VCL-3) ; "
                                        "programmez-la pour un autre jour."})
    case = rules_io.class_case(
        policy_id=policy_id, policy_version=policy_version, created_at=created_at, mode=data["mode"],
        start=data["start"], days=data["days"], daily_hours=Decimal(data["daily_hours"]),
        learners=data["learners"], as_of=created_at,
        validated_at=created_at if data["mode"] == VirtualClass.Mode.ON_DEMAND else None)
    try:
        return rules_io.evaluate(organisation=organisation, case=case)
    except CaseError as exc:
        field = exc.path.rsplit(".", 1)[-1] if exc.path else None
        message = exc.message + (f" ({exc.rule})" if exc.rule and exc.rule not in exc.message else "")
        raise ValidationError({field: message} if field in CONFIGURATION else message) from exc
    except RulesError as exc:
        raise ValidationError(str(exc)) from exc


def class_estimate(*, organisation: Organisation, data: dict[str, Any]) -> rules_io.Estimate:
    """What ordering now would be estimated at (VCL-2), without ordering."""
    now = clock.now()
    policy = rules_io.policy_at(organisation, now)
    if policy is None:
        raise ValidationError("Les conditions de l'organisme ne prévoient pas de classes virtuelles.")
    return _check(organisation=organisation, policy_id=policy.id, policy_version=policy.version,
                  created_at=now, data=data)


@transaction.atomic
def class_order(*, actor: Any, organisation: Organisation, membership: Membership | None,
                company: ClientCompany, data: dict[str, Any]) -> VirtualClass:
    if not may_order(membership) or company.organisation_id != organisation.pk:
        raise ValidationError("Seuls les administrateurs du client et le personnel de l'organisme "
                              "commandent une classe virtuelle.")
    if membership is not None and membership.role == Role.CLIENT_CONTACT and membership.company_id != company.pk:
        raise ValidationError("Vous ne pouvez commander que pour votre entreprise.")
    now = clock.now()
    policy = rules_io.policy_at(organisation, now)
    if policy is None:
        raise ValidationError("Les conditions de l'organisme ne prévoient pas de classes virtuelles.")
    estimate = _check(organisation=organisation, policy_id=policy.id, policy_version=policy.version,
                      created_at=now, data=data)
    klass = VirtualClass.objects.create(
        organisation=organisation, company=company, ordered_by=actor, ordered_at=now,
        validated_at=now if data["mode"] == VirtualClass.Mode.ON_DEMAND else None,
        policy_id=policy.id, policy_version=policy.version,
        estimate_excl_vat=estimate.amount, estimate_vat=estimate.vat,
        **{name: data[name] for name in CONFIGURATION if name in data})
    audit.record(actor=actor, action="virtual_class.order", organisation=organisation, obj=klass,
                 after={**_snapshot(klass), "estimate": str(estimate.amount), "rule": estimate.rule})
    return klass


def _refuse_after_change_until(klass: VirtualClass, what: str) -> rules_io.Estimate:
    if klass.is_cancelled:
        raise ValidationError("Cette classe est annulée.")
    current = rules_io.estimate_of(klass)
    if current.change_until is not None and clock.now() > current.change_until:
        raise ValidationError(
            f"{what} impossible : le délai est passé depuis le "
            f"{fr_instant(current.change_until.astimezone(clock.PARIS))}. {current.change_reason} "
            "Passé ce délai, la classe est facturée à la consommation (VCL-5).")
    return current


@transaction.atomic
def class_change(*, actor: Any, klass: VirtualClass, data: dict[str, Any]) -> VirtualClass:
    """CAN-V1: free until one hour before the start; the prices of the creation still apply."""
    klass = VirtualClass.objects.select_for_update().get(pk=klass.pk)
    _refuse_after_change_until(klass, "Modification")
    estimate = _check(organisation=klass.organisation, policy_id=klass.policy_id,
                      policy_version=klass.policy_version, created_at=klass.ordered_at,
                      data={**{n: getattr(klass, n) for n in CONFIGURATION}, **data})
    if data.get("start") is not None and data["start"] <= clock.now():
        raise ValidationError({"start": "Le démarrage doit être dans le futur."})
    before = _snapshot(klass)
    for name in CONFIGURATION:
        if name in data:
            setattr(klass, name, data[name])
    klass.estimate_excl_vat, klass.estimate_vat = estimate.amount, estimate.vat
    klass.save()
    audit.record(actor=actor, action="virtual_class.change", organisation=klass.organisation, obj=klass,
                 before=before, after={**_snapshot(klass), "estimate": str(estimate.amount)})
    return klass


@transaction.atomic
def class_cancel(*, actor: Any, klass: VirtualClass) -> VirtualClass:
    """CAN-V1: cancelled without charge until one hour before the start, refused after."""
    klass = VirtualClass.objects.select_for_update().get(pk=klass.pk)
    _refuse_after_change_until(klass, "Annulation")
    before = _snapshot(klass)
    klass.status, klass.cancelled_at = VirtualClass.Status.CANCELLED, clock.now()
    klass.save()
    audit.record(actor=actor, action="virtual_class.cancel", organisation=klass.organisation, obj=klass,
                 before=before, after=_snapshot(klass))
    return klass


@transaction.atomic
def extension_request(*, actor: Any, klass: VirtualClass, day: int) -> Extension:
    """VCL-4: one more hour on a day of the class, to be approved by administrative staff."""
    if klass.is_cancelled:
        raise ValidationError("Cette classe est annulée.")
    if not 1 <= day <= klass.days:
        raise ValidationError({"day": f"Choisissez un jour de la classe, entre 1 et {klass.days}."})
    if Extension.objects.filter(klass=klass, day=day).exists():
        raise ValidationError({"day": f"Une prolongation du jour {day} est déjà demandée (une heure par jour, VCL-4)."})
    extension = Extension.objects.create(organisation=klass.organisation, klass=klass, day=day,
                                         hours=Decimal("1"), requested_by=actor)
    audit.record(actor=actor, action="virtual_class.extension_request", organisation=klass.organisation,
                 obj=klass, after={"day": day, "hours": "1"})
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, membership: Membership | None, extension: Extension,
                     approve: bool) -> Extension:
    """VCL-4: the organisation's administrative staff approve (billed as an extension) or refuse."""
    if membership is None or membership.role not in (Role.ADMINISTRATOR, Role.STAFF):
        raise ValidationError("Seul le personnel administratif de l'organisme approuve une prolongation (VCL-4).")
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.REQUESTED:
        raise ValidationError("Cette prolongation a déjà été traitée.")
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.decided_by, extension.decided_at = actor, clock.now()
    extension.save()
    audit.record(actor=actor, action=f"virtual_class.extension_{extension.status}",
                 organisation=extension.organisation, obj=extension.klass, after={"day": extension.day})
    return extension
