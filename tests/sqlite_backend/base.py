"""SQLite backend for the test suite only: lets Django's flush (used after transactional tests)
empty the append-only audit tables by lifting their triggers around the DELETEs.

In a real installation ``flush`` is refused by the triggers, as it should be.
"""

from django.db.backends.sqlite3 import base, operations

from nmguard.apps.core.append_only import create_statements, drop_statements


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        return drop_statements("sqlite") + statements + create_statements("sqlite")


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
