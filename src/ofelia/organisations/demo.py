"""Demo data: the five organisations of the seeds, one user per role in each.

Idempotent: every row is looked up by its natural key first, so a second run writes
nothing (and records nothing in the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import ClientCompany, ConsumerClient, Learner, Membership, Organisation, Role

DEMO_PASSWORD = "ofelia-demo"
OPERATOR_EMAIL = "operateur@ofelia.demo"

# Legal data from the organisations' own terms (seeds). Where the terms give a SIREN
# without establishment number, or no SIRET at all, the missing part is a demo value
# and the legal mentions say so; likewise the NDA of Mi4 and VIRTUALEO, without which no
# convention can be signed (R6351-6).
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": "mi4",
        "iban": "FR7630004001230000000100156",  # a demo account (valid key, no real bank)
        "bic": "BNPAFRPPXXX",
        "policy_id": "mi4",
        "legal_name": "Mi4",
        "display_name": "Mi4 formation",
        "siret": "81234567500019",
        "address_line1": "930 Route des Dolines",
        "postal_code": "06560",
        "city": "Valbonne",
        "email": "formation@mi4.fr",
        "nda_number": "93060999906",
        "nda_region": "Provence-Alpes-Côte d'Azur",
        "vat_status": Organisation.VatStatus.TRAINING_EXEMPT,
        "legal_mentions": "Organisme de formation professionnelle. SIRET et NDA de démonstration (non communiqués dans les CGU).",
    },
    {
        "slug": "dixneuf",
        "iban": "FR7630004001230000000100253",  # a demo account (valid key, no real bank)
        "bic": "BNPAFRPPXXX",
        "policy_id": "dixneuf",
        "legal_name": "CAMPUS DIXNEUF",
        "display_name": "Campus DIXNEUF",
        "legal_form": "SAS",
        "share_capital": "50 000 €",
        "siret": "91528650400013",
        "rcs": "RCS Angers B 915 286 504",
        "nda_number": "52490402749",
        "nda_region": "Pays de la Loire",
        "address_line1": "ZI la Peltière",
        "address_line2": "388 rue de Touraine",
        "postal_code": "49740",
        "city": "La Romagne",
        "phone": "02 52 20 12 74",
        "email": "campus@campus-dixneuf.com",
        "vat_status": Organisation.VatStatus.TRAINING_EXEMPT,
        "legal_mentions": "S.A.S CAMPUS DIXNEUF au capital de 50 000 € - RCS Angers B 915 286 504 - APE 8559A. NDA : 52 49 04027 49 (ce numéro ne vaut pas agrément de l'État).",
    },
    {
        "slug": "laporte",
        "iban": "FR7630004001230000000100350",  # a demo account (valid key, no real bank)
        "bic": "BNPAFRPPXXX",
        "policy_id": "laporte",
        "legal_name": "LA PORTE ACADÉMIE",
        "legal_form": "SAS",
        "share_capital": "100 €",
        "siret": "90514248500010",
        "rcs": "RCS Compiègne 905 142 485",
        "nda_number": "32600379960",
        "nda_region": "Hauts-de-France",
        "address_line1": "17 bis avenue du Général de Gaulle",
        "postal_code": "60550",
        "city": "Verneuil-en-Halatte",
        "website": "https://www.laporteacademie.com",
        "vat_status": Organisation.VatStatus.TRAINING_EXEMPT,
        "legal_mentions": "SAS au capital de 100 €, RCS Compiègne 905 142 485. Non soumise à la TVA. NIC du SIRET de démonstration.",
    },
    {
        "slug": "formagogy",
        "iban": "FR7630004001230000000100447",  # a demo account (valid key, no real bank)
        "bic": "BNPAFRPPXXX",
        "policy_id": "formagogy",
        "legal_name": "FORMAGOGY",
        "legal_form": "SAS",
        "share_capital": "35 000 €",
        "siret": "80764748200015",
        "rcs": "RCS Evry 807 647 482",
        "nda_number": "11910763291",
        "nda_region": "Île-de-France",
        "address_line1": "6 bis rue du Parc des Vergers",
        "postal_code": "91250",
        "city": "Tigery",
        "vat_status": Organisation.VatStatus.SUBJECT,
        "vat_number": "FR22807647482",
        "legal_mentions": "SAS au capital de 35 000 €, RCS Evry 807 647 482, TVA FR22 807 647 482. NIC du SIRET de démonstration.",
    },
    {
        "slug": "virtualeo",
        "iban": "FR7630004001230000000100544",  # a demo account (valid key, no real bank)
        "bic": "BNPAFRPPXXX",
        "policy_id": "virtualeo",
        "legal_name": "VIRTUALEO SAS",
        "display_name": "VIRTUALEO",
        "legal_form": "SAS",
        "siret": "94952507500014",
        "rcs": "RCS Nanterre 949 525 075",
        "address_line1": "1, rue Royale",
        "address_line2": "318 Bureaux de la Colline",
        "postal_code": "92213",
        "city": "Saint-Cloud Cedex",
        "vat_status": Organisation.VatStatus.SUBJECT,
        "vat_number": "FR02949525075",
        "nda_number": "11920999992",
        "nda_region": "Île-de-France",
        "legal_mentions": "Éditeur de la solution de classes virtuelles. RCS Nanterre 949 525 075 00014. Tarifs hors taxes, TVA en vigueur au jour de la facturation. NDA de démonstration (non communiqué dans les CGV).",
    },
]

# (role, local part of the e-mail, first name, last name)
PEOPLE: list[tuple[str, str, str, str]] = [
    (Role.ADMINISTRATOR, "admin", "Alice", "Administratrice"),
    (Role.STAFF, "staff", "Bastien", "Gestionnaire"),
    (Role.TRAINER, "formateur", "Claire", "Formatrice"),
    (Role.CLIENT_CONTACT, "client", "David", "Acheteur"),
    (Role.LEARNER, "stagiaire", "Émilie", "Stagiaire"),
    (Role.CONSUMER, "particulier", "François", "Particulier"),
]


@dataclass(frozen=True)
class DemoLogin:
    organisation: str
    role: str
    email: str


def _user(email: str, first_name: str, last_name: str, organisation: Organisation | None) -> Any:
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = services.user_create(
            actor=None,
            organisation=organisation,
            email=email,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
    return user


def _company(organisation: Organisation) -> ClientCompany:
    name = f"Entreprise Exemple ({organisation.slug})"
    company = ClientCompany.objects.for_organisation(organisation).filter(name=name).first()
    if company is None:
        company = services.client_company_create(
            actor=None,
            organisation=organisation,
            name=name,
            siret="73282932000074",
            email=f"compta@{organisation.slug}-client.demo",
            phone="01 23 45 67 89",
            contact_name="David Acheteur",
            address_line1="10 rue de l'Exemple",
            postal_code="75011",
            city="Paris",
        )
    return company


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    for data in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=data["slug"]).first()
        if organisation is None:
            organisation = services.organisation_create(actor=None, **data)
        company = _company(organisation)
        for role, local, first_name, last_name in PEOPLE:
            email = f"{local}@{organisation.slug}.demo"
            user = _user(email, first_name, last_name, organisation)
            if not Membership.objects.filter(user=user, organisation=organisation).exists():
                services.membership_grant(
                    actor=None,
                    organisation=organisation,
                    user=user,
                    role=role,
                    company=company if role in (Role.CLIENT_CONTACT, Role.LEARNER) else None,
                )
            profile = {
                "civility": "mme" if first_name in {"Alice", "Claire", "Émilie"} else "m",
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "phone": "06 12 34 56 78",
                "address_line1": "5 place de la Gare",
                "postal_code": "49000",
                "city": "Angers",
                "user": user,
            }
            if role == Role.LEARNER and not Learner.objects.for_organisation(organisation).filter(user=user).exists():
                services.learner_create(actor=None, organisation=organisation, company=company, **profile)
            if role == Role.CONSUMER and not ConsumerClient.objects.for_organisation(organisation).filter(user=user).exists():
                consumer = services.consumer_client_create(
                    actor=None, organisation=organisation, terms_accepted=True, **profile
                )
                services.learner_create(actor=None, organisation=organisation, consumer=consumer, **profile)
            logins.append(DemoLogin(str(organisation), Role(role).label, email))
    operator = get_user_model().objects.filter(email__iexact=OPERATOR_EMAIL).first()
    if operator is None:
        operator = _user(OPERATOR_EMAIL, "Olivia", "Opératrice", None)
        operator.is_staff = True
        operator.is_superuser = True
        operator.save(update_fields=["is_staff", "is_superuser"])
    logins.append(DemoLogin("(plateforme)", "Opérateur (admin Django)", OPERATOR_EMAIL))
    return logins
