"""Database side of the live Q&A session benchmark (``bench.qa``).

Run with the same ``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``/``BALAI_VAR_DIR``
and ``REDIS_URL`` as the Daphne under test, so the load generator itself never
imports Django. Every write goes through the app's services, as users make
them:

- ``prepare --citizens N --questions Q``: migrate; an agency, the Bupati (an
  official's profile), a moderator and N citizens, each with a signed-in
  session; a session of the Bupati opened now (``session_schedule`` then
  ``sessions_tick``) with Q questions asked by citizens and approved in the
  ``chat`` review queue. Prints one JSON line.
- ``approve --seconds S``: the moderator approves every question waiting in
  the ``chat`` review queue (``item_claim_next`` + ``item_decide``) until S
  seconds have passed or stdin is closed; prints
  ``{"approved": {question id: unix time of the commit}}``.
- ``collect --session ID``: every question of the session with its
  ``Question.votes``, its number of ``qa.Vote`` rows and its state.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import select
import sys
import time
from datetime import timedelta

import django

BUPATI = "bench-bupati"
MODERATOR = "bench-qa-moderator"
CITIZEN = "bench-qa-warga-{:04d}"
QUESTION = "Pertanyaan awal {} untuk Bupati tentang jalan desa dan layanan warga"


def _approve_waiting(moderator) -> dict[int, float]:
    """Approve what waits in the chat queue now; ``{question id: approved at}``."""
    from moderation.services import item_claim_next, item_decide
    from qa.models import Question

    approved = {}
    for _ in range(1000):  # bounded: at most 1000 a call
        item = item_claim_next(moderator=moderator, queue="chat")
        if item is None:
            break
        item_decide(moderator=moderator, item_id=item.pk, action="approve")
        question = Question.objects.filter(message_id=item.target_id).values_list("pk", flat=True).first()
        if question is not None:
            approved[question] = time.time()
    return approved


def prepare(citizens: int, questions: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from accounts.choices import Kecamatan, Role
    from accounts.services import user_provision
    from bench.sessions import session_for
    from officials.services import agency_upsert, official_upsert
    from qa import services

    call_command("migrate", verbosity=0, interactive=False)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            transaction.atomic():
        agency, _ = agency_upsert(slug="bench-setda", name="Sekretariat Daerah (uji)", short_name="SETDA-U",
                                  kind="setda")
        bupati, _ = user_provision(username=BUPATI, password=secrets.token_urlsafe(16), role=Role.OFFICIAL,
                                   display_name="Bupati Uji", title="Bupati")
        official_upsert(user=bupati, title="Bupati", agency=agency)
        moderator, _ = user_provision(username=MODERATOR, password=secrets.token_urlsafe(16),
                                      role=Role.MODERATOR, display_name="Moderator Uji")
        people = [user_provision(username=CITIZEN.format(i), password="x", role=Role.CITIZEN,
                                 display_name=f"Warga Uji {i}", kecamatan=Kecamatan.PATI)[0]
                  for i in range(citizens)]
    now = timezone.now()
    session = services.session_schedule(actor=moderator, title="Tanya Bupati (uji beban)", officials=[bupati],
                                        agency=agency, starts_at=now - timedelta(minutes=1),
                                        ends_at=now + timedelta(hours=3))
    services.sessions_tick(now=now)
    for i in range(questions):
        services.question_ask(user=people[i % len(people)], session_id=session.pk, body=QUESTION.format(i))
    approved = _approve_waiting(moderator)
    with transaction.atomic():
        cookies = [session_for(user) for user in people]
        bupati_cookie = session_for(bupati)
    return {"session": session.pk, "topic": f"sesi.{session.pk}", "questions": sorted(approved),
            "bupati": bupati_cookie, "citizens": cookies}


def approve(seconds: float) -> dict:
    from django.contrib.auth import get_user_model

    moderator = get_user_model().objects.get(username=MODERATOR)
    deadline = time.monotonic() + seconds
    approved: dict[int, float] = {}
    while time.monotonic() < deadline:
        done = _approve_waiting(moderator)
        approved.update(done)
        if not done:
            # Stop early when the bench closes stdin; else poll every 50 ms.
            ready, _, _ = select.select([sys.stdin], [], [], 0.05)
            if ready and not sys.stdin.read(1):
                break
    return {"approved": approved}


def collect(session_id: int) -> dict:
    from django.db.models import Count

    from qa.models import Question

    rows = Question.objects.filter(session_id=session_id).annotate(rows=Count("vote_rows")).values(
        "pk", "votes", "rows", "message__status", "dismissed_at")
    return {"questions": {str(row["pk"]): {"votes": row["votes"], "vote_rows": row["rows"],
                                           "status": row["message__status"]} for row in rows}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["prepare", "approve", "collect"])
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--session", type=int)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    django.setup()
    if args.action == "prepare":
        result = prepare(args.citizens, args.questions)
    elif args.action == "approve":
        result = approve(min(args.seconds, 600))
    else:
        result = collect(args.session)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
