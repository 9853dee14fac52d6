"""Production settings: everything in :mod:`settings` plus HTTPS-only hardening.

``python -m django check --deploy --settings nmguard.web.settings_production`` is clean.
Set ``NMGUARD_SECRET_KEY`` and ``NMGUARD_ALLOWED_HOSTS`` in the service's environment.
"""

from nmguard.web.settings import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WHITENOISE_USE_FINDERS = False
