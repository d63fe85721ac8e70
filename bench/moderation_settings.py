"""Diagnostic settings for ``bench.moderation --settings bench.moderation_settings``:
``settings.dev`` (whose database connections persist ``DB_CONN_MAX_AGE``
seconds, health-checked) with connections kept for good. Not the
configuration the target is judged on.

``BENCH_NO_HEALTH_CHECKS=1`` also turns Django's connection health check
off: with it on, every ``db_async`` call (one "request" to Django) starts
with a ``SELECT 1`` round trip — two per held message.

``BENCH_PG_ASYNC_COMMIT=1`` also turns ``synchronous_commit`` off for the
bench's PostgreSQL sessions (no fsync wait per commit) to separate disk
latency from the rest.
"""

import os

from settings.dev import *  # noqa: F401,F403
from settings.dev import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ.get("BENCH_NO_HEALTH_CHECKS") != "1"
if os.environ.get("BENCH_PG_ASYNC_COMMIT") == "1" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
