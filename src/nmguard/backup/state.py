"""What a backup records of a database and a restore compares: applied migrations, the audit chain's
length and head, and whether the database holds data. Plain SQL through any DB-API cursor (sqlite3,
psycopg), so the same reading serves the SQLite copy, a PostgreSQL snapshot and a restore target. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nmguard.backup.archive import AuditState
from nmguard.integrity.hashchain import GENESIS_HASH

_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = ANY (current_schemas(false))",
}


@dataclass(frozen=True)
class DatabaseState:
    tables: frozenset[str]
    migrations: tuple[str, ...]
    audit: AuditState
    users: int

    @property
    def holds_data(self) -> bool:
        """Users or audit events: every record a person made is attributed to a user and audited."""
        return self.users > 0 or self.audit.events > 0


def empty_state() -> DatabaseState:
    """A database with no tables yet (a new data folder)."""
    return DatabaseState(frozenset(), (), AuditState(0, 0, GENESIS_HASH), 0)


def _scalar(cursor: Any, sql: str) -> Any:
    cursor.execute(sql)
    row = cursor.fetchone()
    return row[0] if row else None


def read_state(cursor: Any, engine: str) -> DatabaseState:
    """The state of the database behind ``cursor`` (``engine``: "sqlite" or "postgresql"); an empty
    database (no tables) reads as no migrations, no events, no users."""
    cursor.execute(_TABLES_SQL[engine])
    tables = frozenset(str(row[0]) for row in cursor.fetchall())
    migrations: tuple[str, ...] = ()
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = tuple(f"{app}.{name}" for app, name in cursor.fetchall())
    events, head = 0, (0, GENESIS_HASH)
    if "core_auditevent" in tables:
        events = int(_scalar(cursor, "SELECT COUNT(*) FROM core_auditevent"))
    if "core_audithead" in tables:
        cursor.execute("SELECT last_seq, last_hash FROM core_audithead WHERE id = 1")
        row = cursor.fetchone()
        head = (int(row[0]), str(row[1])) if row else head
    users = int(_scalar(cursor, "SELECT COUNT(*) FROM core_user")) if "core_user" in tables else 0
    return DatabaseState(tables, migrations, AuditState(events, head[0], head[1]), users)
