"""SQL for the database triggers that make the audit trail and signatures append-only.

Used by migration ``core.0002_audit_append_only``; change it only together with a new migration.
PostgreSQL row triggers do not fire on TRUNCATE; the hash chain's head row still reveals a
truncated trail.
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("core_auditevent", "core_signature")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION nmguard_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create_statements(vendor: str) -> list[str]:
    statements: list[str] = []
    if vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for op in ("update", "delete"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
    elif vendor == "postgresql":
        statements.append(PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION nmguard_refuse_change();"
            )
    return statements


def drop_statements(vendor: str) -> list[str]:
    statements: list[str] = []
    for table in APPEND_ONLY_TABLES:
        if vendor == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
        elif vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    return statements
