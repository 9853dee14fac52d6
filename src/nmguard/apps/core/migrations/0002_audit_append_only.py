"""Database triggers that refuse UPDATE and DELETE on audit events and signatures.

The hash chain detects an edit made by someone who can drop these triggers (a DBA); the triggers
stop everyone else, including a bug in our own code, from editing the trail at all.
"""

from django.db import migrations

TABLES = ("core_auditevent", "core_signature")


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
    ]


def _postgres(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION nmguard_refuse_change();",
    ]


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION nmguard_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    if vendor == "sqlite":
        for table in TABLES:
            statements += _sqlite(table)
    elif vendor == "postgresql":
        statements.append(PG_FUNCTION)
        for table in TABLES:
            statements += _postgres(table)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
