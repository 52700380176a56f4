"""Create, revoke and authenticate API tokens. Writes are audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ofelia.core import audit, clock
from ofelia.organisations.models import STAFF_ROLES, Membership, Organisation

from .models import ApiToken

TOKEN_PREFIX = "ofl_"


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, organisation: Organisation, label: str) -> tuple[ApiToken, str]:
    """Returns the token row and the clear token, which is never stored nor shown again."""
    label = label.strip()
    if not label:
        raise ValidationError("Donnez un libellé au jeton (par exemple le nom de l'outil).")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(organisation=organisation, label=label,
                                    secret_hash=hash_secret(clear), prefix=clear[:10],
                                    created_by=actor)
    audit.record(actor=actor, action="api_token.create", organisation=organisation, obj=token,
                 after=audit.snapshot(token, ["label", "prefix"]))
    return token, clear


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    token.revoked_at = clock.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="api_token.revoke", organisation=token.organisation,
                 obj=token, after=audit.snapshot(token, ["label", "prefix", "revoked_at"]))
    return token


def api_token_authenticate(clear: str) -> tuple[ApiToken, Membership] | None:
    """The live token and its creator's staff membership in the token's organisation.

    A token acts for the person who created it: if they lose their staff role in that
    organisation, their tokens stop working with it.
    """
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("organisation", "created_by")
             .filter(secret_hash=hash_secret(clear), revoked_at__isnull=True).first())
    if token is None or not token.created_by.is_active or not token.organisation.is_active:
        return None
    membership = (Membership.objects.select_related("organisation")
                  .filter(user=token.created_by, organisation=token.organisation,
                          role__in=STAFF_ROLES, is_active=True).first())
    if membership is None:
        return None
    now = clock.now()
    # One write per minute at most, not one per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, membership
