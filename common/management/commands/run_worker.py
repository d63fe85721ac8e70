"""``manage.py run_worker``: run background jobs and periodic tasks until stopped."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from common import metrics
from common.jobs import Worker
from common.redis import eviction_warning


class Command(BaseCommand):
    help = "Run background jobs (Redis Stream) and periodic tasks."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is waiting, then exit")

    def handle(self, *args, once=False, **options):
        if warning := eviction_warning():
            self.stderr.write(self.style.ERROR(warning))
        worker = Worker()
        if not once:
            metrics.serve(settings.METRICS_PORT, settings.METRICS_HOST, shared=True)
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            if once:
                worker.run_periodic(force=True)
                self.stdout.write(f"ran {worker.drain()} jobs")
                return
            self.stdout.write(f"worker {worker.name} started")
            worker.serve(lambda: stopping, block_ms=1000)
        finally:
            worker.close()
