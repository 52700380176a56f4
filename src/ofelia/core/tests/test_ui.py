"""Shell display: grouped menu per role with the current section, audit labels, plurals, terms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ofelia.core import audit
from ofelia.core.audit_labels import action_label
from ofelia.organisations.models import ConsumerClient, Role
from ofelia.organisations.testing import make_member

pytestmark = pytest.mark.django_db


def _menu(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["nav_items"]


def test_staff_menu_groups_every_area_and_marks_the_current_section(client, org_a):
    client.force_login(make_member(org_a, Role.ADMINISTRATOR))
    menu = _menu(client, reverse("billing:receivables"))
    labels = [x["label"] for x in menu]
    assert labels == ["Tableau de bord", "Catalogue", "Ventes", "Facturation", "Clients",
                      "Qualité", "Paramètres"]
    links = {x["url"] for item in menu for x in (item["children"] or [item])}
    for name in ("staff-home", "catalogue:training-list", "sales:session-list", "sales:pipeline",
                 "billing:invoice-list", "billing:receivables", "billing:revenue", "client-company-list",
                 "consumer-client-list", "learner-list", "simulator:index", "member-list",
                 "apitokens:list", "sales:access-links", "simulator:policies", "audit-log"):
        assert reverse(name) in links, name
    assert [x["label"] for x in menu if x["current"]] == ["Facturation"]
    body = client.get(reverse("billing:receivables")).content.decode()
    assert '<li class="menu-group current">' in body and "<summary>Facturation</summary>" in body
    assert f'<a href="{reverse("billing:receivables")}" aria-current="page">Créances</a>' in body


def test_dashboard_is_current_only_on_its_own_page(client, org_a):
    client.force_login(make_member(org_a, Role.STAFF))
    assert [x["label"] for x in _menu(client, reverse("staff-home")) if x["current"]] == ["Tableau de bord"]
    current = [x["label"] for x in _menu(client, reverse("catalogue:training-list")) if x["current"]]
    assert current == ["Catalogue"]


def test_staff_member_has_no_audit_log_in_the_menu(client, org_a):
    client.force_login(make_member(org_a, Role.STAFF))
    settings = next(x for x in _menu(client, reverse("staff-home")) if x["label"] == "Paramètres")
    assert reverse("audit-log") not in {x["url"] for x in settings["children"]}


@pytest.mark.parametrize(("role", "labels"), [
    (Role.TRAINER, ["Mon espace", "Émargement", "Évaluations", "Mes documents", "Mes questionnaires", "Messages",
                    "Mon compte"]),
    (Role.LEARNER, ["Mon espace", "Mes formations", "Mes parcours en ligne", "Mes attestations",
                    "Donner mon avis", "Mon compte"]),
    (Role.CLIENT_CONTACT, ["Mon espace", "Mes formations", "Mes documents", "Support",
                           "Donner mon avis", "Mon compte"]),
    (Role.CONSUMER, ["Mon espace", "Mes formations", "Mes parcours en ligne", "Mes documents",
                     "Donner mon avis", "Mon compte"]),
])
def test_extranet_menu_per_role(client, org_a, role, labels):
    client.force_login(make_member(org_a, role))
    menu = _menu(client, reverse("extranet-home"))
    assert [x["label"] for x in menu] == labels
    assert [x["label"] for x in menu if x["current"]] == ["Mon espace"]


def test_english_shell_menu_still_in_english(client, org_a):
    client.force_login(make_member(org_a, Role.ADMINISTRATOR))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    labels = [x["label"] for x in _menu(client, reverse("staff-home"))]
    assert labels[0] == "Dashboard" and "Billing" in labels and "Settings" in labels


@pytest.mark.parametrize(("code", "label"), [
    ("learner.create", "Création d'un apprenant"),
    ("client_company.update", "Modification d'une entreprise cliente"),
    ("clientcompany.delete", "Suppression d'une entreprise cliente"),
    ("invoice.issue", "Émission d'une facture"),
    ("complaint.close", "Clôture d'une réclamation"),
    ("order.refunded", "Commande remboursée"),
    ("access_link.revoke.loss_reported", "Lien d'accès déclaré perdu"),
    ("something.unknown", "something.unknown"),
    ("", ""),
])
def test_audit_action_labels_in_french_with_code_fallback(code, label):
    assert action_label(code) == label


def test_audit_log_and_dashboard_show_labels_system_actor_and_french_dates(client, org_a):
    audit.record(actor=None, action="learner.create", organisation=org_a, obj=None)
    client.force_login(make_member(org_a, Role.ADMINISTRATOR))
    for url in (reverse("audit-log"), reverse("staff-home")):
        body = client.get(url).content.decode()
        assert "Création d&#x27;un apprenant" in body and "système" in body
        months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre")
        assert any(f" {m} 20" in body for m in months), url


def test_dashboard_plurals_and_terms_title_and_version(client, org_a):
    org_a.policy_id = "dixneuf"
    org_a.save(update_fields=["policy_id"])
    client.force_login(make_member(org_a, Role.ADMINISTRATOR))
    body = " ".join(client.get(reverse("staff-home")).content.decode().split())
    assert '<span class="figure">0</span> <span class="label">client particulier</span>' in body
    for n in (1, 2):
        ConsumerClient.objects.create(organisation=org_a, civility="m", first_name="Paul",
                                      last_name=f"Durand{n}", email=f"p{n}@example.org")
        body = " ".join(client.get(reverse("staff-home")).content.decode().split())
        label = "client particulier" if n == 1 else "clients particuliers"
        assert f'<span class="figure">{n}</span> <span class="label">{label}</span>' in body
    assert "Conditions générales de vente</a>, version 20" in body and "en vigueur depuis le" in body


def test_outcome_codes_and_dates_read_in_french():
    from datetime import date

    from ofelia.core.templatetags.ofelia_ui import date_fr, outcome_label

    assert outcome_label("cancellation_fee") == "Dédommagement d'annulation"
    assert outcome_label("provider_cancel_by") == "Annulation par l'organisme possible jusqu'au"
    assert outcome_label("new_code") == "new_code"
    assert date_fr(date(2025, 8, 1)) == "1er août 2025"
    assert date_fr("2027-01-10") == "10 janvier 2027"
    assert date_fr("pas une date") == "pas une date"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.CLIENT_CONTACT, Role.CONSUMER])
def test_every_extranet_page_names_the_organisation_with_its_address_phone_and_email(client, org_a, role):
    org_a.address_line1, org_a.postal_code, org_a.city = "12 rue des Lilas", "69003", "Lyon"
    org_a.phone, org_a.email = "04 72 00 00 00", "contact@organisme.test"
    org_a.save()
    client.force_login(make_member(org_a, role))
    page = client.get(reverse("extranet-home")).content.decode()
    footer = page[page.index('<footer class="site-footer">'):]
    assert "12 rue des Lilas, 69003 Lyon" in footer
    assert 'href="tel:0472000000"' in footer and 'href="mailto:contact@organisme.test"' in footer
