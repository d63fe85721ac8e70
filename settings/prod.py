"""Production: refuses to start with an unsafe configuration.

Each check raises ``ConfigError`` naming the variable, which ``manage.py`` and
``asgi.py`` turn into one line on stderr and a non-zero exit.
"""

import os

from settings.base import *  # noqa: F401,F403
from settings.base import ALLOWED_HOSTS, DEBUG
from settings.env import ConfigError, env_bool, env_str

if not os.environ.get("SECRET_KEY"):
    raise ConfigError("SECRET_KEY", "must be set in production (a long random string)")
if len(os.environ["SECRET_KEY"]) < 32:
    raise ConfigError("SECRET_KEY", "is too short for production (use at least 32 characters)")
if DEBUG and "DEBUG" in os.environ:
    raise ConfigError("DEBUG", "must be off in production")
DEBUG = False
if "*" in ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS", "must not contain '*' in production (it disables the WebSocket origin check)")
if any(host.startswith(".") for host in ALLOWED_HOSTS):
    raise ConfigError("ALLOWED_HOSTS", "must not contain a leading-dot wildcard in production")
if not os.environ.get("DATABASE_URL"):
    raise ConfigError("DATABASE_URL", "must be set in production (postgres://…)")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
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
