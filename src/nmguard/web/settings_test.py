"""Test settings: a fast password hasher; the database comes from the environment as usual."""

from nmguard.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # flush after transactional tests must pass the audit tables' append-only triggers
    DATABASES["default"]["ENGINE"] = "tests.sqlite_backend"  # noqa: F405
NMGUARD_JOB_THREAD = False  # tests run the queue explicitly (run_next_job)
