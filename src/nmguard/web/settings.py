"""Django settings for NMGuard.

The embedded default is SQLite (WAL journal, foreign keys on) in the data folder;
``NMGUARD_DATABASE_URL`` (e.g. ``postgres://user:pw@host:5432/nmguard``) selects another database.
Production hardening lives in :mod:`nmguard.web.settings_production`.
"""

from __future__ import annotations

import ipaddress
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from nmguard.web.paths import data_dir, secret_key

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = os.environ.get("NMGUARD_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("NMGUARD_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "ninja",  # serves Swagger UI and ReDoc from its own static files, not from a CDN
    "nmguard.apps.core",
    "nmguard.apps.equipment",
    "nmguard.apps.radiopharmacy",
    "nmguard.apps.patients",
    "nmguard.apps.therapy",
    "nmguard.apps.protection",
    "nmguard.apps.quality",
]

MIDDLEWARE = [
    # first, so that its response half runs last and sees X-Frame-Options and every other header
    "nmguard.web.security_headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "nmguard.apps.core.middleware.ActorMiddleware",
    "axes.middleware.AxesMiddleware",
    # last, so that it wraps the view as ATOMIC_REQUESTS did: unsafe requests in one transaction, reads in none
    "nmguard.web.transactions.UnsafeRequestTransactionMiddleware",
]

ROOT_URLCONF = "nmguard.web.urls"
WSGI_APPLICATION = "nmguard.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nmguard.apps.core.context.nmguard",
            ],
            # when, sig, activity, person: one way to print times, numbers and people on every page.
            "builtins": ["nmguard.apps.core.templatetags.nmguard_format"],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("NMGUARD_DATABASE_URL")
    if url:
        # connections kept for 60 s are checked before reuse: after a PostgreSQL restart a dead one answered 500
        # no ATOMIC_REQUESTS: web.transactions wraps unsafe requests (POST, ...) in one transaction, reads in none
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "nmguard.sqlite3",
        "OPTIONS": {
            # WAL lets readers and one writer work together; foreign keys are on by default in
            # Django's SQLite backend, and the init command makes that explicit.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
            # every transaction (web.transactions' per unsafe request, record_event's, the services') takes the
            # write lock when it begins, so one that reads then writes waits (timeout) instead of failing at once
            # with "database is locked"; page views run in autocommit and take no lock (web.transactions)
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting (django-axes): lock a username+address after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # one working shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def _trusted_proxy() -> str | None:
    """``NMGUARD_TRUSTED_PROXY``: the address of the reverse proxy whose ``X-Forwarded-*`` headers
    waitress believes (default: none, so that no client can claim HTTPS or another address).
    One IP address as the server sees the proxy's connections, or ``*`` (any peer: only when
    nothing but the proxy can reach the server's port)."""
    value = os.environ.get("NMGUARD_TRUSTED_PROXY", "").strip()
    if not value or value == "*":
        return value or None
    try:
        return str(ipaddress.ip_address(value.strip("[]")))  # waitress compares the peer's address as text
    except ValueError:
        raise ImproperlyConfigured(
            f"NMGUARD_TRUSTED_PROXY={value!r} is not an IP address: give the proxy's address as this "
            "server sees it (e.g. 127.0.0.1), or * for any peer"
        ) from None


# Behind a reverse proxy (docs/deployment.md): waitress rewrites the scheme, host and client address
# from these headers of the trusted proxy only, and drops them from anyone else.
NMGUARD_TRUSTED_PROXY = _trusted_proxy()
NMGUARD_TRUSTED_PROXY_HEADERS = sorted(
    h.lower()
    for h in os.environ.get("NMGUARD_TRUSTED_PROXY_HEADERS", "x-forwarded-proto x-forwarded-for x-forwarded-host")
    .replace(",", " ")
    .split()
)
# The same trust for Django itself (e.g. under another WSGI server): a forwarded scheme counts only
# when a proxy is configured; otherwise any client could send the header and pass for HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NMGUARD_TRUSTED_PROXY else None

# Content-Security-Policy (nmguard.web.security_headers): everything from this server, no inline or
# evaluated script, no plugins, not framed by other sites; ``frame-ancestors`` follows each response's
# X-Frame-Options. Pages that need more carry their own policy (the sandboxed dosimetry report).
# Inline style is allowed: the QC, DRL and therapy pages embed matplotlib's SVG charts, which carry a
# <style> element and a style attribute on every path (varied values: no hash or nonce can list them);
# without it the charts lose their colours and lines. Script stays 'self' only.
NMGUARD_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],  # Swagger UI's icons are data: URIs in its stylesheet
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
}
# Permissions-Policy: no page needs any of these browser features; deny them to every origin.
NMGUARD_PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("NMGUARD_TIME_ZONE", "Europe/Vienna")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NMGUARD_LOG_LEVEL", "WARNING")},
}

