"""Database side of the announcement benchmark (``bench.announce``).

Run with the same ``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``/``BALAI_VAR_DIR``
and ``REDIS_URL`` as the Daphne and worker under test, so the load generator
itself never imports Django:

- ``python -m bench.announce_setup prepare --recipients N --online M``: on
  PostgreSQL, drop and re-create the ``public`` schema first (only of a
  database whose name contains ``bench``); migrate; bulk-create N active
  citizens (unusable passwords) and one administrator with a random password
  and a signed-in session (second step passed); a session for M of the citizens, spread evenly over the id range
  (so pushes happen in every batch of the fan-out). Prints one JSON line.
- ``python -m bench.announce_setup watch --title T --expect N``: wait for the
  announcement titled T, poll how many of its notifications exist, note when
  there are N and when the announcement is finished, then check the rows
  (exactly one per citizen, none for anyone else). Prints ``ready`` once
  Django is up, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time

import django

ADMIN = "bench-announce-admin"
CITIZEN = "bench-warga-{:06d}"


def _reset_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to reset database {name!r}: its name must contain 'bench'")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def prepare(recipients: int, online: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    t0 = time.monotonic()
    _reset_postgres()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.monotonic() - t0

    from accounts.choices import CitizenCategory, Kecamatan, Role
    from accounts.models import User
    from accounts.services import user_provision

    if User.objects.exists():
        raise SystemExit("the benchmark needs a fresh database: users exist already")
    t1 = time.monotonic()
    kecamatan = list(Kecamatan.values)
    unusable = make_password(None)
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=CITIZEN.format(i), display_name=f"Warga Uji {i}", password=unusable,
                  role=Role.CITIZEN, category=CitizenCategory.UMUM, kecamatan=kecamatan[i % len(kecamatan)])
             for i in range(recipients)],
            batch_size=2000)
    users_s = time.monotonic() - t1
    admin_password = secrets.token_urlsafe(18)
    admin, _ = user_provision(username=ADMIN, password=admin_password, role=Role.ADMIN,
                              display_name="Bench Admin")

    citizen_ids = list(User.objects.filter(role=Role.CITIZEN).order_by("pk").values_list("pk", flat=True))
    step = len(citizen_ids) / max(1, online)
    chosen = [citizen_ids[int(i * step)] for i in range(min(online, len(citizen_ids)))]
    by_id = User.objects.in_bulk(chosen)

    from bench.sessions import session_for as session

    with transaction.atomic():
        sessions = {str(pk): session(by_id[pk]) for pk in chosen}
        admin_session = session(admin)
    return {"admin": ADMIN, "admin_session": admin_session, "admin_id": admin.pk,
            "citizens": len(citizen_ids), "sessions": sessions, "migrate_s": round(migrate_s, 1),
            "users_s": round(users_s, 2), "vendor": connection.vendor}


def watch(title: str, expect: int, timeout: float, interval: float) -> dict:
    from django.db.models import Count

    from accounts.choices import Role
    from accounts.models import User
    from notify.models import Announcement, Notification

    print("ready", flush=True)
    deadline = time.monotonic() + timeout
    announcement = None
    while announcement is None and time.monotonic() < deadline:
        announcement = Announcement.objects.filter(title=title).first()
        if announcement is None:
            time.sleep(interval)
    if announcement is None:
        return {"error": f"no announcement titled {title!r} within {timeout:g}s"}
    seen_at = time.time()
    progress = []  # (unix time, rows) whenever the count changed
    all_rows_at = None
    polls = 0
    rows = 0
    while time.monotonic() < deadline:
        rows = Notification.objects.filter(announcement_id=announcement.pk).count()
        polls += 1
        if not progress or progress[-1][1] != rows:
            progress.append((time.time(), rows))
        if rows >= expect and all_rows_at is None:
            all_rows_at = time.time()
        if all_rows_at is not None:
            announcement.refresh_from_db()
            if announcement.finished_at is not None:
                break
        time.sleep(interval)
    announcement.refresh_from_db()
    notifications = Notification.objects.filter(announcement_id=announcement.pk)
    per_recipient = notifications.values("recipient_id").annotate(n=Count("id"))
    citizens = set(User.objects.filter(role=Role.CITIZEN, is_active=True).values_list("pk", flat=True))
    recipients = {row["recipient_id"]: row["n"] for row in per_recipient}
    return {
        "announcement": announcement.pk, "seen_at": seen_at, "all_rows_at": all_rows_at,
        "finished_at": announcement.finished_at.timestamp() if announcement.finished_at else None,
        "created_at": announcement.created_at.timestamp(),
        "rows": notifications.count(), "delivered": announcement.delivered,
        "distinct_recipients": len(recipients),
        "duplicates": sum(n - 1 for n in recipients.values() if n > 1),
        "missing_citizens": len(citizens - set(recipients)),
        "non_citizens": len(set(recipients) - citizens),
        "polls": polls, "progress": progress,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["prepare", "watch"])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--online", type=int, default=200)
    parser.add_argument("--title")
    parser.add_argument("--expect", type=int)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--interval", type=float, default=0.025, help="watch: seconds between counts")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    django.setup()
    if args.action == "prepare":
        result = prepare(args.recipients, args.online)
    else:
        result = watch(args.title, args.expect, args.timeout, args.interval)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
