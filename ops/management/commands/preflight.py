"""``manage.py preflight``: one line per unreachable dependency, exit 2.

The launcher runs it before anything else so that a wrong ``DATABASE_URL`` or
a Redis that does not answer is reported plainly, not as a traceback.
"""

import asyncio

from django.core.management.base import BaseCommand

from common.redis import eviction_warning
from ops.health import run_checks

VARIABLE = {"database": "DATABASE_URL", "redis": "REDIS_URL", "channel_layer": "REDIS_URL"}


class Command(BaseCommand):
    help = "Check that the database and Redis answer; exit 2 naming the one that does not."

    def handle(self, *args, **options):
        results = asyncio.run(run_checks())
        failed = {name: problem for name, problem in results.items() if problem}
        for name, problem in failed.items():
            self.stderr.write(f"{VARIABLE[name]}: cannot reach the {name.replace('_', ' ')} ({problem})")
        if failed:
            raise SystemExit(2)
        self.stdout.write("preflight: database, Redis and channel layer answer")
        warning = eviction_warning()
        if warning:
            self.stderr.write(self.style.ERROR(warning))
