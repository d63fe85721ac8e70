"""Production: refuses to start with an unsafe configuration.

Each check raises ``ConfigError`` naming the variable, which ``manage.py`` and
``asgi.py`` turn into one line on stderr and a non-zero exit.
"""

import os

from settings.base import *  # noqa: F401,F403
from settings.base import ALLOWED_HOSTS, DEBUG
from settings.env import ConfigError, env_bool, env_int, env_proxy_ssl_header, env_str

#: Django's own check (security.W009) asks for at least this many characters.
SECRET_KEY_MIN_LENGTH = 50

if not os.environ.get("SECRET_KEY"):
    raise ConfigError("SECRET_KEY", "must be set in production (a long random string)")
if len(os.environ["SECRET_KEY"]) < SECRET_KEY_MIN_LENGTH:
    raise ConfigError("SECRET_KEY", f"is too short for production (use at least {SECRET_KEY_MIN_LENGTH} random "
                                    "characters: python -c 'import secrets; print(secrets.token_urlsafe(64))')")
if len(set(os.environ["SECRET_KEY"])) < 5 or os.environ["SECRET_KEY"].startswith("django-insecure"):
    raise ConfigError("SECRET_KEY", "is not random enough for production")
if DEBUG and "DEBUG" in os.environ:
    raise ConfigError("DEBUG", "must be off in production")
DEBUG = False
if "*" in ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS", "must not contain '*' in production (it disables the WebSocket origin check)")
if any(host.startswith(".") for host in ALLOWED_HOSTS):
    raise ConfigError("ALLOWED_HOSTS", "must not contain a leading-dot wildcard in production")
if not os.environ.get("DATABASE_URL"):
    raise ConfigError("DATABASE_URL", "must be set in production (postgres://…)")

# Behind the TLS proxy by default (its X-Forwarded-Proto says https);
# SECURE_PROXY_SSL_HEADER=none when Daphne itself terminates TLS.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# Plain http is redirected to https and browsers are told to stay on https
# for a year (HSTS), this host and its subdomains. SECURE_SSL_REDIRECT=false
# when the proxy already redirects (then `check --deploy` warns: silence
# security.W008 there on purpose).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading (hstspreload.org) binds the whole registered domain and is the
# domain owner's decision, off by default; its reminder is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
WHITENOISE_USE_FINDERS = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": STATIC_HASHED}}  # noqa: F405  (collectstatic at deploy)
# One JSON object per log line (python-json-logger), with the request or
# connection id; LOG_FORMAT=text for the plain lines of development.
if env_str("LOG_FORMAT", "json") == "json":
    LOGGING = {  # noqa: F405
        **LOGGING,  # noqa: F405
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(connection_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "json"}},
    }
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
