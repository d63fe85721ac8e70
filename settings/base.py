"""Every Balai Warga setting, read from the environment with safe development
defaults. ``dev``, ``test`` and ``prod`` only override; the README lists every
variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from settings.env import (
    cache_config,
    channel_layer_host,
    database_config,
    env_bool,
    env_header,
    env_int,
    env_list,
    env_networks,
    env_proxy_ssl_header,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BALAI_VAR_DIR", str(BASE_DIR / "var")))

# --- core -------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "accounts.apps.SignInLockoutConfig",  # django-axes, with a translated name
    # django-otp: the second sign-in step for officials and staff (accounts/twofactor.py).
    "django_otp",
    "accounts.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp, with translated names
    "accounts.apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static, likewise
    # Dependencies point one way (docs/architecture.md, checked by import-linter):
    # common <- accounts <- realtime <- notify <- moderation <- officials <- chat, forum <- qa
    # <- frontend, ops, privacy.
    "common",
    "accounts",
    "realtime",
    "notify",
    "moderation",
    "officials",
    "chat",
    "forum",
    "qa",
    "frontend",
    "ops",
    "privacy",
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries (common/logs.py).
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages compressed for slow phones (static files come compressed from
    # WhiteNoise already). BREACH: Django masks the CSRF token afresh in every
    # response, and no page reflects a request's input beside a secret
    # (docs/security.md).
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "frontend.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Officials and staff: a new session key on a role change, and no page
    # before the second sign-in step (accounts/middleware.py).
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy header (django-csp; CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "frontend.middleware.AppErrorMiddleware",
    # A view that failed because Redis is unreachable: the retryable 503 page.
    "frontend.middleware.RedisOutageMiddleware",
    # Last: turns a sign-in refused for too many failures into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "urls"
ASGI_APPLICATION = "asgi.application"

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
                "django.template.context_processors.i18n",
                "notify.context.bell",
                "frontend.context.navigation",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------
DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL"),
        default_sqlite_path=str(VAR_DIR / "balai.sqlite3"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# redis://host:port/db, or redis+sentinel://host:26379,host:26379/master/db:
# every Redis client then asks the Sentinels for the current primary
# (settings/env.py, common/redis.py; docs/operations.md "Redis with Sentinel").
REDIS_URL = redis_url(env_str("REDIS_URL"))

# Channels' standard layer, for what still uses it (the /healthz round trip,
# Channels' own machinery). The hub's events do not: they travel over Redis
# Pub/Sub (realtime/bus.py), and a socket that falls behind is bounded by its
# own inbox (realtime/consumer.py INBOX_SIZE), then re-reads from the database.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [channel_layer_host(REDIS_URL)],
            "prefix": env_str("CHANNEL_PREFIX", "balai"),
            "capacity": env_int("CHANNEL_CAPACITY", 1000, minimum=10),
            "expiry": 60,
            "group_expiry": 86400,
        },
    }
}

CACHES = {"default": cache_config(REDIS_URL, key_prefix=env_str("CHANNEL_PREFIX", "balai"))}

# Sessions are read from Redis first (the hub re-reads them while sockets
# live), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:home"
# django-axes refuses sign-in (site and admin) after SIGNIN_FAILURE_LIMIT
# failures for one username from one client address, for
# SIGNIN_LOCKOUT_MINUTES; other usernames from that address and that username
# from other addresses are not affected (docs/security.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.signin_locked_out"
AXES_RESET_ON_SUCCESS = True
# No log of every successful sign-in with its address (data minimisation);
# failures are kept only until their lock-out has expired.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged
# Sign-up attempts (every POST) per client address per window.
SIGNUP_RATE_COUNT = env_int("SIGNUP_RATE_COUNT", 10, minimum=1)
SIGNUP_RATE_SECONDS = env_int("SIGNUP_RATE_SECONDS", 3600, minimum=1)
# Behind a reverse proxy: the proxies' addresses (IPs or networks). Only a
# request from one of them is read for TRUSTED_PROXY_HEADER
# (accounts/network.py); with none, the header is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
TRUSTED_PROXY_HEADER = env_header("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
# The second sign-in step (django-otp; accounts/twofactor.py): a TOTP app,
# or one of the recovery codes shown once at enrolment. Wrong codes count as
# failed sign-ins for django-axes, and each device slows down after failures
# (a wait of 2^(n-1) s after n wrong codes in a row).
OTP_TOTP_ISSUER = "Balai Warga"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Administrators manage (delete) others' devices in the admin, but never see
# their keys, QR codes or recovery codes: they could not pass as them.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- language and time --------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- static -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# With DEBUG off (production, `DEBUG=false make run`): the files `collectstatic`
# wrote to STATIC_ROOT under hashed names, with gzip variants, which WhiteNoise
# serves with a one-year `Cache-Control` (frontend/storage.py). With DEBUG on:
# the plain files, straight from the apps' folders, no collectstatic needed.
STATIC_PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"
STATIC_HASHED = "frontend.storage.HashedStaticFiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_PLAIN if DEBUG else STATIC_HASHED},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- e-mail -----------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Balai Warga <noreply@balaiwarga.patikab.go.id>")

# --- hub and chat --------------------------------------------------------------
HUB_MAX_SOCKETS_PER_USER = env_int("HUB_MAX_SOCKETS_PER_USER", 20, minimum=1)
# Guest sockets per client address (accounts/network.py: behind TRUSTED_PROXIES
# from their header only). Carrier NAT puts many people behind one address.
HUB_MAX_GUEST_SOCKETS_PER_ADDRESS = env_int("HUB_MAX_GUEST_SOCKETS_PER_ADDRESS", 50, minimum=1)
# Per socket, a moving window (realtime/ratelimit.py MovingWindow): frames a
# client may send; beyond, each is answered rate_limited, and as many again
# refused within the window close the socket (1008).
HUB_FRAME_RATE_COUNT = env_int("HUB_FRAME_RATE_COUNT", 60, minimum=5)
HUB_FRAME_RATE_SECONDS = env_int("HUB_FRAME_RATE_SECONDS", 10, minimum=1)
# Per socket, messages replayed by join and history per window: a join or
# history asked for once the budget is spent is refused (rate_limited).
HUB_REPLAY_RATE_COUNT = env_int("HUB_REPLAY_RATE_COUNT", 1000, minimum=200)
HUB_REPLAY_RATE_SECONDS = env_int("HUB_REPLAY_RATE_SECONDS", 60, minimum=1)
# Bytes written to a socket while its transport's send buffer is full (the
# client does not read): beyond, the socket is closed with 4008 and resumes by
# id when it reconnects. Above the largest join replay (200 messages).
HUB_MAX_BUFFERED_BYTES = env_int("HUB_MAX_BUFFERED_BYTES", 4 * 1024 * 1024, minimum=65536)
CHAT_MAX_BODY = env_int("CHAT_MAX_BODY", 2000, minimum=1)
# A moving window per user per room (realtime/ratelimit.py): CHAT_RATE_COUNT messages per CHAT_RATE_SECONDS.
CHAT_RATE_COUNT = env_int("CHAT_RATE_COUNT", 5, minimum=1)
CHAT_RATE_SECONDS = env_int("CHAT_RATE_SECONDS", 10, minimum=1)
CHAT_EDIT_WINDOW_SECONDS = env_int("CHAT_EDIT_WINDOW_SECONDS", 600, minimum=0)
# How often the worker e-mails notification digests to those who chose e-mail.
NOTIFY_DIGEST_SECONDS = env_int("NOTIFY_DIGEST_SECONDS", 3600, minimum=60)
# How often the worker looks for announcements whose delivery stalled (its job
# lost with Redis's data), and how long one must have been idle to be queued again.
NOTIFY_ANNOUNCEMENT_RETRY_SECONDS = env_int("NOTIFY_ANNOUNCEMENT_RETRY_SECONDS", 60, minimum=5)

# --- aspiration forum ---------------------------------------------------------
# How often the worker checks deadlines (overdue notices, escalation, auto-close).
FORUM_SCAN_SECONDS = env_int("FORUM_SCAN_SECONDS", 300, minimum=10)
# Working days past its deadline before an overdue aspiration goes to the Sekda.
FORUM_ESCALATE_WORKING_DAYS = env_int("FORUM_ESCALATE_WORKING_DAYS", 5, minimum=1)
# The agency (slug) whose head and officials receive escalations: the Sekretariat Daerah.
FORUM_ESCALATION_AGENCY = env_str("FORUM_ESCALATION_AGENCY", "setda")
# Uploaded photos (Django's storage API; the file system by default).
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- officials' Q&A sessions (docs/sessions.md) -----------------------------------
# How often the worker opens due sessions and closes ended ones.
QA_TICK_SECONDS = env_int("QA_TICK_SECONDS", 30, minimum=5)
# Per citizen: one question per QA_QUESTION_INTERVAL_SECONDS, QA_QUESTIONS_PER_SESSION per session.
QA_QUESTION_INTERVAL_SECONDS = env_int("QA_QUESTION_INTERVAL_SECONDS", 60, minimum=0)
QA_QUESTIONS_PER_SESSION = env_int("QA_QUESTIONS_PER_SESSION", 3, minimum=1)
# At most one vote re-ranking frame per session per this many milliseconds (per server process).
QA_RANKING_INTERVAL_MS = env_int("QA_RANKING_INTERVAL_MS", 100, minimum=0)

# --- personal data (UU PDP; privacy/, docs/security.md "Data rights") -----------------
# Days the unmasked originals of texts holding a NIK, phone number or e-mail
# address are kept: older chat messages, and closed aspirations with their
# replies, keep them masked for good (the worker's privacy.retention).
PRIVACY_RAW_TEXT_DAYS = env_int("PRIVACY_RAW_TEXT_DAYS", 180, minimum=1)
# Days a notification is kept, read or not.
PRIVACY_NOTIFICATION_DAYS = env_int("PRIVACY_NOTIFICATION_DAYS", 90, minimum=1)
# Days the log of unmasked personal data shown to staff is kept.
PRIVACY_UNMASK_LOG_DAYS = env_int("PRIVACY_UNMASK_LOG_DAYS", 730, minimum=30)
# Where citizens write about their data and appeal a sanction (shown on the
# privacy page and to sanctioned users); empty: "ask the administrators".
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")
# How often the worker runs the purge.
PRIVACY_PURGE_SECONDS = env_int("PRIVACY_PURGE_SECONDS", 3600, minimum=60)

# --- moderation --------------------------------------------------------------------
MODERATION_CLAIM_TIMEOUT_SECONDS = env_int("MODERATION_CLAIM_TIMEOUT_SECONDS", 120, minimum=1)
MODERATION_MAX_DELIVERIES = env_int("MODERATION_MAX_DELIVERIES", 5, minimum=1)
MODERATION_REPORT_THRESHOLD = env_int("MODERATION_REPORT_THRESHOLD", 3, minimum=1)
# A report weighs one when its author is established or this old; a newer
# account's weighs this percent of one (moderation/standing.py).
MODERATION_REPORTER_MIN_AGE_DAYS = env_int("MODERATION_REPORTER_MIN_AGE_DAYS", 14, minimum=0)
MODERATION_NEW_REPORTER_WEIGHT_PERCENT = env_int("MODERATION_NEW_REPORTER_WEIGHT_PERCENT", 25, minimum=0)
MODERATION_NEW_ACCOUNT_HOLD = env_int("MODERATION_NEW_ACCOUNT_HOLD", 3, minimum=0)
MODERATION_MAX_LINKS = env_int("MODERATION_MAX_LINKS", 2, minimum=0)
MODERATION_REPEAT_MINUTES = env_int("MODERATION_REPEAT_MINUTES", 10, minimum=0)
MODERATION_RECONCILE_SECONDS = env_int("MODERATION_RECONCILE_SECONDS", 60, minimum=5)

# --- server -----------------------------------------------------------------
# Daphne's own cap on one incoming WebSocket message. Above the hub's 16 KiB
# frame limit, so an oversized-but-sane frame gets a `too_large` error frame
# from the hub instead of a dropped connection.
WS_MAX_MESSAGE_BYTES = env_int("WS_MAX_MESSAGE_BYTES", 65536, minimum=16384)

# Prometheus metrics of this process on http://METRICS_HOST:METRICS_PORT/metrics
# (common/metrics.py); 0: not served. Keep the host on loopback or a private
# network: the endpoint has no authentication.
METRICS_PORT = env_int("METRICS_PORT", 0)
METRICS_HOST = env_str("METRICS_HOST", "127.0.0.1")
# --- HTTP security headers (docs/security.md) ------------------------------------------
# Content-Security-Policy (django-csp): scripts only from this site, as files
# (no inline script, no eval); styles and images likewise (QR codes are inline
# SVG elements, not data: URLs); the hub's WebSocket is same-origin
# ('self' covers ws:/wss: of this host); no plugins, no framing, forms post
# only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy: the header it sets for the scheme the
# client used (e.g. X-Forwarded-Proto); unset, the connection's own scheme.
# Only set it when every request comes through that proxy, which must
# overwrite the header (Django's SECURE_PROXY_SSL_HEADER warning).
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER", None)
# Plain-HTTP requests are redirected to https (off in development; prod.py
# turns it on unless SECURE_SSL_REDIRECT=false, e.g. when the proxy redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The load balancer's health probe may speak plain http to Daphne directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Strict-Transport-Security, sent on https responses only (0: not sent; prod.py
# defaults to a year).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record carries request_id / connection_id (common/logs.py); the
    # JSON lines of production (settings/prod.py) show them.
    "filters": {"context": {"()": "common.logs.ContextFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
