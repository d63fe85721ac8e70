"""``manage.py moderation_reconcile``: put every pending item missing from its
Redis stream back on it (after Redis lost data). The worker also runs this
every ``MODERATION_RECONCILE_SECONDS``."""

from django.core.management.base import BaseCommand

from moderation.services import queue_reconcile


class Command(BaseCommand):
    help = "Re-enqueue pending moderation items missing from their Redis streams."

    def handle(self, *args, **options):
        self.stdout.write(f"re-enqueued {queue_reconcile()} items")
