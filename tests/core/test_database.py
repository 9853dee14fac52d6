"""The embedded default: SQLite with WAL and foreign keys on; PostgreSQL when configured."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection


def test_wal_journal_in_the_embedded_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    env["NMGUARD_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "nmguard", "migrate"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "nmguard.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_foreign_keys_enforced():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    else:
        assert connection.vendor == "postgresql"
        assert os.environ.get("NMGUARD_DATABASE_URL", "").startswith("postgres")
