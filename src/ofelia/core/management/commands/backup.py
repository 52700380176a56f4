"""`ofelia backup DIR`: database (pg_dump custom format), media (tar) and a manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ofelia.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sauvegarde la base PostgreSQL (pg_dump) et les fichiers media dans un dossier."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="dossier de la sauvegarde (créé au besoin)")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            manifest = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"Sauvegarde écrite dans {directory} : {len(manifest['tables'])} tables, "
                          f"{rows} lignes, manifeste {directory / 'manifest.json'}.")
