"""PostgreSQL only: prefix search on learners' names and e-mail within an organisation.

Django's `istartswith` reads `UPPER(col::text) LIKE UPPER('x%')`; a btree on that expression
with `text_pattern_ops` serves it whatever the database collation. SQLite has no operator
classes and scans (fine at its scale)."""

from django.db import migrations

COLUMNS = ("last_name", "first_name", "email")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS learner_{column}_prefix ON organisations_learner "
            f"(organisation_id, upper(({column})::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS learner_{column}_prefix")


class Migration(migrations.Migration):
    dependencies = [("organisations", "0004_person_lists_by_name_indexes")]
    operations = [migrations.RunPython(create, drop)]
