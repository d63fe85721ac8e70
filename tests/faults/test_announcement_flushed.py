"""Redis loses its data (``FLUSHDB``) while an announcement's delivery job is
waiting on the job stream (issue 14 C). The ``Announcement`` row is the
truth: the worker's scan (``notify/services.py:announcement_requeue_stalled``,
every ``NOTIFY_ANNOUNCEMENT_RETRY_SECONDS``) queues the delivery of an
unfinished announcement idle that long again, and every recipient gets it
once — stored once, and pushed once to their open tab."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect as ws_connect

from accounts.choices import Kecamatan
from common.jobs import _stream
from notify.models import Announcement, Notification
from notify.services import announcement_create
from realtime.presence import HEARTBEAT_S
from tests.faults.cluster import PHASE_S, app_processes, session_cookie, worker_process
from tests.hub import check_frame
from tests.moderation.helpers import admin, user

pytestmark = pytest.mark.live

#: Longer than a presence heartbeat, as the default (60) is: presence, lost
#: with the flush too, is back before the delivery queued again pushes to the
#: recipients with a tab open.
RETRY_S = HEARTBEAT_S + 5


class NotifyTab:
    """A recipient's open tab, joined to their notifications; keeps every
    notification frame it receives."""

    def __init__(self, url: str, person, cookie: str):
        self.url, self.person, self.cookie = url, person, cookie
        self.received: list[dict] = []

    async def __aenter__(self):
        self.ws = await ws_connect(self.url.replace("http://", "ws://") + "/ws/", origin=self.url, proxy=None,
                                   additional_headers={"Cookie": f"sessionid={self.cookie}"})
        join = {"type": "join", "topic": f"notify.{self.person.pk}", "since": None, "ref": "join"}
        check_frame(join, "client")
        await self.ws.send(json.dumps(join))
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self):
        async for raw in self.ws:
            frame = json.loads(raw)
            check_frame(frame, "server")
            if frame["type"] == "notification":
                self.received.append(frame["notification"])

    async def __aexit__(self, *exc):
        self.reader.cancel()
        await self.ws.close()

    def titles(self) -> list[str]:
        return [n["text"] for n in self.received]


async def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + PHASE_S
    while not await sync_to_async(condition)():
        assert time.monotonic() < deadline, f"not within {PHASE_S} s: {what}"
        await asyncio.sleep(0.1)


def finished(announcement: Announcement) -> bool:
    return Announcement.objects.get(pk=announcement.pk).finished_at is not None


def test_an_announcement_lost_with_redis_reaches_every_recipient_once(transactional_db, redis_client):
    boss = admin("boss")
    audience = [user(f"juwana{n}", kecamatan=Kecamatan.JUWANA) for n in range(4)]
    user("tayu", kecamatan=Kecamatan.TAYU)
    online = [(person, session_cookie(person)) for person in audience[:2]]

    with app_processes(1) as (app,):
        async def scenario():
            async with NotifyTab(app.url, *online[0]) as tab0, NotifyTab(app.url, *online[1]) as tab1:
                lost = await sync_to_async(announcement_create)(
                    author=boss, title="Pemadaman air", body="Besok pagi.", kecamatan=Kecamatan.JUWANA)
                assert redis_client.xlen(_stream()) == 1, "its delivery job waits on the stream"
                redis_client.flushdb()
                with worker_process({"NOTIFY_ANNOUNCEMENT_RETRY_SECONDS": str(RETRY_S)}) as worker:
                    await wait_for(lambda: finished(lost), "the lost announcement delivered")
                    # A second one, delivered at once, is the sync point: each tab
                    # receives it after every frame of the first.
                    after = await sync_to_async(announcement_create)(
                        author=boss, title="Air kembali", body="Sudah normal.", kecamatan=Kecamatan.JUWANA)
                    await wait_for(lambda: finished(after), "the next announcement delivered")
                    for tab in (tab0, tab1):
                        await wait_for(lambda tab=tab: any("Air kembali" in t for t in tab.titles()),
                                       f"{tab.person.username}'s tab showing the next announcement")
                    assert worker.poll() is None, worker.log_path.read_text()[-2000:]
                for tab in (tab0, tab1):
                    shown = [t for t in tab.titles() if "Pemadaman air" in t]
                    assert len(shown) == 1, f"{tab.person.username}'s tab showed it {len(shown)} times"
                return lost

        lost = asyncio.run(scenario())

    stored = sorted(Notification.objects.filter(announcement=lost).values_list("recipient_id", flat=True))
    assert stored == sorted(p.pk for p in audience), "every recipient once, nobody else"
    lost.refresh_from_db()
    assert lost.delivered == len(audience)
