import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ofelia.core.models import AuditEntry
from ofelia.organisations.demo import DEMO_PASSWORD
from ofelia.organisations.models import (
    ClientCompany,
    ConsumerClient,
    Learner,
    Membership,
    Organisation,
    Role,
)
from ofelia.organisations.validators import validate_nda, validate_siret

pytestmark = pytest.mark.django_db

MODELS = [get_user_model(), Organisation, Membership, ClientCompany, ConsumerClient, Learner, AuditEntry]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_creates_five_organisations_with_every_role_and_is_idempotent():
    out = io.StringIO()
    call_command("demo", stdout=out)
    first = _counts()
    assert first["Organisation"] == 5
    assert set(Organisation.objects.values_list("policy_id", flat=True)) == {
        "mi4", "dixneuf", "laporte", "formagogy", "virtualeo"
    }
    for org in Organisation.objects.all():
        roles = set(Membership.objects.for_organisation(org).values_list("role", flat=True))
        assert roles == set(Role.values)
        validate_siret(org.siret)
        if org.nda_number:
            validate_nda(org.nda_number)
    text = out.getvalue()
    assert "admin@dixneuf.demo" in text and "particulier@virtualeo.demo" in text
    assert DEMO_PASSWORD in text

    call_command("demo", stdout=io.StringIO())
    assert _counts() == first


def test_demo_users_can_sign_in_and_land_on_their_home(client):
    call_command("demo", stdout=io.StringIO())
    assert client.login(username="admin@dixneuf.demo", password=DEMO_PASSWORD)
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/gestion/"
    client.logout()
    assert client.login(username="stagiaire@laporte.demo", password=DEMO_PASSWORD)
    body = client.get("/", follow=True).content.decode()
    assert "Espace apprenant" in body and "LA PORTE ACADÉMIE" in body


def test_demo_dixneuf_legal_data_from_its_terms():
    call_command("demo", stdout=io.StringIO())
    dixneuf = Organisation.objects.get(slug="dixneuf")
    assert dixneuf.siret == "91528650400013"
    assert dixneuf.nda_number == "52490402749"
    assert dixneuf.vat_status == Organisation.VatStatus.TRAINING_EXEMPT
    assert Organisation.objects.get(slug="formagogy").vat_number == "FR22807647482"
