import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ofelia.core.models import AuditEntry
from ofelia.organisations import services
from ofelia.organisations.models import ClientCompany, Membership, Organisation, Role
from ofelia.organisations.testing import make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_organisation_create_normalises_identifiers_and_audits():
    org = make_organisation(siret="915 286 504 00013", nda_number="52 49 04027 49", vat_number="fr 22 807647482")
    org.refresh_from_db()
    assert (org.siret, org.nda_number, org.vat_number) == ("91528650400013", "52490402749", "FR22807647482")
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(org.pk))
    assert entry.organisation == org and entry.after["siret"] == "91528650400013"


def test_organisation_create_with_bad_siret_writes_nothing():
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.organisation_create(actor=None, legal_name="X", slug="x", siret="12345678901234")
    assert "clé de contrôle" in str(error.value)
    assert not Organisation.objects.filter(slug="x").exists()
    assert not AuditEntry.objects.filter(action="organisation.create").exists()


def test_organisation_update_records_before_and_after(org_a, admin_a):
    services.organisation_update(actor=admin_a, organisation=org_a, holiday_calendar="alsace-moselle")
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.before == {"holiday_calendar": "national"}
    assert entry.after == {"holiday_calendar": "alsace-moselle"}


def test_membership_grant_is_one_role_per_organisation(org_a):
    user = make_member(org_a, Role.LEARNER)
    services.membership_grant(actor=None, organisation=org_a, user=user, role=Role.TRAINER)
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.TRAINER]
    entry = AuditEntry.objects.filter(action="membership.grant").order_by("id").last()
    assert entry.before["role"] == Role.LEARNER and entry.after["role"] == Role.TRAINER


def test_user_create_refuses_duplicate_email_case_insensitively(org_a):
    make_member(org_a, Role.LEARNER, email="jeanne@example.test")
    with pytest.raises(ValidationError):
        services.user_create(actor=None, organisation=org_a, email="Jeanne@Example.test", password="x")


def test_client_company_siret_unique_within_organisation_only(org_a, org_b):
    services.client_company_create(actor=None, organisation=org_a, name="A1", siret="73282932000074")
    with pytest.raises(ValidationError):
        services.client_company_create(actor=None, organisation=org_a, name="A2", siret="73282932000074")
    services.client_company_create(actor=None, organisation=org_b, name="B1", siret="73282932000074")
    assert ClientCompany.objects.filter(siret="73282932000074").count() == 2


def test_learner_linked_to_company_of_other_organisation_is_refused(org_a, org_b):
    company_b = services.client_company_create(actor=None, organisation=org_b, name="B")
    with pytest.raises(ValidationError):
        services.learner_create(
            actor=None, organisation=org_a, company=company_b, civility="m",
            first_name="Paul", last_name="Martin", email="paul@example.test",
        )


def test_client_company_page_create_shows_french_errors(client, org_a, admin_a):
    client.force_login(admin_a)
    response = client.post("/clients/entreprises/nouvelle/", {"name": "", "siret": "123"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in body
    assert "Un numéro SIRET comporte 14 chiffres." in body
    assert not ClientCompany.objects.for_organisation(org_a).exists()
