"""Redis loses its data (``FLUSHDB``) while moderation items are pending
(issue 14 C). The ``QueueItem`` rows are the truth and the streams only
carry their ids: the worker's periodic reconciler
(``moderation/services.py:queue_reconcile``, every
``MODERATION_RECONCILE_SECONDS``) puts every open item back on its stream,
claims lost with Redis included, and leaves decided ones alone. The worker
process itself lives through the flush (its blocked read of the job stream
is ended by Redis, ``UNBLOCKED``) and runs the jobs queued after it."""

from __future__ import annotations

import time

import pytest

from chat.models import Message, MessageStatus
from moderation import services
from moderation.models import AuditEntry, ItemStatus, QueueItem
from notify.models import Announcement
from notify.services import announcement_create
from tests.faults.cluster import PHASE_S, worker_process
from tests.moderation.helpers import admin, claim, decide, hold, moderator, the_room, user

pytestmark = pytest.mark.live


def poll(condition, what: str, timeout: float = PHASE_S):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)
    return value


def worker_blocked_on_jobs(redis_client) -> bool:
    """A client of this database blocked in ``XREADGROUP`` (the worker; a
    shared Redis may hold other databases' workers)."""
    db = str(redis_client.connection_pool.connection_kwargs.get("db", 0))
    return any(c.get("cmd") == "xreadgroup" and "b" in c.get("flags", "") and c.get("db") == db
               for c in redis_client.client_list())


def test_pending_items_survive_a_flushdb_and_are_decided_once(transactional_db, redis_client):
    the_room(premoderated=True)
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    items = [hold(author, f"Mohon jembatan nomor {n} diperbaiki").pk for n in range(5)]
    first = claim(ani)[1]["item"]["id"]
    assert decide(ani, first, "approve")[1]["status"] == "approved"
    held_by_ani = claim(ani)[1]["item"]["id"]  # claimed when Redis loses it
    pending = [pk for pk in items if pk != first]

    with worker_process({"MODERATION_RECONCILE_SECONDS": "5"}) as worker:
        poll(lambda: worker_blocked_on_jobs(redis_client), "the worker waiting on the job stream")
        redis_client.flushdb()
        assert claim(budi)[1] == {"item": None}, "the streams are gone"

        handed: dict[int, str] = {}

        def every_pending_item_handed_out() -> bool:
            for mod in (budi, ani):
                item = claim(mod)[1]["item"]
                if item is not None:
                    assert item["id"] not in handed, f"item {item['id']} handed out twice"
                    handed[item["id"]] = mod.username
            return set(handed) == set(pending)

        poll(every_pending_item_handed_out, "the reconciler putting the pending items back")
        if handed[held_by_ani] != "ani":
            assert decide(ani, held_by_ani, "approve")[1]["code"] == "not_claimed", "her claim went with Redis"
        for item_id, username in handed.items():
            mod = ani if username == "ani" else budi
            assert decide(mod, item_id, "approve")[1]["status"] == "approved"

        # The worker lived through it and still runs jobs.
        announcement = announcement_create(author=admin("boss"), title="Pemadaman air", body="Besok pagi.")
        poll(lambda: Announcement.objects.get(pk=announcement.pk).finished_at, "the announcement job after the flush")
        assert worker.poll() is None, worker.log_path.read_text()[-2000:]

    assert services.queue_reconcile() == 0, "nothing left behind"
    assert list(QueueItem.objects.filter(pk__in=items).values_list("status", flat=True)) == \
        [ItemStatus.APPROVED] * len(items)
    approvals = list(AuditEntry.objects.filter(action="approve").values_list("target", flat=True))
    assert sorted(approvals) == sorted(set(approvals)) and len(approvals) == len(items), "each decided once"
    assert list(Message.objects.order_by("seq").values_list("status", "seq")) == \
        [(MessageStatus.PUBLISHED, seq) for seq in range(1, len(items) + 1)]