# Times entered for measurements and administrations may lie at most this far in the future
# (clocks of devices and workstations differ a little); beyond it the entry is refused.
NMGUARD_FUTURE_MARGIN_MINUTES = int(os.environ.get("NMGUARD_FUTURE_MARGIN_MINUTES", "10"))
# Dosimetry jobs: run the queue in a daemon thread of the web process when a job is submitted (the
# embedded default). Set NMGUARD_JOB_THREAD=0 where `nmguard worker` processes run the queue instead.
NMGUARD_JOB_THREAD = os.environ.get("NMGUARD_JOB_THREAD", "1") != "0"


def _tuning_from_environment() -> dict[str, float | int | bool]:
    """Job and audit tuning, each set only when its environment variable is (the modules hold the defaults,
    with their reasons: ``dosimetry_jobs`` HEARTBEAT_S/LEASE_S/MAX_ATTEMPTS, ``audit`` CHECKPOINT_EVERY).

    - ``NMGUARD_JOB_HEARTBEAT_S`` (5): how often a running job renews its lease; 0: only on progress steps.
    - ``NMGUARD_JOB_LEASE_S`` (60): a lease older than this marks the attempt abandoned (kill -9, power cut);
      longer than the longest pause between a job's progress steps when the heartbeat is off.
    - ``NMGUARD_JOB_MAX_ATTEMPTS`` (3): attempts before an abandoned job ends failed.
    - ``NMGUARD_AUDIT_CHECKPOINT_EVERY`` (events between automatic signed checkpoints; 0: none but those
      after each passing ``audit verify``) and ``NMGUARD_AUDIT_CHECKPOINTS`` (0: no automatic checkpoints).
    ``NMGUARD_AUDIT_KEY`` (the key itself, instead of the ``audit_key`` file) is read where it is used."""
    casts = {
        "NMGUARD_JOB_HEARTBEAT_S": float,
        "NMGUARD_JOB_LEASE_S": float,
        "NMGUARD_JOB_MAX_ATTEMPTS": int,
        "NMGUARD_AUDIT_CHECKPOINT_EVERY": int,
        "NMGUARD_AUDIT_CHECKPOINTS": lambda text: text.strip() != "0",
    }
    out: dict[str, float | int | bool] = {}
    for name, cast in casts.items():
        if (text := os.environ.get(name)) is None:
            continue
        try:
            value = cast(text)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={text!r} is not a number") from None
        if not isinstance(value, bool) and value < 0:
            raise ImproperlyConfigured(f"{name}={text!r} must not be negative")
        out[name] = value
    return out


globals().update(_tuning_from_environment())
# Study folders that the API and the demo may start dosimetry jobs from.
NMGUARD_DICOM_INBOX = os.environ.get("NMGUARD_DICOM_INBOX", "")

# Outgoing mail (`nmguard quality send`): SMTP only when NMGUARD_EMAIL_HOST is set; without it the dummy backend,
# which reaches no server, and the send command refuses to run ("no mail server configured").
EMAIL_HOST = os.environ.get("NMGUARD_EMAIL_HOST", "").strip()
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'dummy'}.EmailBackend"
if not (_port := os.environ.get("NMGUARD_EMAIL_PORT", "25").strip()).isdigit():
    raise ImproperlyConfigured(f"NMGUARD_EMAIL_PORT={_port!r} must be a port number")
EMAIL_PORT = int(_port)
EMAIL_HOST_USER = os.environ.get("NMGUARD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NMGUARD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("NMGUARD_EMAIL_USE_TLS", "0") == "1"  # STARTTLS (port 587 as a rule)
EMAIL_TIMEOUT = 30  # seconds per connection: a silent server must not hang the cron job
DEFAULT_FROM_EMAIL = os.environ.get("NMGUARD_EMAIL_FROM", "nmguard@localhost")
