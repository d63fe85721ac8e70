"""A crash between commit and publish (issue 14 C). A message is persisted
first and its event published after commit (``transaction.on_commit`` ->
``realtime/events.py:_dispatch``; a socket's sends hand theirs to the event
loop, ``deferred_publish``). Here the process that sent it dies right at
that seam: the transaction committed, the publish never happened. The
database is the record: a live reader gets the message as soon as the next
event shows it a gap, a client that resumes reads it back by id, and the
sender's retry with the same ``client_id`` is answered with the stored
message instead of storing it twice."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from asgiref.sync import sync_to_async

from accounts.choices import Role
from chat.models import Message
from chat.services import room_upsert
from tests.faults.cluster import AppProcess, RoomClient, astored_check, process_env, session_cookie
from tests.hub import create_user
from tests.live import ROOT

pytestmark = pytest.mark.live

#: Sends one message as ``pejabat`` from a process of its own, which is
#: killed by the first callback after commit: the one registered before the
#: message's own publish (callbacks run in the order they were registered).
CRASH_AFTER_COMMIT = """
import os, signal, sys
import django

django.setup()
from django.db import transaction
from accounts.models import User
from chat.services import message_send

with transaction.atomic():
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    message_send(user=User.objects.get(username="pejabat"), room_slug="bupati",
                 client_id=sys.argv[-2], body=sys.argv[-1])
"""


def send_and_die_after_commit(client_id: str, body: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CRASH_AFTER_COMMIT, client_id, body], cwd=ROOT,
                          env=process_env(None), capture_output=True, text=True, timeout=60)


@pytest.fixture
def app(transactional_db):
    room_upsert(slug="bupati", title="Ruang Bupati")
    proc = AppProcess()
    yield proc
    proc.stop()


async def test_a_message_committed_but_never_published_reaches_every_client_once(app):
    official = await sync_to_async(create_user)("pejabat", role=Role.OFFICIAL)
    sender = RoomClient("pejabat", [app.url], cookie=await sync_to_async(session_cookie)(official), to_send=1)
    live, resuming = RoomClient("live", [app.url]), RoomClient("resuming", [app.url])
    for client in (sender, live, resuming):
        await client.connect()
    for client in (sender, live, resuming):
        await client.run_until(1)
    await resuming.close()  # away while the crash happens

    lost = (str(uuid.uuid4()), "pejabat pesan yang tidak pernah diumumkan")
    result = await sync_to_async(send_and_die_after_commit)(*lost)
    assert result.returncode == -9, result.stderr
    stored = await sync_to_async(Message.objects.get)(client_id=lost[0])
    assert stored.seq == 2, "committed before the crash"
    await live.sync()
    assert live.ids == [1], "the event was published after all: the seam was not hit"

    # The sender never got an answer: its outbox sends it again (same
    # client_id), then the next one.
    after = (str(uuid.uuid4()), "pejabat pesan sesudahnya")
    sender.sent += [lost, after]
    sender.outbox.extend([lost, after])
    await sender.run_until(3)
    await live.run_until(3)  # id 3 shows a gap: 2 is read from the database first
    await resuming.connect()  # from id 1
    await resuming.run_until(3)
    for client in (sender, live, resuming):
        await client.close()
    assert sender.acked[lost[0]] == 2, "the retry is answered with the stored message"
    await astored_check([sender, live, resuming])
