"""Writes. Each service runs in a transaction and records an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ofelia.core import audit, clock

from .models import ClientCompany, CompanyContact, ConsumerClient, Learner, Membership, Organisation

User = get_user_model()


def _validated(instance: Any, exclude: list[str] | None = None) -> Any:
    instance.full_clean(exclude=exclude)
    return instance


@transaction.atomic
def organisation_create(*, actor: Any, **fields: Any) -> Organisation:
    organisation = _validated(Organisation(**fields))
    organisation.save()
    audit.record(
        actor=actor,
        action="organisation.create",
        organisation=organisation,
        obj=organisation,
        after=audit.snapshot(organisation),
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    before = audit.snapshot(organisation)
    for name, value in fields.items():
        setattr(organisation, name, value)
    _validated(organisation)
    organisation.save()
    old, new = audit.changed(before, audit.snapshot(organisation))
    if new:
        audit.record(
            actor=actor,
            action="organisation.update",
            organisation=organisation,
            obj=organisation,
            before=old,
            after=new,
        )
    return organisation


@transaction.atomic
def user_create(
    *,
    actor: Any,
    organisation: Organisation | None,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    username: str | None = None,
) -> Any:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account already exists with this email address.")})
    user = User(username=username or email, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor or user,
        action="user.create",
        organisation=organisation,
        obj=user,
        after=audit.snapshot(user, ["username", "email", "first_name", "last_name", "is_active"]),
    )
    return user


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    organisation: Organisation,
    user: Any,
    role: str,
    company: ClientCompany | None = None,
) -> Membership:
    if company is not None and company.organisation_id != organisation.pk:
        raise ValidationError({"company": _("This company belongs to another organisation.")})
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    before = audit.snapshot(membership) if membership else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.role = role
    membership.company = company
    membership.is_active = True
    _validated(membership, exclude=["user", "organisation"])
    membership.save()
    audit.record(
        actor=actor,
        action="membership.grant",
        organisation=organisation,
        obj=membership,
        before=before,
        after=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    before = audit.snapshot(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="membership.revoke",
        organisation=membership.organisation,
        obj=membership,
        before=before,
        after=audit.snapshot(membership),
    )


def _membership_set_state(*, actor: Any, membership: Membership, active: bool, reason: str,
                          action: str) -> Membership:
    before = audit.snapshot(membership)
    membership.is_active = active
    membership.suspension_reason = reason
    membership.updated_at = clock.now()
    membership.save(update_fields=["is_active", "suspension_reason", "updated_at"])
    audit.record(actor=actor, action=action, organisation=membership.organisation,
                 obj=membership, before=before, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def membership_suspend(*, actor: Any, membership: Membership, reason: str) -> Membership:
    """ACC-2: an administrator suspends an account on legitimate suspicion of fraud or misuse.

    The person can no longer reach the organisation's pages (their personal access link
    included, which requires an active membership) until reactivated; the reason is kept.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la suspension (ACC-2)."})
    if actor is not None and membership.user_id == getattr(actor, "pk", None):
        raise ValidationError("Vous ne pouvez pas suspendre votre propre compte.")
    if not membership.is_active:
        raise ValidationError("Ce compte est déjà suspendu ou révoqué.")
    return _membership_set_state(actor=actor, membership=membership, active=False,
                                 reason=reason[:300], action="membership.suspend")


@transaction.atomic
def membership_reactivate(*, actor: Any, membership: Membership) -> Membership:
    if membership.is_active:
        raise ValidationError("Ce compte est déjà actif.")
    return _membership_set_state(actor=actor, membership=membership, active=True, reason="",
                                 action="membership.reactivate")


@transaction.atomic
def client_company_create(*, actor: Any, organisation: Organisation, **fields: Any) -> ClientCompany:
    company = ClientCompany(organisation=organisation, **fields)
    _validated(company)
    company.save()
    audit.record(
        actor=actor,
        action="client_company.create",
        organisation=organisation,
        obj=company,
        after=audit.snapshot(company),
    )
    return company


@transaction.atomic
def client_company_update(*, actor: Any, company: ClientCompany, **fields: Any) -> ClientCompany:
    before = audit.snapshot(company)
    for name, value in fields.items():
        if name == "organisation":
            raise ValidationError(_("A company cannot move to another organisation."))
        setattr(company, name, value)
    _validated(company)
    company.save()
    old, new = audit.changed(before, audit.snapshot(company))
    if new:
        audit.record(
            actor=actor,
            action="client_company.update",
            organisation=company.organisation,
            obj=company,
            before=old,
            after=new,
        )
    return company


@transaction.atomic
def consumer_client_create(
    *, actor: Any, organisation: Organisation, terms_accepted: bool = False, **fields: Any
) -> ConsumerClient:
    consumer = ConsumerClient(organisation=organisation, **fields)
    if terms_accepted:
        consumer.terms_accepted_at = clock.now()
        consumer.terms_policy = organisation.policy_id
    person_email_check_unique(person=consumer)
    _validated(consumer)
    consumer.save()
    audit.record(
        actor=actor,
        action="consumer_client.create",
        organisation=organisation,
        obj=consumer,
        after=audit.snapshot(consumer),
    )
    return consumer


@transaction.atomic
def learner_create(*, actor: Any, organisation: Organisation, **fields: Any) -> Learner:
    learner = Learner(organisation=organisation, **fields)
    for related in (learner.company, learner.consumer):
        if related is not None and related.organisation_id != organisation.pk:
            raise ValidationError(_("This record belongs to another organisation."))
    person_email_check_unique(person=learner)
    _validated(learner)
    learner.save()
    audit.record(
        actor=actor,
        action="learner.create",
        organisation=organisation,
        obj=learner,
        after=audit.snapshot(learner),
    )
    return learner


