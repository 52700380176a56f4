"""Issue 14 item 6: the restore drill. A populated database and its media are backed up
(`ofelia backup`: pg_dump custom format + media tar + manifest), restored into a fresh
database (`ofelia restore --database-url`), and compared: rows per table, an invoice PDF file
byte for byte, a PDF stored in the database byte for byte. A damaged backup is refused."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from ofelia.billing.models import DunningStep
from ofelia.billing.pdf import invoice_pdf
from ofelia.billing.services import invoice_create_draft, invoice_issue
from ofelia.billing.tests.conftest import draft_fields, make_organisation
from ofelia.core.backup import DUMP, BackupError, conninfo, database_url, restore, table_counts
from ofelia.organisations.testing import make_member

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_database(transactional_db: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("exercice de restauration PostgreSQL (pg_dump / pg_restore) : avec SQLite, "
                    "la sauvegarde est la copie du fichier de la base")
    s = dict(connection.settings_dict)
    target = {**s, "NAME": f"{s['NAME']}_restore"}
    admin = psycopg.conninfo.make_conninfo(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                                           user=s["USER"], password=s["PASSWORD"] or None,
                                           dbname="postgres")

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
    run(f'CREATE DATABASE "{target["NAME"]}"')
    try:
        yield target
    finally:
        run(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


def test_i14_restore_drill_gives_back_every_row_and_the_same_pdf_bytes(
        fresh_database: dict[str, Any], tmp_path: Path, settings: Any) -> None:
    media, restored_media = tmp_path / "media", tmp_path / "media-restauré"
    settings.MEDIA_ROOT = media
    org = make_organisation("sauvegarde")
    make_member(org)
    invoices = [invoice_issue(actor=None, issue_date=date(2025, 3, 10), invoice=invoice_create_draft(
        actor=None, organisation=org, **draft_fields())) for _ in range(3)]
    pdf = invoice_pdf(invoices[0])
    (media / "factures").mkdir(parents=True)
    (media / "factures" / f"{invoices[0].number}.pdf").write_bytes(pdf)
    DunningStep.objects.create(organisation=org, invoice=invoices[1], step="formal_notice",
                               reached_on=date(2025, 5, 1), rule="PEN-D2", explanation="exercice",
                               letter_pdf=pdf)
    before = table_counts(dict(connection.settings_dict))

    backup_dir = tmp_path / "sauvegarde"
    call_command("backup", str(backup_dir))
    assert {p.name for p in backup_dir.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    call_command("restore", str(backup_dir), "--database-url", database_url(fresh_database))
    # The command restored media into MEDIA_ROOT; the drill also restores into a fresh folder.
    result = restore(backup_dir, database_url=database_url(fresh_database), media_root=restored_media)

    after = table_counts(fresh_database)
    assert after == before == result["tables"]
    assert after["billing_invoice"] == 3 and after["django_migrations"] > 0
    restored_pdf = (restored_media / "factures" / f"{invoices[0].number}.pdf").read_bytes()
    assert hashlib.sha256(restored_pdf).hexdigest() == hashlib.sha256(pdf).hexdigest()
    with psycopg.connect(conninfo(fresh_database)) as conn:
        stored = conn.execute("SELECT letter_pdf FROM billing_dunningstep").fetchone()[0]
        numbers = [r[0] for r in conn.execute("SELECT number FROM billing_invoice ORDER BY number")]
    assert bytes(stored) == pdf
    assert numbers == sorted(i.number for i in invoices)

    # A damaged dump is refused before anything is touched.
    dump = backup_dir / DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="abîmée"):
        restore(backup_dir, database_url=database_url(fresh_database), media_root=restored_media)
