"""The one settings module: deployments differ only by environment variables (.env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# Set by the test suite's own configuration (pyproject.toml, [tool.pytest.ini_options] env) and
# by nothing else: it relaxes the secret key, hosts, HTTPS and secure cookies as DEBUG does.
TESTING = env_bool("DJANGO_TEST_SETTINGS")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

LOCAL_HOSTS = "localhost,127.0.0.1,[::1]"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address: absolute enclosure URLs and each podcast:guid derive from it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "axes",
    "django_tasks_db",
    "podcast",
    "guests",
    "episodes",
    "analytics",
    "notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "podcast.middleware.BrowserPolicyMiddleware",
    # Counts feed polls (304s included) into the analytics buffer: no database write.
    "analytics.middleware.FeedPollMiddleware",
    # Most feed polls end here with a 304: nothing below is needed for that.
    "episodes.feed.middleware.FeedNotModifiedMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "podcast.middleware.DatabaseUnavailableMiddleware",
    "episodes.middleware.ShowRedirectMiddleware",
]

ROOT_URLCONF = "podcast.urls"

# Background work goes through django.tasks; the backend is this one setting. The default keeps the
# queue in the project's own database (SQLite locally, PostgreSQL in production), worked by
# `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
WSGI_APPLICATION = "podcast.wsgi.application"

# Telling podcast apps at once that a feed changed (the notify app): WebSub hubs named in the feed
# and pinged, and Podping through its HTTP gateway. None of them by default.
WEBSUB_HUBS = env_list("WEBSUB_HUBS")
PODPING_URL = os.environ.get("PODPING_URL", "").strip()
PODPING_TOKEN = os.environ.get("PODPING_TOKEN", "").strip()
# Hubs and gateways on loopback or private addresses are refused unless this is on.
ALLOW_PRIVATE_NOTIFY = env_bool("ALLOW_PRIVATE_NOTIFY")
# Debounce: a feed is announced once it has been quiet this long after a change, and at the
# latest this long after the first change of a burst, so a change reaches the hubs within 30 s.
NOTIFY_QUIET_SECONDS = int(os.environ.get("NOTIFY_QUIET_SECONDS", "8"))
NOTIFY_MAX_DELAY_SECONDS = int(os.environ.get("NOTIFY_MAX_DELAY_SECONDS", "20"))
# Each request to a hub or gateway: seconds to connect and to wait for each read.
NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "5"))
# Attempts per notification before it is recorded as failed (backoff 15 s, 1 min, 4 min, ...).
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
# The sweep that catches scheduled episodes and announcements whose task was lost.
NOTIFY_SWEEP_SECONDS = int(os.environ.get("NOTIFY_SWEEP_SECONDS", "300"))

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
                "podcast.context_processors.site",
                "episodes.context_processors.shows",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DB_CONNECT_TIMEOUT", "3")
    )
    if DATABASES["default"]["CONN_MAX_AGE"] != 0:
        # Lets the freshness stamp, queried by every feed poll and page view, be prepared once
        # per connection (see episodes.feed.freshness). Django's own cursors bind client-side
        # and are never prepared. Connections opened per request (CONN_MAX_AGE=0, as behind
        # pgbouncer in transaction mode) would only pay for preparing, so they do not.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "podcast.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "podcast"),
            "TIMEOUT": 60 * 60 * 24,
            # A Redis that is away must cost milliseconds, not a hung request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed admin logins: lock the username+address pair, never the whole site.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "podcast.views.login_locked_out"
# Behind N trusted proxies the client address is the Nth from the right in X-Forwarded-For;
# without it every visitor would share the proxy's address (and its lockouts).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "podcast.clientip.client_ip"

# HTTPS and browser protections. Production (DEBUG off) gets the strict defaults that make
# `manage.py check --deploy` clean; each can be relaxed from the environment.
SECURE_DEFAULTS = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_DEFAULTS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", SECURE_DEFAULTS)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto` or `X-Forwarded-Proto: https` -> ("HTTP_X_FORWARDED_PROTO", "https")."""
    if not value.strip():
        return None
    name, _, expected = value.partition(":")
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip() or "https"


# Only behind a proxy that sets this header itself (and strips it from clients).
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))