PERSON_KIND_LABELS = {Learner: "apprenant", ConsumerClient: "client particulier"}


def person_email_check_unique(*, person: Learner | ConsumerClient) -> None:
    """One learner (one consumer client) per e-mail within an organisation, case-insensitive.

    The DB constraint backs this up; here the refusal names the field and the other record."""
    person.email = person.email.strip()
    model = type(person)
    other = (
        model.objects.for_organisation(person.organisation)
        .filter(email__iexact=person.email)
        .exclude(pk=person.pk)
        .first()
    )
    if other is not None:
        raise ValidationError({"email": (
            f"Un {PERSON_KIND_LABELS[model]} de l'organisme a déjà l'adresse « {other.email} » "
            f"({other}). Modifiez sa fiche ou proposez la fusion des doublons."
        )})


def _same_organisation(organisation_id: int, *related: Any) -> None:
    for item in related:
        if item is not None and item.organisation_id != organisation_id:
            raise ValidationError("Cette fiche appartient à un autre organisme.")


def _person_update(*, actor: Any, person: Learner | ConsumerClient, action: str,
                   fields: dict[str, Any]) -> Any:
    before = audit.snapshot(person)
    for name, value in fields.items():
        if name in {"organisation", "organisation_id"}:
            raise ValidationError("Une fiche ne peut pas changer d'organisme.")
        setattr(person, name, value)
    if isinstance(person, Learner):
        _same_organisation(person.organisation_id, person.company, person.consumer)
    person_email_check_unique(person=person)
    _validated(person)
    person.save()
    old, new = audit.changed(before, audit.snapshot(person))
    if new:
        audit.record(actor=actor, action=action, organisation=person.organisation, obj=person,
                     before=old, after=new)
    return person


@transaction.atomic
def learner_update(*, actor: Any, learner: Learner, **fields: Any) -> Learner:
    return _person_update(actor=actor, person=learner, action="learner.update", fields=fields)  # type: ignore[no-any-return]


@transaction.atomic
def consumer_client_update(*, actor: Any, consumer: ConsumerClient, **fields: Any) -> ConsumerClient:
    return _person_update(actor=actor, person=consumer, action="consumer_client.update", fields=fields)  # type: ignore[no-any-return]


def _contact_check(contact: CompanyContact) -> None:
    contact.email = contact.email.strip()
    if contact.email and (
        CompanyContact.objects.filter(company_id=contact.company_id, email__iexact=contact.email)
        .exclude(pk=contact.pk).exists()
    ):
        raise ValidationError({"email": f"Un contact de cette entreprise a déjà l'adresse « {contact.email} »."})
    _validated(contact, exclude=["organisation", "company", "user"])


@transaction.atomic
def company_contact_create(*, actor: Any, company: ClientCompany, **fields: Any) -> CompanyContact:
    contact = CompanyContact(organisation_id=company.organisation_id, company=company, **fields)
    _contact_check(contact)
    contact.save()
    audit.record(actor=actor, action="company_contact.create", organisation=company.organisation,
                 obj=contact, after=audit.snapshot(contact))
    return contact


@transaction.atomic
def company_contact_update(*, actor: Any, contact: CompanyContact, **fields: Any) -> CompanyContact:
    before = audit.snapshot(contact)
    for name, value in fields.items():
        if name in {"organisation", "company"}:
            raise ValidationError("Un contact ne peut pas changer d'entreprise.")
        setattr(contact, name, value)
    _contact_check(contact)
    contact.save()
    old, new = audit.changed(before, audit.snapshot(contact))
    if new:
        audit.record(actor=actor, action="company_contact.update", organisation=contact.organisation,
                     obj=contact, before=old, after=new)
    return contact

# What a learner and a consumer client share, copied when one is made from the other.
IDENTITY_FIELDS = ("user", "civility", "first_name", "last_name", "email", "phone", "address_line1",
                   "address_line2", "postal_code", "city", "billing_line1", "billing_line2",
                   "billing_postal_code", "billing_city")


@transaction.atomic
def learner_for_consumer(*, actor: Any, consumer: ConsumerClient) -> Learner:
    """The learner record of a consumer who trains themselves: the one linked to them, else a
    learner of the organisation with the same e-mail (linked now), else a new one.

    For the shop (sales.orders): creating a second learner with the same e-mail is refused."""
    learners = Learner.objects.for_organisation(consumer.organisation)
    learner = learners.filter(consumer=consumer).first()
    if learner is not None:
        return learner
    learner = learners.filter(email__iexact=consumer.email).first()
    if learner is not None:
        if learner.consumer_id is None and learner.company_id is None:
            return learner_update(actor=actor, learner=learner, consumer=consumer,
                                  user=learner.user or consumer.user)
        return learner
    fields = {name: getattr(consumer, name) for name in IDENTITY_FIELDS}
    return learner_create(actor=actor, organisation=consumer.organisation, consumer=consumer, **fields)


@transaction.atomic
def consumer_for_learner(*, actor: Any, learner: Learner) -> ConsumerClient:
    """The consumer client a learner without employer trains for: theirs, else the one of the
    organisation with the same e-mail (linked now), else one made from their identity.

    For enrolment from the session page (sales): a second consumer client with the same
    e-mail is refused by the database."""
    if learner.consumer_id:
        return learner.consumer  # type: ignore[return-value]
    consumer = (ConsumerClient.objects.for_organisation(learner.organisation)
                .filter(email__iexact=learner.email).first())
    if consumer is None:
        fields = {name: getattr(learner, name) for name in IDENTITY_FIELDS}
        consumer = consumer_client_create(actor=actor, organisation=learner.organisation, **fields)
    learner_update(actor=actor, learner=learner, consumer=consumer)
    return consumer
