"""`ofelia restore DIR`: checksums checked, database and media restored, row counts compared."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ofelia.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restaure une sauvegarde d'`ofelia backup` (base et media) et vérifie le nombre de "
            "lignes de chaque table.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="dossier écrit par `ofelia backup`")
        parser.add_argument("--database-url", default=None,
                            help="base cible (par défaut celle de DATABASE_URL) ; elle doit exister")

    def handle(self, *args: Any, directory: Path, database_url: str | None, **options: Any) -> None:
        try:
            result = restore(directory, database_url=database_url)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restauration vérifiée : {len(result['tables'])} tables, "
                          f"{sum(result['tables'].values())} lignes identiques au manifeste.")
