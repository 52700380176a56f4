from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from ofelia.attendance.demo import load_attendance
from ofelia.billing.demo_business import billing_summary, load_billing
from ofelia.catalogue.demo import catalogue_summary, load_catalogue
from ofelia.documents.demo import load_documents
from ofelia.elearning.demo import load_elearning
from ofelia.hosting.demo import load_hosting
from ofelia.organisations.demo import DEMO_PASSWORD, OPERATOR_EMAIL, ORGANISATIONS, load_demo
from ofelia.organisations.models import Organisation
from ofelia.quality.demo import load_quality
from ofelia.sales.demo import load_sales, sales_summary
from ofelia.support.demo import load_support
from ofelia.surveys.demo import load_surveys


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


class Command(BaseCommand):
    help = ("Crée (une seule fois) les cinq organisations de démonstration, un utilisateur par "
            "rôle et leurs données d'activité : formations, sessions, devis, contrats, factures.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with translation.override("fr"):
            logins = load_demo()
            created = []
            problems: list[str] = []
            for data in ORGANISATIONS:
                organisation = Organisation.objects.get(slug=data["slug"])
                # One organisation at a time, all or nothing.
                with transaction.atomic():
                    catalogue = load_catalogue(organisation)
                    if catalogue is not None:
                        billing = load_billing(load_sales(catalogue))
                        load_attendance(organisation)
                        load_surveys(organisation)
                        if billing is not None and billing.collections is not None:
                            problems += [f"{organisation} : {p}"
                                         for p in billing.collections.problems or []]
                        created.append(organisation.pk)
                    load_elearning(organisation)
                    load_support(organisation)
                    load_hosting(organisation)
                    load_quality(organisation)
                    load_documents(organisation)
        self._logins(logins)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Données de démonstration"))
        for data in ORGANISATIONS:
            organisation = Organisation.objects.get(slug=data["slug"])
            catalogue, sales, billing = (catalogue_summary(organisation), sales_summary(organisation),
                                         billing_summary(organisation))
            self.stdout.write(
                f"{organisation} : {_plural(catalogue['trainings'], 'formation')}, "
                f"{_plural(catalogue['sessions'], 'session')}, "
                f"{_plural(sales['contracts'], 'contrat')}, {_plural(billing['invoices'], 'facture')}"
                f" (dont {billing['overdue']} en retard)")
        state = "créées" if created else "déjà présentes, rien n'a été modifié"
        self.stdout.write(f"Données d'activité {state} ({time.monotonic() - started:.1f} s).")
        for problem in problems:
            # Collections never guess a legal rate: the missing value is said, not invented.
            self.stdout.write(self.style.WARNING(f"Recouvrement — {problem}"))
        if problems:
            self.stdout.write(self.style.WARNING(
                f"→ Donnée légale à saisir avec sa source : connectez-vous en {OPERATOR_EMAIL}, "
                "page « Données légales » (/plateforme/donnees-legales/) ; les relances, "
                "elles, sont déjà calculées."))
        self.stdout.write(f"\nMot de passe de tous les comptes : {DEMO_PASSWORD}")

    def _logins(self, logins: Any) -> None:
        widths = [
            max(len(getattr(login, attr)) for login in logins) for attr in ("organisation", "role", "email")
        ]
        header = ("Organisation", "Rôle", "Identifiant")
        widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        self.stdout.write(self.style.MIGRATE_HEADING("Comptes de démonstration"))
        self.stdout.write(line)
        self.stdout.write("  ".join("-" * w for w in widths))
        for login in logins:
            cells = (login.organisation, login.role, login.email)
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
