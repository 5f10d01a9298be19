"""Settings of the portal, read from the environment (see .env.example and README.md)."""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from danvan.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's .env (made from .env.example by `make`); real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false (see .env.example)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "danvan.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "bootstrap",
    "js_lib_htmx",
    "django_filters",
    "import_export",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "django_tasks",
    "django_tasks_db",
    "core",
    "organisations",
    "accounts",
    "models_registry",
    "reviews",
    "reports",
    "danvan",  # the site shell (label "portal")
    "demo",
]

MIDDLEWARE = [
    # Outermost (with its partner innermost): requests and their latency for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed once the static files are out of the way (they are compressed already).
    "danvan.middleware.PageCompressionMiddleware",
    # Every page after the static files: an id on the request, its log lines and its error
    # page, and one access line.
    "danvan.middleware.RequestIdMiddleware",
    # Outside the others, so a page answered by one of them (the query-string guard's 400)
    # carries the frame and content policies too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "danvan.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed the second step of sign-in.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "danvan.middleware.SessionLifetimeMiddleware",
    # A signed-in session that still owes its second step reaches only that step's pages.
    "danvan.middleware.TwoFactorMiddleware",
    "danvan.middleware.QueryStringGuardMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the log-in check: a signed-in person with a one-time password goes to change it.
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # Stamps every audit-trail row written during a request with the user and the URL.
    "pghistory.middleware.HistoryMiddleware",
    # Innermost but for axes: times the view itself, labelled with its URL name.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authenticate() into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "danvan.urls"
WSGI_APPLICATION = "danvan.wsgi.application"

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
                "danvan.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# DATABASE_URL selects a PostgreSQL server; without it the embedded server under var/ is
# started on demand and shared by every process of this checkout.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
else:
    from danvan.embedded_db import get_server

    _embedded = get_server(BASE_DIR / "var")
    _embedded.acquire()
    DATABASES = {"default": _embedded.django_settings()}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The same backend with every statement counted and timed for /metrics; its options (the URL's
# query, server-side binding, a pool) pass through unchanged.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "DJANGO_TEST_DATABASE_NAME", default="test_danvan"
)
# Behind pgBouncer in transaction pooling, each transaction may run on another server session:
# nothing may outlive a transaction in a session. So no server-side cursors (`.iterator()` reads
# a query's rows whole, on the client) and no prepared statements (Django leaves psycopg's off
# already; stated here so that an OPTIONS entry cannot turn them on).
DB_TRANSACTION_POOLING = env.bool("DJANGO_DB_TRANSACTION_POOLING", default=False)
if DB_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

# Parallel query workers per statement (PostgreSQL's max_parallel_workers_per_gather). A page's
# statements are short: workers started for one of them take cores from the other requests, and
# under load the portal answers a third fewer pages with them. -1 keeps the server's own value.
# Sent when connecting; behind pgBouncer (which refuses startup options) set it on the role.
DB_PARALLEL_WORKERS = env.int("DJANGO_DB_PARALLEL_WORKERS", default=0)
if DB_PARALLEL_WORKERS >= 0 and not DB_TRANSACTION_POOLING:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(
            None,
            [_options.get("options"), f"-c max_parallel_workers_per_gather={DB_PARALLEL_WORKERS}"],
        )
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "danvan.auth.PortalBackend",  # Django's, reading the bell's count with the user
]
# Django's own choice (PBKDF2-SHA256 at Django 5.2's iteration count); stated so tests of password
# handling can ask for exactly what the portal runs with.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Django's rules with Vietnamese messages (core.password_rules), on every form that sets one.
PASSWORD_MIN_LENGTH = env.int("DJANGO_PASSWORD_MIN_LENGTH", default=10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "core.password_rules.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.password_rules.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "core.password_rules.CommonPasswordValidator"},
    {"NAME": "core.password_rules.NumericPasswordValidator"},
]
# "Quên mật khẩu?": a reset link works once, for this long; requests are limited per e-mail
# address and per client address within the window, so nobody floods an inbox or the worker.
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_MINUTES", default=60) * 60
PASSWORD_RESET_RATE_LIMIT = env.int("DJANGO_PASSWORD_RESET_LIMIT", default=5)
PASSWORD_RESET_RATE_WINDOW = timedelta(hours=1)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout and absolute lifetime: enforced by danvan.middleware.SessionLifetimeMiddleware.
# The session row is not rewritten on every request: its expiry (and the cookie's) is renewed
# only once SESSION_REFRESH_INTERVAL has passed since the last renewal (a minute, or a tenth of
# the idle timeout when that is shorter), so a page costs no write to django_session.
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_LIFETIME = env.int("DJANGO_SESSION_MAX_HOURS", default=12) * 3600
SESSION_REFRESH_INTERVAL = min(60, SESSION_IDLE_TIMEOUT // 10)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Log-in lockout (django-axes): 5 failures lock that account from that client address. Keyed on
# both together, so a stranger elsewhere cannot lock a colleague out by typing their username.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The single sign-on gateway's answers are not counted as failed passwords.
AXES_WHITELIST_CALLABLE = "danvan.single_sign_on.exempt_from_lockout"
# Behind the documented reverse proxy (DJANGO_PROXY_COUNT=1) the client address is the one the
# proxy appended to X-Forwarded-For, never the proxy's own address.
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "danvan.client_address.client_ip"
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Wrong current passwords on the password-change page, counted per account (only a signed-in
# session reaches that page, so nobody else can use it to lock the account).
PASSWORD_CHANGE_FAILURE_LIMIT = AXES_FAILURE_LIMIT
PASSWORD_CHANGE_COOLOFF_TIME = AXES_COOLOFF_TIME

# Two-step sign-in (django-otp): anyone who set up an authenticator app enters its code after the
# password; holders of these roles must set one up. In production (no debug) reviewers and
# admins must; in development, the demo and the tests nobody must unless the variable says so.
OTP_REQUIRED_ROLES = env.list(
    "DJANGO_OTP_REQUIRED_ROLES", default=[] if DEBUG else ["reviewer", "admin"]
)
OTP_TOTP_ISSUER = "Cổng Dân vận khéo"
# Wrong codes wait 1, 2, 4, 8… seconds before the next try (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

# --- Single sign-on (OpenID Connect) ----------------------------------------------------------
# The province's gateway, offered on the log-in page beside the password form when switched on.
# Accounts are matched by the claim named here (stored on the account by its admin), never by
# e-mail; no account is ever created by a gateway log-in; locked accounts are refused.
OIDC_ENABLED = env.bool("DJANGO_OIDC_ENABLED", default=False)
OIDC_RP_CLIENT_ID = env.str("DJANGO_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("DJANGO_OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("DJANGO_OIDC_AUTHORIZATION_URL", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("DJANGO_OIDC_TOKEN_URL", default="")
OIDC_OP_USER_ENDPOINT = env.str("DJANGO_OIDC_USERINFO_URL", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("DJANGO_OIDC_JWKS_URL", default="")
OIDC_RP_SIGN_ALGO = env.str("DJANGO_OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_RP_SCOPES = env.str("DJANGO_OIDC_SCOPES", default="openid")
OIDC_CLAIM = env.str("DJANGO_OIDC_CLAIM", default="sub")
# Whether the gateway's own second step (its MFA) stands for the portal's: off, so anyone with
# an authenticator app still enters its code after a gateway log-in, and roles that require one
# still must set one up.
OIDC_SATISFIES_SECOND_STEP = env.bool("DJANGO_OIDC_SATISFIES_SECOND_STEP", default=False)
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("DJANGO_OIDC_TIMEOUT_SECONDS", default=15)
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name, value in {
            "DJANGO_OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
            "DJANGO_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "DJANGO_OIDC_AUTHORIZATION_URL": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "DJANGO_OIDC_TOKEN_URL": OIDC_OP_TOKEN_ENDPOINT,
            "DJANGO_OIDC_USERINFO_URL": OIDC_OP_USER_ENDPOINT,
            "DJANGO_OIDC_JWKS_URL": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"DJANGO_OIDC_ENABLED needs {', '.join(_oidc_missing)} (see README.md)."
        )
    AUTHENTICATION_BACKENDS.append("danvan.single_sign_on.GatewayBackend")

# --- HTTPS (production) --------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe and Prometheus scrapes the app servers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles, images and fonts from the portal only, and nothing written inline
# (templates keep scripts in static/js/ and styles in static/css/). Bootstrap's stylesheet draws
# its small icons (check marks, select arrows) as data: images.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- Language, time and formats ------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["danvan.formats"]
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Every file the portal keeps (see "Uploaded files" below).
    "private": {"BACKEND": "core.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Every page loads its files from this same site: no "Access-Control-Allow-Origin: *" on each.
# (The page-only policies, CSP and the frame rule, are set below whitenoise and never reach a
# static file; nosniff, set above it, is the one a script or a stylesheet needs.)
WHITENOISE_ALLOW_ALL_ORIGINS = False

# --- Import and export ------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Blank lines stay in the dataset so row numbers match the spreadsheet; importers skip them.
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = False
# Formula cells are neutralised by core.spreadsheets.FormulaSafeExportMixin (a leading
# apostrophe), not by import-export's option, which deletes the "=" and loses data.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_MAX_FILE_BYTES = env.int("DJANGO_IMPORT_MAX_MB", default=20) * 1024 * 1024
# A confirmed import of more rows than this is written by the background worker, with a progress
# bar, so that no request waits on it; smaller files are written within the request.
IMPORT_BACKGROUND_ROWS = env.int("DJANGO_IMPORT_BACKGROUND_ROWS", default=1000)
# An import file previewed and never confirmed (a closed tab) is removed by the worker after
# this many hours; confirming it later asks for the file again.
STAGED_FILE_HOURS = env.float("DJANGO_STAGED_FILE_HOURS", default=24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# What the admin role may do in the admin site (always limited to the admin's subtree). Themes and
# indicators are national lists: province admins see them, superusers change them.
ADMIN_ROLE_PERMISSIONS = [
    *(
        f"organisations.{action}_{model}"
        for model in ("organisation", "membership")
        for action in ("view", "add", "change", "delete")
    ),
    "models_registry.view_danvanmodel",
    "models_registry.change_danvanmodel",
    "models_registry.view_theme",
    "models_registry.view_indicator",
    *(f"reports.{action}_period" for action in ("view", "add", "change", "delete")),
    "reports.view_reportsnapshot",
]

# The audit trail's request context (user, URL) is set for writes only: a GET writes nothing, so
# it would spend two round trips for no row.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# The pictures of the user guides ("Hướng dẫn sử dụng"): written by the browser journeys of the
# test suite at the steps the guides show, so they follow the pages as they are.
HELP_SCREENSHOTS_DIR = Path(
    env.path("DJANGO_HELP_SCREENSHOTS_DIR", default=BASE_DIR / "var" / "help-screenshots")
)

# --- Uploaded files and background work -------------------------------------------------------
# Attachments and generated exports live outside every public URL; views stream them after
# checking scope.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
# Where kept files live: "local" (the folder above, one server) or "s3" (a bucket of any
# S3-compatible object store, shared by every app server and worker).
FILE_STORAGE = env.str("DJANGO_FILE_STORAGE", default="local")
if FILE_STORAGE == "s3":
    _s3 = {
        name: env.str(f"DJANGO_S3_{name}", default="")
        for name in ("ENDPOINT_URL", "BUCKET", "ACCESS_KEY", "SECRET_KEY")
    }
    if _missing := [f"DJANGO_S3_{name}" for name, value in _s3.items() if not value]:
        raise ImproperlyConfigured(
            f"DJANGO_FILE_STORAGE=s3 needs {', '.join(_missing)} (see .env.example)."
        )
    STORAGES["private"] = {
        "BACKEND": "core.object_store.ObjectStoreStorage",
        "OPTIONS": {
            "endpoint_url": _s3["ENDPOINT_URL"],
            "bucket_name": _s3["BUCKET"],
            "access_key": _s3["ACCESS_KEY"],
            "secret_key": _s3["SECRET_KEY"],
            "region_name": env.str("DJANGO_S3_REGION", default="us-east-1"),
        },
    }
elif FILE_STORAGE != "local":
    raise ImproperlyConfigured(
        f"DJANGO_FILE_STORAGE must be local or s3, not {FILE_STORAGE!r} (see .env.example)."
    )
# An import's file waits in the private storage between its preview and its confirmation, so
# any app server may confirm what another previewed.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.staging.StagedImportFile"
ATTACHMENT_MAX_BYTES = env.int("DJANGO_ATTACHMENT_MAX_MB", default=10) * 1024 * 1024
# `manage.py backup` writes its archives here unless told otherwise.
BACKUP_DIR = env.path("DJANGO_BACKUP_DIR", default=BASE_DIR / "var" / "backups")
# A folder holding pg_dump, pg_restore and psql of the database server's major version, looked
# at before the embedded wheel's, Debian's /usr/lib/postgresql/<major>/bin and the PATH.
PG_BIN_DIR = env.str("DJANGO_PG_BIN_DIR", default="")
ATTACHMENTS_PER_MODEL = 20
FILE_UPLOAD_PERMISSIONS = 0o640
# A list export with more rows than this runs as a background task with a progress bar.
EXPORT_SYNC_MAX_ROWS = env.int("DJANGO_EXPORT_SYNC_MAX_ROWS", default=5000)
# A report file or freeze of a unit whose subtree holds more models than this is built by the
# background worker with a progress bar; smaller ones are built within the request.
REPORT_SYNC_MAX_MODELS = env.int("DJANGO_REPORT_SYNC_MAX_MODELS", default=5000)
# Background tasks (Django's Tasks API) are stored in the same PostgreSQL; `make run` starts a
# worker (`manage.py worker`: django-tasks-db's `db_worker` that also looks for jobs whose
# worker died) beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker holding a job renews its lease every JOB_HEARTBEAT_SECONDS; a job whose lease has run
# out (JOB_LEASE_SECONDS without a sign of life: its worker was killed) is given to another
# worker, up to JOB_MAX_ATTEMPTS tries in all, then marked failed for its requester to ask again.
JOB_LEASE_SECONDS = env.float("DJANGO_JOB_LEASE_SECONDS", default=60)
JOB_HEARTBEAT_SECONDS = env.float("DJANGO_JOB_HEARTBEAT_SECONDS", default=10)
JOB_MAX_ATTEMPTS = env.int("DJANGO_JOB_MAX_ATTEMPTS", default=3)
# Local hours ("1-5": 01:00 to 04:59) in which the worker counts a stale report roll-up anew
# (after units moved; writers wait for it); "0-24" any time, empty only by hand.
ROLLUP_REBUILD_HOURS = env.str("DJANGO_ROLLUP_REBUILD_HOURS", default="1-5").replace(" ", "")
if ROLLUP_REBUILD_HOURS and not (
    (bounds := ROLLUP_REBUILD_HOURS.split("-"))
    and len(bounds) == 2
    and all(bound.isdigit() for bound in bounds)
    and 0 <= int(bounds[0]) < int(bounds[1]) <= 24
):
    raise ImproperlyConfigured(
        "DJANGO_ROLLUP_REBUILD_HOURS must be two hours like 1-5 (01:00 to 04:59), 0-24 or empty."
    )
# Tests only: seconds every job waits once it has started, so that a test can kill its worker
# mid-job. Never set in production.
JOB_TEST_PAUSE_SECONDS = env.float("DJANGO_JOB_TEST_PAUSE_SECONDS", default=0)

# --- Cache ------------------------------------------------------------------------------------
# REDIS_URL (e.g. redis://127.0.0.1:6379/0) gives every app server one shared cache; without it
# each process keeps its own in memory.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }

# --- E-mail -----------------------------------------------------------------------------------
# Notifications are e-mailed by the background worker. Without EMAIL_URL they are printed to the
# console; production sets e.g. EMAIL_URL=smtp+tls://user:password@mail.example.gov.vn:587.
vars().update(
    (name, value)
    for name, value in env.email_url("EMAIL_URL", default="consolemail://").items()
    if value not in (None, "")
)
# A mail server that stops answering must not hold a worker for ever.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT_SECONDS", default=30)
# A notification e-mail that fails is tried again after 1, 4, 16 and 64 minutes, then marked
# failed for an administrator to see ("E-mail thông báo" in the admin site).
EMAIL_DELIVERY_MAX_ATTEMPTS = env.int("DJANGO_EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_FIRST_DELAY = timedelta(minutes=1)
EMAIL_RETRY_FACTOR = 4
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Cổng Dân vận khéo <khong-tra-loi@localhost>"
)
# The portal's public address, for links in e-mails and in report files (Excel, .docx).
PORTAL_BASE_URL = env.str("DJANGO_PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Logging ----------------------------------------------------------------------------------
# One JSON object a line in production (for a log collector), readable text with debug; each
# line carries the request's id (danvan.logs), and JSON adds one access line a request.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be json or text.")
LOGGING = logging_config(
    json_lines=LOG_FORMAT == "json",
    level=env.str("DJANGO_LOG_LEVEL", default="INFO"),
    access_log=env.bool("DJANGO_ACCESS_LOG", default=LOG_FORMAT == "json"),
    time_zone=TIME_ZONE,
)

# --- Metrics ----------------------------------------------------------------------------------
# /metrics (Prometheus) answers a request carrying "Authorization: Bearer <token>" or coming from
# one of these addresses or networks; anyone else gets the 404 of a page that does not exist.
# Without debug no address is allowed unless listed: behind a proxy on the same machine every
# request would come from the loopback address.
METRICS_TOKEN = env.str("DJANGO_METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("DJANGO_METRICS_TOKEN must be at least 24 characters long.")
METRICS_ALLOWED_ADDRESSES = env.list(
    "DJANGO_METRICS_ALLOWED_ADDRESSES", default=["127.0.0.1", "::1"] if DEBUG else []
)
for _network in METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DJANGO_METRICS_ALLOWED_ADDRESSES: {_network!r} is no address or network."
        ) from error
