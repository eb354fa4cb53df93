"""Django settings, read from the environment (see docs/operations.md for every variable).

Safe by default: DEBUG off, SECRET_KEY required, secure cookies, a content security policy.
`STEMHUB_DEMO=1` (set by `make run`) relaxes what a laptop demo needs: a fixed demo secret,
DEBUG on, cookies over plain http on 127.0.0.1.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from django.utils.csp import CSP

from stemhub.config.env import (
    ConfigurationError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
)
from stemhub.core.logs import FORMATS, logging_config

# Lets the admin classes and querysets take their model as a type argument at run time
# (`admin.ModelAdmin[CellLine]`), as django-stubs has them.
django_stubs_ext.monkeypatch()

PROJECT_DIR = Path(__file__).resolve().parents[3]
DEMO = env_bool("STEMHUB_DEMO", False)
DEBUG = env_bool("DEBUG", DEMO)
DATA_DIR = env_path("STEMHUB_DATA_DIR", PROJECT_DIR / "var")

if DEMO:
    SECRET_KEY = env_str("SECRET_KEY", "demo-only-secret-key-never-use-in-production-0123456789")
else:
    SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ConfigurationError("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEMO or DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "stemhub.core",
    "stemhub.accounts",
    "stemhub.registry",
    "stemhub.catalogue",
    "stemhub.exchange",
    "stemhub.audit",
    "stemhub.equipment",
    "stemhub.biobank",
    "stemhub.quality",
    "stemhub.qms",
    "stemhub.distribution",
    "stemhub.populations",
    "stemhub.haplobank",
    "stemhub.cordblood",
    "stemhub.jobs",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request id, and the latency measured
    # covers all of them (docs/deployment.md, Logs and Metrics).
    "stemhub.core.request_id.RequestIdMiddleware",
    "stemhub.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "stemhub.core.request_size.RequestSizeMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switch's cookie, else the browser's Accept-Language; a signed-in user's
    # profile choice overrides both (accounts.middleware, after authentication).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stemhub.accounts.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "stemhub.core.site.CurrentRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Uploads: a request body over STEMHUB_MAX_UPLOAD_MB is refused (413) before it is read; an
# API body (the cord upload's CSV text) may be that large too; a file over 5 MB is spooled to
# disk rather than held in memory. Each import has its own, smaller limits (docs/exchange.md).
STEMHUB_MAX_UPLOAD_MB = env_int("STEMHUB_MAX_UPLOAD_MB", 200)
DATA_UPLOAD_MAX_MEMORY_SIZE = STEMHUB_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

ROOT_URLCONF = "stemhub.config.urls"
WSGI_APPLICATION = "stemhub.config.wsgi.application"
ASGI_APPLICATION = "stemhub.config.asgi.application"

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
                "django.template.context_processors.csp",
                "stemhub.core.context_processors.permissions",
                "stemhub.core.navigation.navigation",
            ],
        },
    },
]

# Background work (issue 16): Django's Tasks API on the database-backed backend of
# django-tasks-db, so the embedded SQLite default and PostgreSQL need no broker; `stemhub
# db_worker` runs the tasks (docs/operations.md).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A running task's heartbeat is written every STEMHUB_TASK_HEARTBEAT_SECONDS; `stemhub worker`
# sweeps every STEMHUB_TASK_SWEEP_SECONDS for tasks whose heartbeat is older than
# STEMHUB_TASK_STALE_SECONDS (their worker stopped) and queues them again while attempts are
# left (STEMHUB_TASK_MAX_ATTEMPTS), else marks them failed.
STEMHUB_TASK_HEARTBEAT_SECONDS = env_int("STEMHUB_TASK_HEARTBEAT_SECONDS", 5)
STEMHUB_TASK_STALE_SECONDS = env_int("STEMHUB_TASK_STALE_SECONDS", 60)
STEMHUB_TASK_SWEEP_SECONDS = env_int("STEMHUB_TASK_SWEEP_SECONDS", 10)
STEMHUB_TASK_MAX_ATTEMPTS = env_int("STEMHUB_TASK_MAX_ATTEMPTS", 3)
if STEMHUB_TASK_STALE_SECONDS <= STEMHUB_TASK_HEARTBEAT_SECONDS:
    raise ConfigurationError(
        "STEMHUB_TASK_STALE_SECONDS must be longer than STEMHUB_TASK_HEARTBEAT_SECONDS"
    )


DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'stemhub.sqlite3'}"),
        sqlite_default=DATA_DIR / "stemhub.sqlite3",
    )
}
if (
    DATABASES["default"]["ENGINE"].endswith("sqlite3")
    and DATABASES["default"]["NAME"] != ":memory:"
):
    # The embedded default needs its folder; a fresh clone has none.
    Path(str(DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "stemhub.core.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute force (django-axes): after STEMHUB_LOGIN_FAILURE_LIMIT wrong passwords, for one account
# or from one address, logins (and signatures, which re-enter the password) are refused until
# STEMHUB_LOCKOUT_MINUTES pass or an administrator unlocks the account. A site whose users all
# come through one NAT address may prefer to lock by account only: AXES_LOCKOUT_PARAMETERS.
AXES_FAILURE_LIMIT = env_int("STEMHUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STEMHUB_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = env_list("AXES_LOCKOUT_PARAMETERS", ["username", "ip_address"])
AXES_RESET_ON_SUCCESS = True
# One row per failure, marked when it locked the account out: the audit trail records them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_LOCKOUT_CALLABLE = "stemhub.core.auth.lockout_response"
STEMHUB_PROXY_COUNT = env_int("STEMHUB_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = STEMHUB_PROXY_COUNT or None
# Wrong API tokens from one address within the cool-off are answered 429 after this many.
STEMHUB_TOKEN_FAILURE_LIMIT = env_int("STEMHUB_TOKEN_FAILURE_LIMIT", 20)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "work"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese and English (docs/translation.md). Each app keeps its own catalogue in
# <app>/locale/zh_Hans/LC_MESSAGES/django.po; `make` compiles them (the .mo files are build
# output, not committed). A centre in China sets TIME_ZONE=Asia/Shanghai.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LANGUAGE_COOKIE_NAME = "stemhub_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `collectstatic` writes here and the proxy serves it at /static/; a container image keeps it
# outside the data volume (deploy/Dockerfile).
STATIC_ROOT = env_path("STEMHUB_STATIC_ROOT", DATA_DIR / "static")

# Security: secure unless this is the plain-http laptop demo.
_plain_http = DEMO or DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not _plain_http)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not _plain_http)
LANGUAGE_COOKIE_SECURE = CSRF_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if _plain_http else 31536000)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and scrapes come over plain http from inside the network, never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# Email: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
        if EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "stemhub <noreply@localhost>")

# Logs on stderr, each record with its request id: text (the default, `make run`) or one JSON
# object a line (the deployment recipe). The gunicorn config builds its own from the same function.
STEMHUB_LOG_FORMAT = env_str("STEMHUB_LOG_FORMAT", "text")
if STEMHUB_LOG_FORMAT not in FORMATS:
    raise ConfigurationError(f"STEMHUB_LOG_FORMAT={STEMHUB_LOG_FORMAT!r} is not one of {FORMATS}")
LOGGING = logging_config(STEMHUB_LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# /metrics (Prometheus): open to these networks, or to anyone sending the bearer token; the
# client address is read through STEMHUB_PROXY_COUNT proxies like everywhere else.
try:
    STEMHUB_METRICS_ALLOW = [
        ipaddress.ip_network(network, strict=False)
        for network in env_list("STEMHUB_METRICS_ALLOW", ["127.0.0.1/32", "::1/128"])
    ]
except ValueError as error:
    raise ConfigurationError(f"STEMHUB_METRICS_ALLOW: {error}") from None
STEMHUB_METRICS_TOKEN = env_str("STEMHUB_METRICS_TOKEN", "")
if STEMHUB_METRICS_TOKEN and len(STEMHUB_METRICS_TOKEN) < 32:
    raise ConfigurationError("STEMHUB_METRICS_TOKEN must be at least 32 characters long")

# The cache every web and worker process shares: a task's progress, heartbeat and cancel flag
# (an upload writes inside one transaction, so the database cannot carry them while it runs) and
# the wrong-API-token counts. Redis at STEMHUB_CACHE_URL (redis://host:6379/0, the `redis` extra)
# in production; without it, files under $STEMHUB_DATA_DIR/cache/shared (one machine's processes).
STEMHUB_CACHE_URL = env_str("STEMHUB_CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if STEMHUB_CACHE_URL:
    if not STEMHUB_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            f"STEMHUB_CACHE_URL={STEMHUB_CACHE_URL!r} is not a Redis URL (redis://host:6379/0)"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": STEMHUB_CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "shared"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# The public address of the site, for certificate QR codes and links in e-mails; when empty, the
# address each request came in on (`stemhub.core.site`).
STEMHUB_SITE_URL = env_str("STEMHUB_SITE_URL", "")

# The font PDFs print Chinese with: a TrueType/OpenType file (a .ttc's Simplified Chinese face);
# when empty, Noto Sans CJK SC found with fontconfig (Debian's fonts-noto-cjk).
STEMHUB_CJK_FONT = env_str("STEMHUB_CJK_FONT", "")

# The HLA engine's reference data: a local IPD-IMGT/HLA release, or a download cache.
STEMHUB_IMGT_DIR = env_str("STEMHUB_IMGT_DIR", "")

# The cord donor search: STEMHUB_SEARCH_SHARDS=N (N >= 1) splits each donor index over N Ray
# actors (docs/scale-out.md); unset or 0, one index in each web process (the embedded default).
# STEMHUB_RAY_ADDRESS: empty starts a local Ray inside the process; `auto` or
# `ray://host:10001` joins a running cluster.
STEMHUB_SEARCH_SHARDS = env_int("STEMHUB_SEARCH_SHARDS", 0)
if STEMHUB_SEARCH_SHARDS < 0:
    raise ConfigurationError(f"STEMHUB_SEARCH_SHARDS={STEMHUB_SEARCH_SHARDS} is below 0")
STEMHUB_RAY_ADDRESS = env_str("STEMHUB_RAY_ADDRESS", "")
