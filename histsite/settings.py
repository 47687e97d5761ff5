"""Settings for histsite, read from the environment.

With no environment at all a development site runs on SQLite. In production set
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "django_filters",
    "axes",
    "reversion",  # the editors' history: one revision per save; see timeline/history.py
    "csp",  # Content-Security-Policy; see "Headers" below
    "timeline",
    "rest_framework",  # the read-only JSON API under /api/; see timeline/api/
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' JavaScript and CSS, served by the site itself
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Request id, headers and /healthz first: every response carries them, and the
    # health check answers before the page cache or the session are touched.
    "histsite.middleware.RequestIdMiddleware",
    "histsite.middleware.ContentSecurityPolicyMiddleware",
    "histsite.middleware.SecurityHeadersMiddleware",
    "histsite.health.HealthCheckMiddleware",
    "timeline.cache.PublicGZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "timeline.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "histsite.urls"

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
                "timeline.context_processors.site",
            ],
        },
    },
]

# Widget templates are looked up like page templates, so templates/ can hold them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "histsite.wsgi.application"

# SQLite by default. IMMEDIATE transactions take the write lock up front, so
# concurrent read-then-write transactions queue for the lock (up to the timeout)
# instead of failing with "database is locked" when they try to upgrade.
# Connections are kept between requests (conn_max_age below) on SQLite too: opening
# one, running init_command and reading the schema costs about 1.3 ms of CPU at 100,000
# events, as much as two static files.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **SQLITE_OPTIONS,
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # search lookups; see timeline/fulltext.py

# Redis when REDIS_URL names one (shared by every application server, as the page
# cache needs); otherwise each process keeps its own cache in memory, which is
# right for `make run` and needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Django's default of 300 entries is ten timeline pages' rows; past it, a
            # third of the cache is dropped at a time, kept counts and rows included.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes). Its backend comes first so that a locked-out
# sign-in is refused before the password is hashed: a locked attempt costs a few
# queries, not a hash. Five failures for one account from one address lock that
# pair for 15 minutes; a success clears the count. Attempts are kept in the
# database, so every application server sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused without being counted, so the lock ends 15
# minutes after the fifth failure and a refused attempt writes nothing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The admin's sign-in page, saying until when, with status 429 Too Many Requests.
AXES_LOCKOUT_CALLABLE = "histsite.signin.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Where the client's address is read: request.META keys, the first present wins.
# REMOTE_ADDR alone is right when clients reach Django directly. Behind nginx every
# request comes from the proxy: set DJANGO_AXES_IPWARE_META_PRECEDENCE_ORDER to
# HTTP_X_FORWARDED_FOR and have nginx overwrite that header
# (proxy_set_header X-Forwarded-For $remote_addr;) so no client can name its own.
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list(
    "DJANGO_AXES_IPWARE_META_PRECEDENCE_ORDER", ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/Budapest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files; nginx serves /media/ from MEDIA_ROOT (deploy/nginx.conf).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

# HTTPS. Each setting is off unless its variable turns it on, so a local
# DJANGO_DEBUG=false run still answers plain HTTP on 127.0.0.1;
# deploy/production.env.example turns them all on, and `manage.py check --deploy`
# is then silent.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# Load balancers ask over plain HTTP, and a redirect is not an answer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
# Only behind a proxy that sets X-Forwarded-Proto itself (deploy/nginx.conf does),
# or any client could claim HTTPS.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# DJANGO_SECURE_COOKIES (above) marks the session and CSRF cookies Secure.

# Headers on every response (histsite/middleware.py). Public pages run no inline
# script or style, so their policy needs neither 'unsafe-inline' nor 'unsafe-eval'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}
# What the admin's pages add to that policy (README, "Headers").
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# Every record goes to stdout once, through one handler on the root logger, with
# the request's id and path (histsite/logs.py). Django's own "django" logger carries
# a console handler of its own in development; it is emptied so that each warning
# is written once, not twice. DJANGO_LOG_FORMAT=json writes one JSON object a line,
# for a log collector.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT is text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "histsite.logs.RequestFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(path)s] %(message)s"
        },
        "json": {"()": "histsite.logs.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Uploaded images (timeline/images.py): larger files and pictures are refused with a
# form error. Pixels bound the memory a decoded picture takes (4 bytes a pixel).
IMAGE_MAX_BYTES = int(os.environ.get("DJANGO_IMAGE_MAX_BYTES", 10 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("DJANGO_IMAGE_MAX_PIXELS", 40_000_000))

# The read-only JSON API (timeline/api/). Anonymous and read-only for everyone: it
# shows published content only, so it needs no sign-in and sets no cookie. Only
# JSON is rendered: the page cache keys pages by URL, not by Accept header.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "timeline.api.limits.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["timeline.api.limits.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("DJANGO_API_RATE", "120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "histsite API",
    "DESCRIPTION": "Published events, people, places, periods, sources and citations, "
    "read-only. Dates are EDTF strings with their earliest and latest day and reading.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