# No inline scripts or styles anywhere, the admin included. Artwork and audio may be hosted
# elsewhere (imported episodes), so images and media may also come over HTTPS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:"],
    "media-src": [CSP.SELF, "https:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# S3-compatible object storage for uploads when a bucket is named; enclosure URLs then point at
# the bucket (or AWS_S3_CUSTOM_DOMAIN, e.g. a CDN). Objects must be publicly readable: podcast
# apps fetch them without credentials, so URLs are never signed.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by boto3 itself).

# Behind nginx: the app checks the path and answers with X-Accel-Redirect to this internal
# location, so nginx streams the bytes (ranges included). Empty: the app streams them itself.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "").rstrip("/")

ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"
LOGIN_URL = "admin:login"

# Uploads: audio files are large, so they stream to disk; request bodies are still bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Also the limit for a linked alternate rendition, which the worker fetches and reads.
MAX_AUDIO_UPLOAD_BYTES = int(os.environ.get("MAX_AUDIO_UPLOAD_MB", "500")) * 1024 * 1024
# Linked renditions on loopback or private addresses are refused unless this is on.
ALLOW_PRIVATE_RENDITIONS = env_bool("ALLOW_PRIVATE_RENDITIONS")
MAX_IMAGE_UPLOAD_BYTES = int(os.environ.get("MAX_IMAGE_UPLOAD_MB", "20")) * 1024 * 1024
MAX_TRANSCRIPT_UPLOAD_BYTES = 5 * 1024 * 1024
# Pillow refuses images above this many pixels (decompression bombs); 3000×3000 art is 9 MP.
MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", str(40_000_000)))

# django-markdownx: sanitised rendering (show notes as their page shows them), images only, no SVG.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "podcast.markdown.preview_show_notes"
MARKDOWNX_MARKDOWN_EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.sane_lists"]
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png"]
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_MEDIA_PATH = "markdownx/"
MARKDOWNX_SVG_JAVASCRIPT_PROTECTION = True
# Markdown is rendered when saved, in a child process stopped after this long (podcast.markdown).
MARKDOWN_RENDER_SECONDS = float(os.environ.get("MARKDOWN_RENDER_SECONDS", "2"))

# Listener analytics (README, "Listener analytics"). On: enclosures, players and download links go
# through /listen/, which counts downloads and then serves or redirects to the audio.
ANALYTICS_ENABLED = env_bool("ANALYTICS_ENABLED", True)
# Where events wait for the next flush: a Redis list shared by every app server (default: the
# cache's Redis), else spool files on this machine's disk.
ANALYTICS_REDIS_URL = os.environ.get("ANALYTICS_REDIS_URL", REDIS_URL)
ANALYTICS_SPOOL_DIR = Path(os.environ.get("ANALYTICS_SPOOL_DIR", BASE_DIR / "var" / "analytics"))
# Days raw downloads and polls are kept; the daily figures are kept for good.
ANALYTICS_RETENTION_DAYS = max(int(os.environ.get("ANALYTICS_RETENTION_DAYS", "90")), 2)

# `manage.py demo` keeps its editor's password here, so the login it prints works on every run.
DEMO_LOGIN_FILE = BASE_DIR / "var" / "demo-login"

FEED_CACHE_SECONDS = int(os.environ.get("FEED_CACHE_SECONDS", "300"))
# The last good copy of each feed on disk: served while the database is away.
FEED_SNAPSHOT_ROOT = Path(os.environ.get("FEED_SNAPSHOT_ROOT", BASE_DIR / "var" / "feeds"))
# Seconds one process may hold the right to build a feed: a builder that died frees it by then,
# and a poller with no copy at all waits for the build at most about this long.
FEED_BUILD_TIMEOUT = float(os.environ.get("FEED_BUILD_TIMEOUT", "60"))
# How long a rendered page stays in the cache; any edit makes a new key at once anyway.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# What stamps pages that span the site (guest and topic pages, search): the content's own app
# reckons it, so podcast.pagecache and the guests app need not import it.
SITE_FRESHNESS = "episodes.feed.freshness.site_stamp"
EPISODES_PER_PAGE = 12

# Anyone can send a bad Host header, an oversized form or a forged session cookie: one line
# each (answered 400), never a traceback to flood the log with.
ANYONE_CAN_SEND = [
    "DisallowedHost", "DisallowedRedirect", "RequestDataTooBig", "TooManyFieldsSent",
    "TooManyFilesSent", "SuspiciousFileOperation", "SuspiciousMultipartForm", "SuspiciousSession",
    "InvalidSessionKey",
]  # fmt: skip
# Every record reaches the one root handler. Django's "django" logger would print to its own
# console handler too under DEBUG (each line twice), so it hands its records up instead.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "podcast.middleware.OneLineFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        **{f"django.security.{name}": {"filters": ["one_line"]} for name in ANYONE_CAN_SEND},
    },
}
