"""Test settings: a fast password hasher; the database comes from the environment as usual."""

from nmguard.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
