"""Account writes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ofelia.organisations.models import ConsumerClient, Organisation, Role
from ofelia.organisations.services import consumer_client_create, membership_grant, user_create

PROFILE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "billing_line1",
    "billing_line2",
    "billing_postal_code",
    "billing_city",
)


@transaction.atomic
def consumer_signup(
    *, organisation: Organisation, data: dict[str, Any], password: str
) -> tuple[Any, ConsumerClient]:
    """Creates the account, the consumer membership and the profile, all or nothing."""
    user = user_create(
        actor=None,
        organisation=organisation,
        email=data["email"],
        password=password,
        first_name=data["first_name"],
        last_name=data["last_name"],
    )
    membership_grant(actor=user, organisation=organisation, user=user, role=Role.CONSUMER)
    consumer = consumer_client_create(
        actor=user,
        organisation=organisation,
        user=user,
        terms_accepted=True,
        **{name: data.get(name, "") for name in PROFILE_FIELDS},
    )
    return user, consumer
