"""Backup and restore of a PostgreSQL deployment: the database (`pg_dump`, custom format) and
the media files (a tar), with a manifest of row counts per table and SHA-256 checksums, so
that a restore is checked, not hoped for (docs/production.md, « Sauvegarde et restauration »).

Operators type `ofelia backup DIR` and `ofelia restore DIR`; the PostgreSQL client programs
(`pg_dump`, `pg_restore`, Debian package postgresql-client) must be on PATH."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connection

from . import clock

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"


class BackupError(Exception):
    pass


def _libpq(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection options of the PostgreSQL tools, the password in their environment."""
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432),
            "--username", str(db.get("USER") or "postgres")]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def conninfo(db: dict[str, Any]) -> str:
    return psycopg.conninfo.make_conninfo(
        host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None, dbname=db["NAME"])


def database_url(db: dict[str, Any]) -> str:
    """A `DATABASE_URL` for these connection settings (the processes a test starts use it)."""
    auth = str(db.get("USER") or "postgres") + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def table_counts(db: dict[str, Any]) -> dict[str, int]:
    """Rows per table of the public schema (Django's tables and any other)."""
    with psycopg.connect(conninfo(db)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {name: int(conn.execute(
            psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(name))
        ).fetchone()[0]) for name in names}  # type: ignore[index]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise BackupError("La sauvegarde outillée vise PostgreSQL ; avec SQLite, copiez le "
                          "fichier de la base à l'arrêt.")
    return dict(connection.settings_dict)


def backup(directory: Path, *, media_root: Path | None = None) -> dict[str, Any]:
    """Writes DIR/database.dump, DIR/media.tar.gz and DIR/manifest.json; returns the manifest."""
    db = _database()
    directory.mkdir(parents=True, exist_ok=True)
    args, env = _libpq(db)
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                           "--file", str(directory / DUMP), *args, str(db["NAME"])],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_dump a échoué : {done.stderr.strip()}")
    media = Path(media_root or settings.MEDIA_ROOT)
    with tarfile.open(directory / MEDIA, "w:gz") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(media)), recursive=False)
    manifest = {"created_at": clock.now().isoformat(), "database": db["NAME"],
                "tables": table_counts(db),
                "files": {name: sha256(directory / name) for name in (DUMP, MEDIA)}}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def restore(directory: Path, *, database_url: str | None = None,
            media_root: Path | None = None) -> dict[str, Any]:
    """Restores DIR into the database (the configured one, or `database_url`, which must
    exist, empty or not: its objects are replaced) and the media into MEDIA_ROOT; checks the
    files' checksums first and the row counts after. Returns {"tables": ..., "files": ...}."""
    manifest = json.loads((directory / MANIFEST).read_text())
    for name, expected in manifest["files"].items():
        if sha256(directory / name) != expected:
            raise BackupError(f"{name} ne correspond pas au manifeste : sauvegarde abîmée.")
    db = dj_database_url.parse(database_url) if database_url else _database()
    args, env = _libpq(db)
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                           "--no-privileges", "--single-transaction", "--exit-on-error",
                           "--dbname", str(db["NAME"]), *args, str(directory / DUMP)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_restore a échoué : {done.stderr.strip()}")
    media = Path(media_root or settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA, "r:gz") as tar:
        # Only plain files and folders inside MEDIA_ROOT (no links, no absolute paths).
        tar.extractall(media, filter="data")
    counts = table_counts(db)
    if counts != manifest["tables"]:
        differ = sorted(t for t in set(counts) | set(manifest["tables"])
                        if counts.get(t) != manifest["tables"].get(t))
        raise BackupError("Nombre de lignes différent après restauration : " + ", ".join(differ))
    return {"tables": counts, "files": manifest["files"]}
