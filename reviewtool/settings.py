"""One settings file. Every varying value comes from the environment.

With no environment at all the app runs embedded: SQLite under var/, Celery tasks executed inline,
uploads under var/media, a generated development key. With DATABASE_URL and REDIS_URL set it runs
on PostgreSQL with real Celery workers, and then SECRET_KEY must be given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
EMBEDDED = not DATABASE_URL and not REDIS_URL

# Off unless asked for (`make dev`, DEBUG=1): Django's debug page shows the settings (the database
# and broker URLs with their passwords) and tracebacks to whoever makes a request fail.
DEBUG = env_bool("DEBUG", False)
# A deployment (a database or broker given, DEBUG off) gets the HTTPS hardening and hashed static
# files. Not the embedded `make run`, which serves plain http on 127.0.0.1: a secure-only session
# cookie would never come back there, so no one could log in.
DEPLOYED = not EMBEDDED and not DEBUG

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not EMBEDDED and not env_bool("ALLOW_DEV_SECRET_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DATABASE_URL or REDIS_URL is set (production mode)"
        )
    # Embedded mode: a key kept under var/ so sessions survive a restart of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG or EMBEDDED else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    # Failed logins counted per username (the login page, the admin's and the token endpoint).
    "axes",
    "screening",
    "extraction",
]

MIDDLEWARE = [
    "reviewtool.middleware.ServerTimingMiddleware",
    # An API client's 4xx as JSON with a "detail", also Django's and ninja's own (404, 405, 400).
    "reviewtool.api_errors.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "reviewtool.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A page's NotFound, NotAllowed or other ServiceError as the app's 404, 403 or 400 page.
    "reviewtool.middleware.DomainErrorsMiddleware",
    # A login refused for too many failures: the form or the API's 429 (reviewtool/login_limits.py).
    "axes.middleware.AxesMiddleware",
    # Last, so that its 400 page knows who is logged in.
    "reviewtool.nul_characters.RefuseUnstorableInputMiddleware",
]

ROOT_URLCONF = "reviewtool.urls"
WSGI_APPLICATION = "reviewtool.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "screening.context_processors.vocabulary",
            ],
        },
    },
]

# Every SQLite database, the embedded default or one named by DATABASE_URL (sqlite:///...): WAL
# and a busy timeout let web processes and an inline task share the file, and each transaction
# begins IMMEDIATE, taking the write lock at its start: a deferred one that read first and wrote
# second could find another writer ahead of it and fail at once, "database is locked" (20
# identical votes at once through 4 gunicorn workers on sqlite:/// gave 9 to 17 500s; with
# these options, none: 20 of 20 answered 201).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Send parameters apart from the SQL: an import's bulk insert of 100k records spends
        # most of its time quoting values into the statement with client-side binding.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        # No JIT: the screening queries stop after a few rows, but a LIMIT over per-row probes is
        # priced high enough to trigger it, and compiling such a query costs far more than running
        # it (benchmarks/RESULTS.md).
        options["options"] = "-c jit=off"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "reviewtool.sqlite3",
            "OPTIONS": {**SQLITE_OPTIONS},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every login (the page, the admin's, POST /api/v1/auth/token) asks django-axes first: after
# LOGIN_FAILURE_LIMIT failures for a username, further attempts, even with the right password,
# are refused until LOGIN_LOCKOUT_MINUTES have passed without one; a success clears the count.
# By username, not address: behind the proxy every client could share one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a count without the address can be dodged by changing user agent or
# cookies: not one kept per username, which neither changes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no "AXES: BEGIN" line on stderr at every start of every command
AXES_LOCKOUT_CALLABLE = "reviewtool.login_limits.lockout_response"
# An API token stops working this many days after it was issued (0: never).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if DEPLOYED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# A deployment serves what collectstatic gathered (hashed names, cached for a year). The embedded
# mode serves static/ as it is, with DEBUG off too (runserver then serves none itself), so
# `make run` and a bare `manage.py runserver` need no collectstatic first.
WHITENOISE_USE_FINDERS = not DEPLOYED
if WHITENOISE_USE_FINDERS:
    # Empty here, but WhiteNoise warns at every start of `make run` when it is missing.
    with contextlib.suppress(OSError):
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# The largest export or full-text PDF a user may upload (bytes). Above it: 413.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest full-text PDF (bytes); larger gets 413.
REPORT_MAX_BYTES = env_int("REPORT_MAX_BYTES", 50 * 1024 * 1024)

# Screening hands each reviewer a reference others are not reading (a soft claim). Shared
# between web processes through Redis when there is one; one process's memory otherwise.
CACHES = {
    "default": {
        "BACKEND": "reviewtool.cache.PooledRedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that stops answering costs a request this long, then is left alone a few
        # seconds (reviewtool/cache.py): screening goes on without its hints.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery: with REDIS_URL unset, tasks run inline in the calling process and their errors propagate.
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Chords (a dedup run split over workers) need a result backend: the same Redis.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False  # per task: only idempotent tasks ask for acks_late
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
# The reaper (screening.services.jobs.jobs_reap; `manage.py reap_jobs`, and every worker at start
# and every JOB_REAP_INTERVAL_SECONDS): a job `running` for longer than JOB_STALE_SECONDS that no
# live worker holds is re-queued, or failed once it has been tried JOB_MAX_ATTEMPTS times; a job
# `queued` for longer than JOB_QUEUED_STALE_SECONDS is failed; an upload no unfinished job reads
# is removed once older than UPLOAD_ORPHAN_SECONDS.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 15 * 60)
JOB_QUEUED_STALE_SECONDS = env_int("JOB_QUEUED_STALE_SECONDS", 60 * 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_REAP_INTERVAL_SECONDS = env_int("JOB_REAP_INTERVAL_SECONDS", 5 * 60)
UPLOAD_ORPHAN_SECONDS = env_int("UPLOAD_ORPHAN_SECONDS", 60 * 60)
# A worker runs at this much lower CPU priority (nice) than the web processes: a retrain, an
# import or a dedup run takes what the screening page's requests leave, on a machine they share
# (reviewtool/celery.py; 0 leaves the worker at the web's priority).
WORKER_NICENESS = env_int("WORKER_NICENESS", 10)

NINJA_PAGINATION_MAX_LIMIT = 1000

# How many pairs one dedup worker task compares; a run with more is split over the workers.
DEDUP_CHUNK_PAIRS = env_int("DEDUP_CHUNK_PAIRS", 20000)

# Production hardening, on in a deployment (see DEPLOYED); each can be set on its own.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", DEPLOYED)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", DEPLOYED)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", DEPLOYED)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if DEPLOYED else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # a view that must be framed (the PDF viewer) says so itself
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: pages carry the token in the body's hx-headers.
CSRF_COOKIE_HTTPONLY = True
# Script and style from our own static files only; style attributes (the charts' SVG, a few
# widths) allowed; frames of our own (the full-text PDF). Sent with HTML and SVG answers
# (reviewtool/security_headers.py). The one <style> allowed by its hash is the one htmx adds for
# its request indicators (tests/reviewtool/test_accounts_login.py recomputes it from htmx).
HTMX_INDICATOR_STYLE_HASH = "sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk="
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' '{HTMX_INDICATOR_STYLE_HASH}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
