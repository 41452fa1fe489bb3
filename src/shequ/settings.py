"""Settings, read from the environment (12-factor). See docs/architecture.md for every variable."""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = os.environ


def _flag(name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# development (default), production or test.
SHEQU_ENV = env.get("SHEQU_ENV", "development")
PRODUCTION = SHEQU_ENV == "production"
DEBUG = _flag("SHEQU_DEBUG", not PRODUCTION)

DATA_DIR = Path(env.get("SHEQU_DATA_DIR", Path.cwd() / "data")).resolve()
MEDIA_ROOT = Path(env.get("SHEQU_MEDIA_DIR", DATA_DIR / "media"))
STATIC_ROOT = Path(env.get("SHEQU_STATIC_DIR", DATA_DIR / "static"))

# Development values are public on purpose; production refuses them below.
DEV_SECRET_KEY = "shequ-development-secret-key-do-not-use-in-production"  # noqa: S105 # nosec B105 # refused in production below
DEV_ENCRYPTION_KEY = "dev1:c2hlcXUtZGV2ZWxvcG1lbnQta2V5LTMyLWJ5dGVzISE="
DEV_BLIND_INDEX_KEY = "shequ-development-blind-index-key"

SECRET_KEY = env.get("SHEQU_SECRET_KEY", DEV_SECRET_KEY)
# Comma-separated "key-id:base64(32 bytes)"; the first encrypts, all decrypt (rotation).
ENCRYPTION_KEYS = env.get("SHEQU_ENCRYPTION_KEYS", "" if PRODUCTION else DEV_ENCRYPTION_KEY)
BLIND_INDEX_KEY = env.get("SHEQU_BLIND_INDEX_KEY", "" if PRODUCTION else DEV_BLIND_INDEX_KEY)

# Two factors (password + authenticator code) for every staff role: always in production; in a
# development or demo install only when asked for, so the demo can be clicked through at once.
MFA_FOR_STAFF = _flag("SHEQU_MFA_FOR_STAFF", PRODUCTION)
MFA_ISSUER = env.get("SHEQU_MFA_ISSUER", "Shequ 社区")

if PRODUCTION:
    problems = []
    if not MFA_FOR_STAFF:
        problems.append("SHEQU_MFA_FOR_STAFF cannot be turned off in production")
    if DEBUG:
        problems.append("SHEQU_DEBUG must be off in production")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("SHEQU_SECRET_KEY must be set to a random value of at least 50 characters")
    if not ENCRYPTION_KEYS or DEV_ENCRYPTION_KEY in ENCRYPTION_KEYS:
        problems.append("SHEQU_ENCRYPTION_KEYS must be set (see docs/security.md)")
    if not BLIND_INDEX_KEY or BLIND_INDEX_KEY == DEV_BLIND_INDEX_KEY:
        problems.append("SHEQU_BLIND_INDEX_KEY must be set")
    if problems:
        raise ImproperlyConfigured("Shequ refuses to start in production: " + "; ".join(problems))

ALLOWED_HOSTS = [h for h in env.get("SHEQU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env.get("SHEQU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' assets from the package, not a CDN
    "shequ.core",
    "shequ.registry",
    "shequ.resources",
    "shequ.appeals",
    "shequ.volunteering",
    "shequ.needs",
    "shequ.deliberation",
    "shequ.casework",
    "shequ.metrics",
    "shequ.reports",
    "shequ.demo",  # the demo community and `shequ demo`: above every domain app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shequ.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shequ.core.middleware.RequestContextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shequ.core.middleware.RequestLimitsMiddleware",  # before CSRF: its process_view reads the body first
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shequ.core.middleware.DatabaseReachableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shequ.core.middleware.UserLanguageMiddleware",
    "shequ.core.middleware.IdleTimeoutMiddleware",
    "shequ.core.middleware.PasswordExpiryMiddleware",
    "shequ.core.middleware.EngagementEndedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shequ.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.core.context_processors.shell",
            ],
        },
    },
]

DATABASE_URL = env.get("DATABASE_URL", "")
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'shequ.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while a writer commits; IMMEDIATE avoids "database is locked" upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
if env.get("SHEQU_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env["SHEQU_TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shequ.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shequ.core.passwords.MaximumLengthValidator"},
    {"NAME": "shequ.core.passwords.StaffRulesValidator"},
]
# Staff accounts (every role but resident and volunteer): a minimum that may be raised, and the
# composition and expiry rules some 等保 assessments ask for, off by default (docs/security.md).
PASSWORD_MIN_LENGTH_STAFF = max(10, int(env.get("SHEQU_PASSWORD_MIN_LENGTH_STAFF", "10")))
PASSWORD_CHARACTER_CLASSES_STAFF = int(env.get("SHEQU_PASSWORD_CHARACTER_CLASSES_STAFF", "0"))
PASSWORD_MAX_AGE_DAYS_STAFF = int(env.get("SHEQU_PASSWORD_MAX_AGE_DAYS_STAFF", "0"))

