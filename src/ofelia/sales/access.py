"""The personal extranet link of the Mi4 terms (CGU "Lien de l'Extranet").

One live link per person and organisation; it expires; staff revoke or regenerate it;
the person reports its loss, which revokes it at once (the CGU then asks for a registered
letter, so the report's instant is kept in the audit log). Only the SHA-256 of the secret
is stored: the clear link is shown once, when it is issued.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction

from ofelia.core import audit, clock
from ofelia.organisations.models import EXTRANET_ROLES, Membership, Organisation

from .models import AccessLink

VALIDITY = timedelta(days=90)
REVOKED_BY_STAFF = "staff"
REVOKED_LOSS_REPORTED = "loss_reported"
REVOKED_REPLACED = "replaced"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def live_link(*, organisation: Organisation, user: Any) -> AccessLink | None:
    return AccessLink.objects.filter(organisation=organisation, user=user, revoked_at__isnull=True).first()


def _revoke(link: AccessLink, *, actor: Any, reason: str) -> None:
    link.revoked_at = clock.now()
    link.revoked_reason = reason
    link.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(actor=actor, action=f"access_link.revoke.{reason}", organisation=link.organisation,
                 obj=link, after={"user": link.user_id, "revoked_at": link.revoked_at})


@transaction.atomic
def access_link_issue(*, actor: Any, organisation: Organisation, user: Any) -> tuple[AccessLink, str]:
    """A new link for a member of the extranet; the previous live one is revoked.

    Returns the row and the clear secret (to put in the URL, never stored)."""
    from django.core.exceptions import ValidationError

    if not Membership.objects.filter(organisation=organisation, user=user, is_active=True,
                                     role__in=EXTRANET_ROLES).exists():
        raise ValidationError("Seuls les clients, stagiaires et formateurs de l'organisme ont un "
                              "lien d'accès personnel à l'extranet.")
    for old in AccessLink.objects.select_for_update().filter(
            organisation=organisation, user=user, revoked_at__isnull=True):
        _revoke(old, actor=actor, reason=REVOKED_REPLACED)
    secret = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(organisation=organisation, user=user, token_hash=_hash(secret),
                                     expires_at=clock.now() + VALIDITY,
                                     created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="access_link.issue", organisation=organisation, obj=link,
                 after={"user": user.pk, "expires_at": link.expires_at})
    return link, secret


@transaction.atomic
def access_link_revoke(*, actor: Any, link: AccessLink, reason: str = REVOKED_BY_STAFF) -> AccessLink:
    link = AccessLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        _revoke(link, actor=actor, reason=reason)
    return link


@transaction.atomic
def access_link_report_loss(*, user: Any, organisation: Organisation) -> AccessLink | None:
    """The person reports their link lost or misused: revoked at once."""
    link = AccessLink.objects.select_for_update().filter(
        organisation=organisation, user=user, revoked_at__isnull=True).first()
    if link is not None:
        _revoke(link, actor=user, reason=REVOKED_LOSS_REPORTED)
    return link


@transaction.atomic
def access_link_use(secret: str) -> AccessLink | None:
    """The live, unexpired link for this secret (its use stamped), or None."""
    link = (AccessLink.objects.select_for_update().select_related("user", "organisation")
            .filter(token_hash=_hash(secret), revoked_at__isnull=True).first())
    now = clock.now()
    if link is None or link.expires_at <= now or not link.user.is_active:
        return None
    if not Membership.objects.filter(organisation=link.organisation, user=link.user, is_active=True,
                                     role__in=EXTRANET_ROLES).exists():
        return None
    link.last_used_at = now
    link.save(update_fields=["last_used_at"])
    audit.record(actor=link.user, action="access_link.use", organisation=link.organisation, obj=link)
    return link
