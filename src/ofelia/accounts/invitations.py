"""Inviting users by an e-mail link (staff, trainer, client contact, learner).

An invitation is single-use and expires after INVITATION_VALIDITY; resending revokes the
previous live invitation of the same address. Only the SHA-256 of the secret is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ofelia.core import audit, clock
from ofelia.organisations.models import (
    ClientCompany,
    CompanyContact,
    Learner,
    Membership,
    Organisation,
    Role,
)
from ofelia.organisations.services import company_contact_create, membership_grant, user_create
from ofelia.rules.french import fr_instant

from .models import Invitation

INVITATION_VALIDITY = timedelta(days=7)
# Who may invite whom: staff roles only by an administrator.
INVITABLE_ROLES = {
    Role.ADMINISTRATOR: (Role.CLIENT_CONTACT, Role.LEARNER, Role.TRAINER, Role.STAFF, Role.ADMINISTRATOR),
    Role.STAFF: (Role.CLIENT_CONTACT, Role.LEARNER, Role.TRAINER),
}
INVALID_LINK = ("Ce lien d'invitation n'est plus valable (déjà utilisé, remplacé par un nouvel envoi "
                "ou expiré). Demandez une nouvelle invitation à votre organisme de formation.")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _revoke_live(*, actor: Any, organisation: Organisation, email: str) -> None:
    for old in Invitation.objects.select_for_update().filter(
            organisation=organisation, email__iexact=email, revoked_at__isnull=True,
            accepted_at__isnull=True):
        old.revoked_at = clock.now()
        old.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor=actor, action="invitation.revoke", organisation=organisation, obj=old,
                     after={"email": old.email, "revoked_at": old.revoked_at})


@transaction.atomic
def invitation_send(
    *, actor: Any, actor_role: str, organisation: Organisation, email: str, role: str,
    site_url: str, company: ClientCompany | None = None, learner: Learner | None = None,
    contact: CompanyContact | None = None,
) -> Invitation:
    """Records the invitation and e-mails the link; the previous live link of this address dies."""
    email = get_user_model().objects.normalize_email((email or "").strip()).lower()
    if role not in INVITABLE_ROLES.get(actor_role, ()):
        raise ValidationError({"role": "Votre rôle ne permet pas d'inviter ce type d'utilisateur "
                                       "(le personnel est invité par un administrateur)."})
    for item in (company, learner, contact):
        if item is not None and item.organisation_id != organisation.pk:
            raise ValidationError("Cette fiche appartient à un autre organisme.")
    if contact is not None:
        company = contact.company
        email = email or contact.email.lower()
    if learner is not None:
        email = email or learner.email.lower()
    if role == Role.CLIENT_CONTACT and company is None:
        raise ValidationError({"company": "Choisissez l'entreprise cliente du contact."})
    if role == Role.CLIENT_CONTACT and contact is None and email:
        # The company's contact with this address, if staff entered one.
        contact = CompanyContact.objects.filter(company=company, email__iexact=email).first()
    if role == Role.LEARNER:
        if learner is None:
            raise ValidationError({"learner": "Choisissez la fiche de l'apprenant invité."})
        if learner.user_id:
            raise ValidationError({"learner": "Cet apprenant a déjà un compte."})
    if not email:
        raise ValidationError({"email": "Saisissez l'adresse e-mail de la personne invitée."})
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Adresse e-mail invalide."}) from error
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": f"{email} a déjà un compte actif dans l'organisme."})
    _revoke_live(actor=actor, organisation=organisation, email=email)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role,
        company=company if role == Role.CLIENT_CONTACT else None,
        learner=learner if role == Role.LEARNER else None,
        contact=contact if role == Role.CLIENT_CONTACT else None,
        token_hash=_hash(secret), expires_at=clock.now() + INVITATION_VALIDITY,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor=actor, action="invitation.send", organisation=organisation, obj=invitation,
                 after={"email": email, "role": role, "company": invitation.company_id,
                        "learner": invitation.learner_id, "expires_at": invitation.expires_at})
    link = site_url.rstrip("/") + reverse("invitation-accept", args=[secret])
    send_mail(
        subject=f"Invitation à rejoindre {organisation} sur Ofelia",
        message=(
            f"Bonjour,\n\n{organisation} vous invite à créer votre accès "
            f"({Role(role).label}).\n\nChoisissez votre mot de passe en ouvrant ce lien, valable "
            f"jusqu'au {fr_instant(timezone.localtime(invitation.expires_at))} et utilisable "
            f"une seule fois :\n{link}\n\nSi vous n'attendiez pas cette invitation, ignorez ce message.\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return invitation


def invitation_by_secret(secret: str) -> Invitation | None:
    """The live invitation for this secret, or None (unknown, used, revoked or expired)."""
    invitation = (Invitation.objects.select_related("organisation", "company", "learner", "contact")
                  .filter(token_hash=_hash(secret)).first())
    if (invitation is None or invitation.accepted_at or invitation.revoked_at
            or invitation.expires_at <= clock.now() or not invitation.organisation.is_active):
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, password: str | None, first_name: str = "",
                      last_name: str = "", signed_in_user: Any = None) -> tuple[Invitation, Any]:
    """Creates the account (or uses the signed-in one with the same address), grants the role.

    Refused (ValidationError) when the link is not live; a refused acceptance changes nothing."""
    found = invitation_by_secret(secret)
    if found is None:
        raise ValidationError(INVALID_LINK)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(INVALID_LINK)
    organisation = found.organisation
    User = get_user_model()
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None:
        if signed_in_user is None or signed_in_user.pk != user.pk:
            raise ValidationError("Un compte existe déjà pour cette adresse : connectez-vous avec ce "
                                  "compte, puis rouvrez le lien de l'invitation.")
    else:
        if not password:
            raise ValidationError({"password1": "Choisissez un mot de passe."})
        candidate = User(username=invitation.email, email=invitation.email,
                         first_name=first_name, last_name=last_name)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from error
        user = user_create(actor=None, organisation=organisation, email=invitation.email,
                           password=password, first_name=first_name, last_name=last_name)
    membership_grant(actor=user, organisation=organisation, user=user, role=invitation.role,
                     company=invitation.company)
    if invitation.learner_id:
        Learner.objects.filter(pk=invitation.learner_id, user__isnull=True).update(user=user)
    if invitation.contact_id:
        CompanyContact.objects.filter(pk=invitation.contact_id, user__isnull=True).update(user=user)
    elif invitation.role == Role.CLIENT_CONTACT and invitation.company is not None:
        # Invited without a contact record: the company page lists them from now on.
        company_contact_create(actor=user, company=invitation.company, email=invitation.email,
                               first_name=user.first_name or first_name, last_name=user.last_name or last_name,
                               user=user)
    invitation.accepted_at = clock.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    audit.record(actor=user, action="invitation.accept", organisation=organisation, obj=invitation,
                 after={"user": user.pk, "role": invitation.role, "accepted_at": invitation.accepted_at})
    return invitation, user


def account_exists(email: str) -> bool:
    return bool(get_user_model().objects.filter(email__iexact=email).exists())
