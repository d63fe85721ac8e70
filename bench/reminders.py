"""Reminder scan benchmark: what ``qa.services.reminders_send`` costs the
worker at 10,000 follows.

    .venv/bin/python -m bench.reminders                       # SQLite, a fresh file in var/bench-reminders/
    .venv/bin/python -m bench.reminders --database-url postgres://postgres@127.0.0.1:5432/bench_reminders

Builds (bulk inserts, then ``ANALYZE``) ``--follows`` citizens (default
10,000) following one session of an official three days ahead, and
``--sessions`` other sessions (default 200, spread over the next 60 days,
each with 5 followers), then times in this process (``settings.dev``,
``DEBUG=false``; Redis ``--redis-url``, DB 5 by default: ``notification_send``
asks it who is online):

- ``idle``: a scan while no reminder is due (the worker's every tick on most days);
- ``send``: the one scan that reminds all 10,000 followers a day before
  (10 batches of 1,000: notifications stored, stamps set);
- ``after``: a scan in the same window once all were reminded (every tick of
  that day: the probe "a follower not yet reminded?" reads the session's
  10,000 follows).

p50/p95/max over ``--repeat`` runs after two warm-ups, milliseconds. On
PostgreSQL the database name must contain ``bench`` (its schema is dropped).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.forum import percentile, timed

ROOT = Path(__file__).resolve().parent.parent


def say(text: str) -> None:
    print(text, flush=True)


def queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def line(name: str, function, repeat: int) -> None:
    times = timed(function, repeat)  # sorted
    say(f"{name:<44} {percentile(times, 0.5):>9.2f} {percentile(times, 0.95):>9.2f} {times[-1]:>9.2f} "
        f"{queries(function):>8}")


def populate(follows: int, sessions: int):
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import User
    from officials.services import official_upsert
    from qa import services
    from qa.models import Follow

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            sys.exit(f"refusing to reset database {name!r}: its name must contain 'bench'")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)
    official = User.objects.create_user(username="bench-bupati", password=None, role=Role.OFFICIAL,
                                        display_name="Bench Bupati")
    official_upsert(user=official, title="Bupati", agency=None)
    unusable = make_password(None)
    User.objects.bulk_create([User(username=f"bench-warga-{n:06d}", password=unusable, display_name=f"Warga {n}")
                              for n in range(follows)], batch_size=5000)
    citizens = list(User.objects.filter(username__startswith="bench-warga-").values_list("pk", flat=True))
    now = timezone.now()
    main = services.session_schedule(actor=official, title="Tanya Bupati", officials=[official],
                                     starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=1))
    Follow.objects.bulk_create([Follow(session=main, user_id=pk) for pk in citizens], batch_size=5000)
    for n in range(sessions):
        start = now + timedelta(days=4 + n * 56 / max(1, sessions), hours=n % 7)
        other = services.session_schedule(actor=official, title=f"Sesi {n}", officials=[official],
                                          starts_at=start, ends_at=start + timedelta(hours=1))
        Follow.objects.bulk_create([Follow(session=other, user_id=pk) for pk in citizens[n * 5: n * 5 + 5]])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--follows", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    if args.redis_url.rstrip("/").endswith("/0"):
        sys.exit("use a Redis database of its own, not 0")
    env = {"REDIS_URL": args.redis_url, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "settings.dev"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        var = ROOT / "var" / "bench-reminders"
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True)
        env["BALAI_VAR_DIR"] = str(var)
        os.environ.pop("DATABASE_URL", None)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from notify.models import Notification
    from qa import services
    from qa.models import Follow

    t0 = time.monotonic()
    session = populate(args.follows, args.sessions)
    say(f"{connection.vendor}: {Follow.objects.count():,} follows over {args.sessions + 1} sessions, "
        f"built in {time.monotonic() - t0:.0f} s; {args.repeat} timed runs after 2 warm-ups; ms")
    say(f"{'scan':<44} {'p50':>9} {'p95':>9} {'max':>9} {'queries':>8}")
    quiet = session.starts_at - timedelta(days=2)
    line("idle: nothing due", lambda: services.reminders_send(now=quiet), args.repeat)
    day = session.starts_at - timedelta(hours=23)
    t0 = time.perf_counter()
    counts = services.reminders_send(now=day)
    say(f"{'send: the day-before reminder to every follower':<44} {(time.perf_counter() - t0) * 1000:>9.0f}"
        f"  (once; {counts['day']:,} reminded, {Notification.objects.count():,} notifications)")
    line("after: all reminded, same window", lambda: services.reminders_send(now=day), args.repeat)


if __name__ == "__main__":
    main()
