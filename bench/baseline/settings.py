"""Minimal settings for the baseline chat (``bench.baseline.asgi``).

Only ``BASELINE_REDIS_URL`` is read from the environment. The channel layer
keeps every ``RedisChannelLayer`` default (capacity 100, expiry 60 s,
group_expiry 86400 s), as the tutorial does.
"""

import os

SECRET_KEY = "bench-baseline-not-secret-" + "x" * 32
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "channels",
]
# No persistence: sessions live in a signed cookie, so the tutorial's
# AuthMiddlewareStack works without a database.
DATABASES = {}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
USE_TZ = True
ROOT_URLCONF = "bench.baseline.urls"
ASGI_APPLICATION = "bench.baseline.asgi.application"
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("BASELINE_REDIS_URL", "redis://127.0.0.1:6379/6")]},
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
