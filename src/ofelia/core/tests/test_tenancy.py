"""Tenancy: one organisation's users never read or change another's data."""

import pytest
from django.urls import reverse

from ofelia.core.models import AuditEntry
from ofelia.organisations import selectors, services
from ofelia.organisations.models import ClientCompany, Role
from ofelia.organisations.testing import make_member, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_b(org_b, staff_b):
    return services.client_company_create(actor=staff_b, organisation=org_b, name="Secret B SARL")


def test_tenancy_pages_of_other_organisation_are_404(client, admin_a, company_b):
    client.force_login(admin_a)
    for name in ("client-company-detail", "client-company-edit"):
        response = client.get(reverse(name, args=[company_b.pk]))
        assert response.status_code == 404
        assert "Page introuvable" in response.content.decode()
    listing = client.get(reverse("client-company-list")).content.decode()
    assert "Secret B SARL" not in listing


def test_tenancy_change_through_page_of_other_organisation_is_refused(client, admin_a, company_b):
    client.force_login(admin_a)
    audit_rows = AuditEntry.objects.count()
    response = client.post(reverse("client-company-edit", args=[company_b.pk]), {"name": "Piraté"})
    assert response.status_code == 404
    company_b.refresh_from_db()
    assert company_b.name == "Secret B SARL"
    assert AuditEntry.objects.count() == audit_rows


def test_tenancy_selectors_are_scoped(org_a, org_b, company_b):
    assert list(selectors.client_company_list(organisation=org_a)) == []
    assert selectors.client_company_get(organisation=org_a, pk=company_b.pk) is None
    assert selectors.client_company_get(organisation=org_b, pk=company_b.pk) == company_b
    assert selectors.staff_dashboard_counts(organisation=org_a)["client_companies"] == 0


def test_tenancy_no_organisation_means_no_data(company_b):
    assert list(ClientCompany.objects.for_organisation(None)) == []


def test_tenancy_membership_with_company_of_other_organisation_is_refused(org_a, company_b, admin_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.membership_grant(
            actor=admin_a, organisation=org_a, user=admin_a, role=Role.CLIENT_CONTACT, company=company_b
        )


def test_tenancy_user_of_two_organisations_switches_with_the_header(client, org_a, org_b, company_b):
    user = make_member(org_a, Role.STAFF, email="both@example.test")
    services.membership_grant(actor=None, organisation=org_b, user=user, role=Role.STAFF)
    client.force_login(user)
    page = client.get(reverse("staff-home")).content.decode()
    assert "Organisme A" in page
    assert 'id="org-switch"' in page
    response = client.post(reverse("switch-organisation"), {"organisation": org_b.pk})
    assert response.status_code == 302
    page = client.get(reverse("client-company-list")).content.decode()
    assert "Secret B SARL" in page


def test_tenancy_switching_to_an_organisation_without_membership_is_ignored(client, admin_a, org_b, company_b):
    client.force_login(admin_a)
    client.post(reverse("switch-organisation"), {"organisation": org_b.pk})
    page = client.get(reverse("client-company-list")).content.decode()
    assert "Secret B SARL" not in page
    assert client.get(reverse("client-company-detail", args=[company_b.pk])).status_code == 404


def test_tenancy_revoked_membership_loses_access(client, org_a):
    user = make_member(org_a, Role.STAFF)
    services.membership_revoke(actor=None, membership=user.memberships.get())
    client.force_login(user)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 403
    assert "n'est rattaché à aucun organisme" in response.content.decode()


def test_tenancy_inactive_organisation_gives_no_access(client):
    org = make_organisation(is_active=False)
    user = make_member(org, Role.ADMINISTRATOR)
    client.force_login(user)
    assert client.get(reverse("staff-home")).status_code == 403
