from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from ofelia.organisations.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Crée (une seule fois) les cinq organisations de démonstration et un utilisateur par rôle."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("fr"):
            logins = load_demo()
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
        self.stdout.write(f"\nMot de passe de tous les comptes : {DEMO_PASSWORD}")
