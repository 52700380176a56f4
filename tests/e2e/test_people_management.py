"""Issue 9, item 1 in a real browser on the demo data: staff create a company with its contact,
a learner for it and a consumer client, import a CSV (one bad line, fixed, imported), merge a
duplicate; an administrator invites a client contact, who sets a password through the e-mailed
link and lands on the extranet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from ofelia.organisations.models import CompanyContact, ConsumerClient, Learner

from .test_login import log_in
from .test_people_flows import log_out

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_data")]

BAD_CSV = ("\ufeffcivilite;prenom;nom;email;telephone;entreprise\r\n"
           "Mme;Inès;Lefèvre;ines.lefevre@exemple.fr;06 10 20 30 40;Boulangerie Martin\r\n"
           "M.;Hugo;Bernard;hugo.bernard@exemple;;Boulangerie Martin\r\n")


def _field(page: Any, label: str) -> Any:
    """The input labelled exactly `label` (a required field's label ends with « * »)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=f"/tmp/people-{name}.png", full_page=True)


def test_people_staff_create_import_merge_and_admin_invites_a_contact(page: Any, tmp_path: Path) -> None:
    log_in(page, "staff@dixneuf.demo")

    # A client company, then its contact.
    page.goto("/clients/entreprises/")
    page.get_by_role("link", name="Nouvelle entreprise").click()
    page.get_by_label("Raison sociale").fill("Boulangerie Martin")
    page.get_by_label("SIRET").fill("51234567800019")
    page.get_by_label("Ville", exact=True).fill("Angers")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boulangerie Martin")
    page.get_by_role("link", name="Ajouter un contact").click()
    page.get_by_label("Prénom").fill("Sophie")
    _field(page, "Nom").fill("Martin")
    page.get_by_label("Adresse e-mail").fill("sophie@boulangerie-martin.fr")
    page.get_by_label("Fonction").fill("Gérante")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Le contact est enregistré")
    expect(page.get_by_role("row").filter(has_text="Sophie")).to_contain_text("Gérante")

    # A learner employed by that company, from the company page.
    page.get_by_role("link", name="Ajouter un apprenant").click()
    page.get_by_text("Mme", exact=True).check()
    page.get_by_label("Prénom").fill("Léa")
    _field(page, "Nom").fill("Petit")
    page.get_by_label("Adresse e-mail").fill("lea.petit@boulangerie-martin.fr")
    expect(page.get_by_label("Entreprise (employeur)")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Madame Léa Petit")
    expect(page.locator("dl.facts")).to_contain_text("Boulangerie Martin")
    _shot(page, "learner")

    # A consumer client, with a duplicate address refused first.
    page.goto("/clients/particuliers/")
    page.get_by_role("link", name="Nouveau client particulier").click()
    page.get_by_text("M.", exact=True).check()
    page.get_by_label("Prénom").fill("Marc")
    _field(page, "Nom").fill("Dubois")
    page.get_by_label("Adresse e-mail").fill("PARTICULIER@dixneuf.demo")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_contain_text("une adresse e-mail ne peut servir qu'à une fiche")
    _shot(page, "consumer-duplicate")
    page.get_by_label("Adresse e-mail").fill("marc.dubois@exemple.fr")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monsieur Marc Dubois")

    # CSV import: one bad line is shown with its column, nothing is created; fixed, imported.
    page.goto("/apprenants/")
    page.get_by_role("link", name="Importer un fichier CSV").click()
    bad = tmp_path / "apprenants.csv"
    bad.write_bytes(BAD_CSV.encode("utf-8"))
    page.get_by_label("Apprenants").check()
    page.get_by_label("Fichier CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.locator(".error-summary")).to_contain_text("1 ligne en erreur")
    expect(page.get_by_role("row").filter(has_text="Hugo")).to_contain_text("Colonne « email »")
    expect(page.get_by_role("button", name=re.compile("Importer les"))).to_have_count(0)
    _shot(page, "import-error")
    assert not Learner.objects.filter(email="ines.lefevre@exemple.fr").exists()
    page.get_by_role("link", name="Envoyer un autre fichier").click()
    good = tmp_path / "apprenants-corrige.csv"
    good.write_bytes(BAD_CSV.replace("hugo.bernard@exemple;", "hugo.bernard@exemple.fr;").encode("utf-8"))
    page.get_by_label("Apprenants").check()
    page.get_by_label("Fichier CSV").set_input_files(str(good))
    page.get_by_role("button", name="Vérifier le fichier").click()
    _shot(page, "import-preview")
    page.get_by_role("button", name="Importer les 2 lignes").click()
    expect(page.get_by_role("status")).to_contain_text("2 apprenants importés")
    page.get_by_label("Rechercher (début du nom, du prénom ou de l'e-mail)").fill("ines.lef")
    expect(page.get_by_role("row").filter(has_text="ines.lefevre@exemple.fr")).to_contain_text("Boulangerie Martin")
    expect(page.get_by_role("row").filter(has_text="Moreau")).to_have_count(0)  # the search narrowed the list

    # A duplicate: the same person entered twice with another address; merged.
    page.goto("/apprenants/nouveau/")
    page.get_by_text("Mme", exact=True).check()
    page.get_by_label("Prénom").fill("Ines")
    _field(page, "Nom").fill("LEFEVRE")
    page.get_by_label("Adresse e-mail").fill("ines.lefevre@perso.fr")
    page.get_by_label("Téléphone").fill("0610203040")
    page.get_by_role("button", name="Enregistrer").click()
    page.goto("/personnes/doublons/?type=apprenants")
    row = page.get_by_role("row").filter(has_text="ines.lefevre@perso.fr")
    expect(row).to_contain_text("même nom et même téléphone")
    _shot(page, "duplicates")
    row.get_by_role("button", name="Garder A (ines.lefevre@exemple.fr)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer la fusion")
    expect(page.locator("dl.facts")).to_contain_text("ines.lefevre@perso.fr")
    _shot(page, "merge-confirm")
    page.get_by_role("button", name="Confirmer la fusion").click()
    expect(page.get_by_role("status")).to_contain_text("Fiches fusionnées")
    expect(page.get_by_role("row").filter(has_text="ines.lefevre@perso.fr")).to_have_count(0)
    assert not Learner.objects.filter(email="ines.lefevre@perso.fr").exists()
    log_out(page)

    # The administrator invites the company's contact; she sets her password via the link.
    log_in(page, "admin@dixneuf.demo")
    page.goto("/clients/entreprises/")
    page.get_by_role("link", name="Boulangerie Martin").click()
    page.get_by_role("row").filter(has_text="Sophie").get_by_role("link", name="Inviter").click()
    expect(page.get_by_label("Adresse e-mail de la personne invitée")).to_have_value("sophie@boulangerie-martin.fr")
    expect(page.get_by_label("Rôle")).to_have_value("client_contact")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée à sophie@boulangerie-martin.fr")
    _shot(page, "invitations")
    log_out(page)
    message = mail.outbox[-1]
    assert message.to == ["sophie@boulangerie-martin.fr"]
    link = re.search(r"(/invitation/\S+/)", message.body)
    assert link is not None
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre Campus DIXNEUF")
    expect(page.get_by_label("Prénom")).to_have_value("Sophie")
    _field(page, "Mot de passe").fill("Baguette-et-croissant-2026")
    page.get_by_label("Mot de passe (confirmation)").fill("Baguette-et-croissant-2026")
    page.get_by_role("button", name="Créer mon accès").click()
    expect(page).to_have_url(re.compile(r"/espace/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Espace entreprise")
    _shot(page, "contact-extranet")
    assert CompanyContact.objects.get(email="sophie@boulangerie-martin.fr").user is not None
    # The link works once.
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien d'invitation n'est plus valable")
    assert ConsumerClient.objects.filter(email="marc.dubois@exemple.fr").exists()
