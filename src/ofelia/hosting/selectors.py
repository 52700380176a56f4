"""Reads of virtual classes, scoped to the organisation (and, for a client, to its company)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ofelia.organisations.models import Role

from .models import Machine, VirtualClass


def visible_classes(*, organisation: Any, membership: Any) -> QuerySet[VirtualClass]:
    classes = VirtualClass.objects.for_organisation(organisation).select_related("company")
    if membership is None:
        return classes.none()
    if membership.role in (Role.ADMINISTRATOR, Role.STAFF):
        return classes
    if membership.role == Role.CLIENT_CONTACT and membership.company_id is not None:
        return classes.filter(company_id=membership.company_id)
    return classes.none()


def class_get(*, organisation: Any, membership: Any, pk: int) -> VirtualClass | None:
    return visible_classes(organisation=organisation, membership=membership).filter(pk=pk).first()


def class_machines(klass: VirtualClass) -> list[Machine]:
    """The class's machines by post: the live ones, and those failed (replaced) for the record."""
    return list(klass.provisioned.exclude(state=Machine.State.DESTROYED).order_by("slot", "id")) or \
        list(klass.provisioned.order_by("slot", "id"))
