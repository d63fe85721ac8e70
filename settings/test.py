"""Tests: the same stack as development, with faster password hashing."""

from settings.base import *  # noqa: F401,F403
from settings.env import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Plain static files from the apps' folders whatever DEBUG says; the hashed,
# compressed ones are tested with their own STATIC_ROOT (tests/frontend/test_static.py).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": STATIC_PLAIN}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env_str("CHANNEL_PREFIX", "balaitest")  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = env_str("CHANNEL_PREFIX", "balaitest")  # noqa: F405

# Most tests exercise delivery, not moderation: a new account's first messages
# and repeated texts are not held here. tests/moderation switch both rules on.
MODERATION_NEW_ACCOUNT_HOLD = 0
MODERATION_REPEAT_MINUTES = 0

# Tests send frames back to back (the fuzz tests hundreds on one socket); the
# per-socket frame budget is tested in tests/security with the default.
HUB_FRAME_RATE_COUNT = 10_000

# Test databases are dropped at the end of the run: a connection kept open in
# the hub's database thread would block the drop on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
