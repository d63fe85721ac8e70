"""Diagnostic settings for ``bench.moderation --settings bench.moderation_settings``:
``settings.dev`` with persistent database connections, to measure how much of
the submit -> console latency is the new database connection that every
``database_sync_to_async`` call opens under ``CONN_MAX_AGE = 0``
(``settings/env.py``). Not the configuration the target is judged on.

``BENCH_PG_ASYNC_COMMIT=1`` also turns ``synchronous_commit`` off for the
bench's PostgreSQL sessions (no fsync wait per commit) to separate disk
latency from the rest.
"""

import os

from settings.dev import *  # noqa: F401,F403
from settings.dev import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if os.environ.get("BENCH_PG_ASYNC_COMMIT") == "1" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
