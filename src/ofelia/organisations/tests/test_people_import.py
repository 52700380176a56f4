"""CSV import: preview with per-line errors naming the column, all or nothing on confirm,
`;` or `,`, UTF-8 with or without BOM (and Windows-1252), bounded size and line count."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ofelia.core.models import AuditEntry
from ofelia.organisations import imports, services
from ofelia.organisations.models import (
    ClientCompany,
    CompanyContact,
    ConsumerClient,
    Learner,
    Organisation,
    Role,
)
from ofelia.organisations.testing import PASSWORD, make_member

HEADER = "civilite;prenom;nom;email;telephone;entreprise\r\n"


@pytest.fixture
def acme(org_a: Organisation) -> ClientCompany:
    return services.client_company_create(actor=None, organisation=org_a, name="Acme", siret="73282932000074")


def test_people_import_good_file_with_bom_and_semicolons(org_a: Organisation, acme: ClientCompany, admin_a: Any) -> None:
    text = imports.decode(("\ufeff" + HEADER + "Mme;Émilie;Durand;emilie@ex.fr;06 12 34 56 78;Acme\r\n"
                           "M.;Paul;Martin;paul@ex.fr;;732 829 320 00074\r\n").encode("utf-8"))
    preview = imports.preview(organisation=org_a, kind="apprenants", text=text)
    assert preview.is_valid and [line.number for line in preview.lines] == [2, 3]
    assert preview.lines[0].fields["company"] == acme and preview.lines[1].fields["company"] == acme
    assert Learner.objects.count() == 0  # the preview creates nothing
    imports.import_confirm(actor=admin_a, organisation=org_a, kind="apprenants", text=text)
    assert sorted(Learner.objects.values_list("first_name", "civility")) == [("Paul", "m"), ("Émilie", "mme")]
    assert AuditEntry.objects.filter(action="learner.create").count() == 2
    assert AuditEntry.objects.filter(action="import.apprenants").count() == 1


def test_people_import_commas_without_bom_and_windows_1252(org_a: Organisation) -> None:
    text = imports.decode("civilité,prénom,nom,e-mail\nMme,Hélène,Léger,helene@ex.fr\n".encode("cp1252"))
    preview = imports.preview(organisation=org_a, kind="particuliers", text=text)
    assert preview.is_valid and preview.lines[0].fields["first_name"] == "Hélène"
    assert preview.lines[0].fields["email"] == "helene@ex.fr"


def test_people_import_bad_lines_name_their_column(org_a: Organisation, acme: ClientCompany, admin_a: Any) -> None:
    services.learner_create(actor=None, organisation=org_a, civility="m", first_name="Déjà", last_name="Là",
                            email="deja@ex.fr")
    text = (HEADER
            + "Mme;Anne;Un;pas-une-adresse;;\r\n"          # 2: invalid e-mail
            + "Mme;Anne;Deux;anne2@ex.fr;;Inconnue SA\r\n"  # 3: unknown company
            + "Mme;Anne;Trois;anne3@ex.fr;;\r\n"           # 4: fine
            + "Mme;Anne;Quatre;ANNE3@ex.fr;;\r\n"          # 5: duplicate of line 4
            + "Mme;Anne;Cinq;Deja@ex.fr;;\r\n"             # 6: duplicate of an existing learner
            + "Dr;Anne;Six;anne6@ex.fr;12;\r\n"            # 7: civility and phone
            + "Mme;;Sept;anne7@ex.fr;;\r\n")               # 8: missing first name
    preview = imports.preview(organisation=org_a, kind="apprenants", text=text)
    errors = {line.number: " | ".join(line.errors) for line in preview.lines}
    assert "Colonne « email »" in errors[2]
    assert "Colonne « entreprise » : entreprise inconnue « Inconnue SA »" in errors[3]
    assert errors[4] == ""
    assert "doublon dans le fichier (même valeur qu'à la ligne 4)" in errors[5]
    assert "doublon d'une fiche existante" in errors[6]
    assert "Colonne « civilite »" in errors[7] and "Colonne « telephone »" in errors[7]
    assert "Colonne « prenom »" in errors[8]
    assert preview.error_count == 6 and not preview.is_valid
    with pytest.raises(imports.ImportRefused):
        imports.import_confirm(actor=admin_a, organisation=org_a, kind="apprenants", text=text)
    assert Learner.objects.filter(organisation=org_a).count() == 1  # a rejected import changes nothing


def test_people_import_companies_with_their_contact(org_a: Organisation, admin_a: Any) -> None:
    text = imports.template_csv("entreprises")
    preview = imports.preview(organisation=org_a, kind="entreprises", text=text)
    assert preview.is_valid, [line.errors for line in preview.lines]
    imports.import_confirm(actor=admin_a, organisation=org_a, kind="entreprises", text=text)
    company = ClientCompany.objects.get(organisation=org_a)
    assert company.name == "Boulangerie Dupont"
    contact = CompanyContact.objects.get(company=company)
    assert (contact.first_name, contact.function) == ("Jeanne", "Gérante")
    again = imports.preview(organisation=org_a, kind="entreprises", text=text)
    assert "une entreprise de l'organisme porte déjà ce nom" in again.lines[0].errors[0]


@pytest.mark.parametrize("kind", ["apprenants", "particuliers", "entreprises"])
def test_people_import_templates_are_valid_files(org_a: Organisation, acme: ClientCompany, kind: str) -> None:
    if kind == "apprenants":
        services.client_company_create(actor=None, organisation=org_a, name="Entreprise Exemple")
    assert imports.template_csv(kind).startswith("\ufeff")
    assert imports.preview(organisation=org_a, kind=kind, text=imports.template_csv(kind)).is_valid


def test_people_import_bounds(org_a: Organisation, monkeypatch: Any) -> None:
    with pytest.raises(imports.ImportRefused, match="dépasse"):
        imports.decode(b"x" * (imports.MAX_BYTES + 1))
    monkeypatch.setattr(imports, "MAX_LINES", 2)
    text = "prenom;nom;civilite;email\n" + "".join(f"A;B;M.;a{n}@ex.fr\n" for n in range(3))
    with pytest.raises(imports.ImportRefused, match="plus de 2 lignes"):
        imports.preview(organisation=org_a, kind="particuliers", text=text)
    with pytest.raises(imports.ImportRefused, match="« email »"):
        imports.preview(organisation=org_a, kind="particuliers", text="prenom;nom;civilite\nA;B;M.\n")
    with pytest.raises(imports.ImportRefused, match="aucune ligne"):
        imports.preview(organisation=org_a, kind="particuliers", text="prenom;nom;civilite;email\n")


def test_people_import_pages_preview_then_confirm(org_a: Organisation, org_b: Organisation) -> None:
    staff = make_member(org_a, Role.STAFF)
    client = Client()
    client.login(username=staff.email, password=PASSWORD)
    assert client.get(reverse("people-import-template", args=["particuliers"]))["Content-Type"].startswith("text/csv")
    data = "\ufeffcivilite;prenom;nom;email\nM.;Paul;Durand;paul@ex.fr\n".encode()
    response = client.post(reverse("people-import"), {
        "kind": "particuliers", "file": SimpleUploadedFile("clients.csv", data, content_type="text/csv")})
    assert response.status_code == 200 and "Importer les 1 lignes" in response.content.decode()
    assert ConsumerClient.objects.count() == 0
    payload = base64.b64encode(data.decode("utf-8-sig").encode()).decode()
    response = client.post(reverse("people-import"), {"kind": "particuliers", "payload": payload, "confirm": "1"})
    assert response.status_code == 302
    assert list(ConsumerClient.objects.values_list("organisation__slug", "email")) == [("org-a", "paul@ex.fr")]
    # Confirming the same file again: every line is now a duplicate, nothing more is created.
    response = client.post(reverse("people-import"), {"kind": "particuliers", "payload": payload, "confirm": "1"})
    assert response.status_code == 302 and ConsumerClient.objects.count() == 1
    # A tampered payload is refused without a 500.
    response = client.post(reverse("people-import"), {"kind": "particuliers", "payload": "%%%", "confirm": "1"})
    assert response.status_code == 302


def test_people_import_unreadable_files_are_refused_not_500(org_a: Organisation) -> None:
    for data in (b"\x00\x01\x02civilite;prenom;nom;email\n\x00;\x00\n", b"\xff\xfe\x00\x00garbage", b""):
        with pytest.raises(imports.ImportRefused):
            imports.preview(organisation=org_a, kind="particuliers", text=imports.decode(data))


def test_people_import_columns_in_any_order_and_same_name_warned_not_refused(org_a: Organisation) -> None:
    services.consumer_client_create(actor=None, organisation=org_a, civility="m", first_name="Hugo",
                                    last_name="Bernard", email="hugo@ex.fr")
    text = "email;nom;prenom;civilite\nhugo.bernard@autre.fr;BERNARD;Hugo;M.\n"
    preview = imports.preview(organisation=org_a, kind="particuliers", text=text)
    assert preview.columns == ["email", "nom", "prenom", "civilite"]
    assert list(preview.lines[0].raw) == preview.columns
    assert preview.is_valid and "doublon probable" in preview.lines[0].warnings[0]
