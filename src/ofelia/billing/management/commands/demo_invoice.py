from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ofelia.billing.demo import demo_invoice_pdf


class Command(BaseCommand):
    help = "Écrit une facture d'exemple (PDF Factur-X EN 16931) d'une organisation de démonstration."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="fichier PDF à écrire")
        parser.add_argument("--organisation", default="dixneuf", help="dixneuf, formagogy, ...")

    def handle(self, *args: Any, **options: Any) -> None:
        if "billing_invoice" not in connection.introspection.table_names():
            raise CommandError("Base de données non initialisée : lancer d'abord « ofelia migrate ».")
        try:
            pdf = demo_invoice_pdf(slug=options["organisation"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        path = Path(options["output"])
        path.write_bytes(pdf)
        self.stdout.write(f"Facture d'exemple écrite : {path} ({len(pdf)} octets, Factur-X EN 16931)")
