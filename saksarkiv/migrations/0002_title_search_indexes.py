"""Trigram indexes for searching titles (the admin's search and the public journal's), so that a
search stays fast with hundreds of thousands of journal posts. PostgreSQL only; SQLite scans."""

from django.db import migrations

COLUMNS = (
    ("saksarkiv_journalpost", "tittel"),
    ("saksarkiv_journalpost", "offentlig_tittel"),
    ("saksarkiv_saksmappe", "tittel"),
    ("saksarkiv_saksmappe", "offentlig_tittel"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        # Django's icontains compares UPPER(column::text) LIKE UPPER(%s): index that expression.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("saksarkiv", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