# Lockout: 5 failures in a row lock an account for 30 minutes (never for good); an address with many
# failures across accounts (password spraying) is held off for a while before any password is checked.
LOGIN_FAILURE_LIMIT = int(env.get("SHEQU_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(env.get("SHEQU_LOGIN_LOCKOUT_SECONDS", str(30 * 60)))
LOGIN_ADDRESS_LIMIT = int(env.get("SHEQU_LOGIN_ADDRESS_LIMIT", "20"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(env.get("SHEQU_LOGIN_ADDRESS_WINDOW_SECONDS", str(15 * 60)))
SESSION_IDLE_SECONDS = int(env.get("SHEQU_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_IDLE_SECONDS_STAFF = int(env.get("SHEQU_SESSION_IDLE_SECONDS_STAFF", str(15 * 60)))
# However busy: a session ends 8 hours after sign-in (IdleTimeoutMiddleware; the cookie's age slides).
SESSION_ABSOLUTE_SECONDS = int(env.get("SHEQU_SESSION_ABSOLUTE_SECONDS", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A token lasts 12 hours (a working day); a client renews it with POST /api/auth/token/refresh.
API_TOKEN_HOURS = int(env.get("SHEQU_API_TOKEN_HOURS", "12"))

# Cookies are Secure wherever the site is served over HTTPS (always in production).
_https = _flag("SHEQU_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
LANGUAGE_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _flag("SHEQU_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _flag("SHEQU_HSTS_PRELOAD", False)
if env.get("SHEQU_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if not PRODUCTION or SECURE_HSTS_PRELOAD else ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Static files are collected (`make assets`, and `shequ serve` when they changed) under hashed names,
# each with a gzip copy, so WhiteNoise can answer them compressed and cached for a year (issue 16).
# The test suite keeps Django's plain storage (conftest.py); tests/test_static_files.py proves this one.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("SHEQU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

SITE_TITLE = _("Community governance")

# The task queue (issue 6): Redis in production (run `shequ worker`); else SQLite in the data folder,
# consumed inside `shequ serve`.
REDIS_URL = env.get("SHEQU_REDIS_URL", "")

# Volunteering (issue 7): points per confirmed hour of service, and how long before an activity starts
# a volunteer may still cancel their sign-up (an organiser may set another deadline per activity).
VOLUNTEER_POINTS_PER_HOUR = int(env.get("SHEQU_VOLUNTEER_POINTS_PER_HOUR", "10"))
VOLUNTEER_CANCEL_HOURS = int(env.get("SHEQU_VOLUNTEER_CANCEL_HOURS", "2"))

# Minors, bulk data and evaluators (issue 9; docs/security.md "Sensitive access").
# A third-party evaluator's role ends this many days after it is granted unless an end date is given.
EVALUATOR_ENGAGEMENT_DAYS = int(env.get("SHEQU_EVALUATOR_ENGAGEMENT_DAYS", "365"))
# A sensitive-access grant (minors, bulk export, case notes) lasts at most this many days.
GRANT_MAX_DAYS = min(90, max(1, int(env.get("SHEQU_GRANT_MAX_DAYS", "30"))))
# An export of more rows of personal data than this is a bulk export: it needs an approved grant.
BULK_EXPORT_ROWS = max(1, int(env.get("SHEQU_BULK_EXPORT_ROWS", "100")))

# Retention (issue 9): each app registers the kinds of record it anonymises once they are older than
# their days (core/extensions.py: RetentionKind, with its default); SHEQU_RETENTION_<KIND>_DAYS sets
# another. The audit log is kept at least 180 days (Cybersecurity Law art. 21): a shorter
# SHEQU_AUDIT_RETENTION_DAYS refuses to start.
RETENTION = {
    match.group(1).lower(): int(value)
    for name, value in env.items()
    if (match := re.fullmatch(r"SHEQU_RETENTION_([A-Z_]+)_DAYS", name))
}
AUDIT_RETENTION_MIN_DAYS = 180
AUDIT_RETENTION_DAYS = int(env.get("SHEQU_AUDIT_RETENTION_DAYS", "365"))
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"SHEQU_AUDIT_RETENTION_DAYS is {AUDIT_RETENTION_DAYS}: the audit log must be kept at least "
        f"{AUDIT_RETENTION_MIN_DAYS} days (Cybersecurity Law art. 21)"
    )
if any(days < 1 for days in RETENTION.values()):
    raise ImproperlyConfigured("every SHEQU_RETENTION_<KIND>_DAYS must be at least 1")
