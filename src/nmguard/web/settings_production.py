"""Production settings: everything in :mod:`settings` plus HTTPS-only hardening.

``python -m django check --deploy --settings nmguard.web.settings_production`` is clean.
Set ``NMGUARD_SECRET_KEY`` and ``NMGUARD_ALLOWED_HOSTS`` in the service's environment, and behind an
HTTPS proxy ``NMGUARD_TRUSTED_PROXY`` (its address): without it the forwarded scheme is not believed,
every request looks like plain HTTP and is redirected to https, which through the proxy is a loop.
``SECURE_PROXY_SSL_HEADER`` comes from :mod:`settings` (set only when a proxy is trusted).
"""

from nmguard.web.settings import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# WHITENOISE_USE_FINDERS stays True (from settings): nothing runs collectstatic, so with False the
# stylesheet, htmx and Swagger UI were 404 under `nmguard serve` and the pages unstyled and inert.
