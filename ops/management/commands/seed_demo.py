"""``manage.py seed_demo [--password PW] [--force]``: load the demo data (idempotent)."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.demo import ACCOUNTS, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo agencies, officials, moderator, admin and citizens."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo account (default: a random one, printed)")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args, password=None, force=False, quiet=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(_("seed_demo refuses to run with DEBUG off (a production database?); "
                                 "pass --force if you mean it."))
        if password is not None and len(password) < 4:
            raise CommandError(_("--password must be at least 4 characters."))
        password = password or secrets.token_urlsafe(9)
        counts = seed_demo(password=password)
        if not quiet:
            self.stdout.write(
                f"seed_demo: {counts['accounts']} accounts, {counts['agencies']} agencies, "
                f"{counts['kecamatan']} kecamatan offices, {counts['rooms']} chat rooms, "
                f"{counts['sessions']} Q&A sessions (the Bupati's live now, the Wakil Bupati's tomorrow)"
            )
            self.stdout.write(f"password for every demo account: {password}")
            self.stdout.write("logins: " + ", ".join(
                f"{a.username} (delegate of {a.delegate_of})" if a.delegate_of else a.username for a in ACCOUNTS))
