"""The shell: homes per role, French error pages, language switch, accessibility basics."""

import pytest
from django.test import Client
from django.urls import reverse

from ofelia.organisations.models import Role
from ofelia.organisations.testing import make_member

pytestmark = pytest.mark.django_db

HOMES = {
    Role.ADMINISTRATOR: ("staff-home", "Tableau de bord"),
    Role.STAFF: ("staff-home", "Tableau de bord"),
    Role.TRAINER: ("extranet-home", "Espace formateur"),
    Role.CLIENT_CONTACT: ("extranet-home", "Espace entreprise"),
    Role.LEARNER: ("extranet-home", "Espace apprenant"),
    Role.CONSUMER: ("extranet-home", "Espace client"),
}


def test_home_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_home(client, org_a, role):
    user = make_member(org_a, role)
    client.force_login(user)
    url_name, heading = HOMES[role]
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse(url_name)
    body = response.content.decode()
    assert heading in body
    assert f'data-home="{"staff" if url_name == "staff-home" else role}"' in body


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CLIENT_CONTACT, Role.LEARNER, Role.CONSUMER])
def test_extranet_roles_cannot_open_staff_pages(client, org_a, role):
    client.force_login(make_member(org_a, role))
    for name in ("staff-home", "client-company-list", "audit-log"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "Accès refusé" in response.content.decode()


def test_staff_cannot_open_extranet_home(client, org_a):
    client.force_login(make_member(org_a, Role.STAFF))
    assert client.get(reverse("extranet-home")).status_code == 403


def test_404_page_is_french(client):
    response = client.get("/nexiste-pas/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body and 'lang="fr"' in body


def test_500_page_is_french():
    from django.test import RequestFactory

    from ofelia.core.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


def test_french_by_default_even_with_english_browser(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fr"' in body and "Se connecter" in body


def test_language_switch_to_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/connexion/"})
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body and ">Sign in</button>" in body
    client.post(reverse("set_language"), {"language": "fr", "next": "/connexion/"})
    assert "Se connecter" in client.get(reverse("login")).content.decode()


def test_layout_has_landmarks_skip_link_and_htmx(client, org_a):
    client.force_login(make_member(org_a, Role.ADMINISTRATOR))
    body = client.get(reverse("staff-home")).content.decode()
    for marker in ('<header', '<nav', '<main id="main"', '<footer', 'href="#main"', "vendor/htmx.min.js\" defer"):
        assert marker in body
    assert 'aria-current="page"' in body


def test_every_visible_input_on_signup_has_a_label(client, org_a):
    import re

    body = client.get(reverse("signup", args=[org_a.slug])).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', body)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in body, element_id


def test_csrf_is_enforced_on_login():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_django_admin_for_operator_with_read_only_audit(client, org_a, admin_a):
    from django.contrib.auth import get_user_model

    from ofelia.core.models import AuditEntry

    operator = get_user_model().objects.create_superuser("operateur", "op@example.test", "x")
    client.force_login(operator)
    for url in (
        "/admin/organisations/organisation/",
        f"/admin/organisations/organisation/{org_a.pk}/change/",
        "/admin/organisations/membership/",
        "/admin/core/auditentry/",
    ):
        assert client.get(url).status_code == 200, url
    entry = AuditEntry.objects.first()
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403


def test_admin_change_is_audited(client, org_a):
    from django.contrib.auth import get_user_model

    from ofelia.core.models import AuditEntry

    operator = get_user_model().objects.create_superuser("operateur", "op@example.test", "x")
    client.force_login(operator)
    data = {
        f.name: getattr(org_a, f.name) for f in org_a._meta.fields if f.editable and f.name != "id"
    }
    data["legal_name"] = "Organisme A renommé"
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(f"/admin/organisations/organisation/{org_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == operator and entry.after == {"legal_name": "Organisme A renommé"}


def test_org_admin_without_superuser_flag_cannot_open_django_admin(client, admin_a):
    client.force_login(admin_a)
    assert client.get("/admin/").status_code == 302


def test_platform_operator_without_membership_lands_on_django_admin(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("op", "op@example.test", "x"))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
