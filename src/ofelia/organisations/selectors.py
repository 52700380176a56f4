"""Reads. Every selector of business data takes the organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from .models import ClientCompany, ConsumerClient, Learner, Membership, Organisation, Role


def memberships_of_user(*, user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation", "company")
        .order_by("organisation__legal_name")
    )


def organisation_by_slug(*, slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug, is_active=True).first()


def client_company_list(*, organisation: Organisation) -> QuerySet[ClientCompany]:
    return ClientCompany.objects.for_organisation(organisation).order_by("name")


def client_company_get(*, organisation: Organisation, pk: int) -> ClientCompany | None:
    return ClientCompany.objects.for_organisation(organisation).filter(pk=pk).first()


def consumer_client_list(*, organisation: Organisation) -> QuerySet[ConsumerClient]:
    return ConsumerClient.objects.for_organisation(organisation)


def consumer_client_of_user(*, organisation: Organisation, user: Any) -> ConsumerClient | None:
    return ConsumerClient.objects.for_organisation(organisation).filter(user=user).first()


def learner_list(*, organisation: Organisation) -> QuerySet[Learner]:
    return Learner.objects.for_organisation(organisation).select_related("company")


def learner_of_user(*, organisation: Organisation, user: Any) -> Learner | None:
    return (
        Learner.objects.for_organisation(organisation)
        .filter(user=user)
        .select_related("company")
        .first()
    )


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.for_organisation(organisation)
        .select_related("user", "company")
        .order_by("role", "user__last_name", "user__username")
    )


def staff_dashboard_counts(*, organisation: Organisation) -> dict[str, int]:
    roles = dict(
        Membership.objects.for_organisation(organisation)
        .filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {
        "client_companies": ClientCompany.objects.for_organisation(organisation).count(),
        "consumer_clients": ConsumerClient.objects.for_organisation(organisation).count(),
        "learners": Learner.objects.for_organisation(organisation).count(),
        "trainers": roles.get(Role.TRAINER, 0),
        "staff": roles.get(Role.ADMINISTRATOR, 0) + roles.get(Role.STAFF, 0),
    }
