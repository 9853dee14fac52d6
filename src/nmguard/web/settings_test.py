"""Test settings: a fast password hasher; the database comes from the environment as usual."""

import os

from nmguard.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # flush after transactional tests must pass the audit tables' append-only triggers
    DATABASES["default"]["ENGINE"] = "tests.sqlite_backend"  # noqa: F405
    # A file, as in a real installation, not Django's in-memory shared-cache test database: there the
    # live server's and the job worker's threads got "database table is locked" at once (shared-cache
    # table locks ignore the busy timeout), which made the browser test of a dosimetry run flaky.
    # One file per test process: two test runs at once (two engineers' terminals, an editor's test runner)
    # would otherwise create and destroy each other's tables ("no such table: core_user").
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-nmguard-{os.getpid()}.sqlite3")}  # noqa: F405
NMGUARD_JOB_THREAD = False  # tests run the queue explicitly (run_next_job)
# no automatic audit checkpoints: test databases come and go, the data folder stays (tests that check
# checkpoints give themselves a data folder and write them explicitly)
NMGUARD_AUDIT_CHECKPOINTS = False
# running jobs renew their lease from the calculation's progress only: a heartbeat thread would write through a
# second connection while a test holds the database in its transaction
NMGUARD_JOB_HEARTBEAT_S = 0
