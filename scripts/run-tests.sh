#!/usr/bin/env bash
# The whole suite on the embedded SQLite default (browser tests included), then every
# database-backed test (marked django_db) again on a temporary PostgreSQL server; the pure and
# CLI tests do not touch the database and run once.
set -euo pipefail
cd "$(dirname "$0")/.."
export NMGUARD_DATA_DIR
NMGUARD_DATA_DIR=$(mktemp -d /tmp/nmguard-test-data.XXXXXX)
trap 'rm -rf "$NMGUARD_DATA_DIR"' EXIT
unset NMGUARD_DATABASE_URL
echo "== NEMA NU 1 uniformity against pylinac on the same floods (pylinac in its own environment: its pydicom pin conflicts)"
.venv/bin/python bench/qc_uniformity.py --install --venv .venv-pylinac --n 2
echo "== tests on SQLite"
.venv/bin/python -m pytest "$@"
echo "== tests on PostgreSQL"
scripts/with-postgres.sh .venv/bin/python -m pytest -m "django_db and not browser" "$@"
