"""After Redis lost its data the reconciler puts every open item back on its
stream, once, and leaves decided ones alone. The database row is the truth."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from moderation import services, streams
from moderation.models import ItemStatus, QueueItem
from moderation.queues import ESCALATED
from tests.moderation.helpers import admin, claim, decide, hold, moderator, user


def _claim_all(mod, queue: str = "chat") -> list[int]:
    got = []
    while (item := services.item_claim_next(moderator=mod, queue=queue)) is not None:
        got.append(item.pk)
    return got


def test_after_redis_lost_everything_every_pending_item_is_claimable_again_once(redis_client):
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    items = [hold(author, f"pesan {n}") for n in range(6)]
    claim(ani)  # items[0] in ani's hands
    claim(ani)
    decide(ani, items[1].pk, "approve")
    escalated = items[2]
    claim(budi)
    decide(budi, escalated.pk, "escalate")
    decided = {items[1].pk}
    pending = [item.pk for item in items if item.pk not in decided and item.pk != escalated.pk]

    redis_client.flushdb()
    assert services.item_claim_next(moderator=budi, queue="chat") is None, "the streams are gone"

    out = StringIO()
    call_command("moderation_reconcile", stdout=out)
    assert out.getvalue().strip() == "re-enqueued 5 items"
    assert services.queue_reconcile() == 0, "a second run finds nothing missing"
    call_command("moderation_reconcile", stdout=StringIO())

    got = _claim_all(ani) + _claim_all(budi)
    assert sorted(got) == sorted(pending), "each pending item exactly once, the decided one never"
    assert QueueItem.objects.get(pk=items[1].pk).status == ItemStatus.APPROVED
    boss = admin("boss")
    assert [i.pk for i in [services.item_claim_next(moderator=boss, queue=ESCALATED)]] == [escalated.pk]
    assert services.item_claim_next(moderator=boss, queue=ESCALATED) is None


def test_a_claim_lost_with_redis_goes_back_to_the_queue(redis_client):
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    item = hold(author)
    claim(ani)
    redis_client.flushdb()
    assert services.queue_reconcile() == 1
    status, body = claim(budi)
    assert body["item"]["id"] == item.pk
    status, body = decide(ani, item.pk)
    assert (status, body["code"]) == (409, "not_claimed"), "the claim moved to budi"
    assert decide(budi, item.pk)[1]["status"] == "approved"
    assert services.queue_reconcile() == 0


def test_only_the_missing_entries_are_added_back(redis_client):
    author, ani = user("siti"), moderator("ani")
    items = [hold(author, f"pesan {n}") for n in range(3)]
    stream = streams.stream_name("chat")
    lost = [entry for entry, fields in redis_client.xrange(stream) if int(fields[b"item"]) == items[1].pk]
    assert len(lost) == 1
    redis_client.xdel(stream, *lost)
    assert services.queue_reconcile() == 1
    assert services.queue_reconcile() == 0
    assert sorted(_claim_all(ani)) == [item.pk for item in items]


def test_an_item_enqueued_while_redis_was_down_is_added_by_the_reconciler(settings):
    author, ani = user("siti"), moderator("ani")
    up = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    item = hold(author, "dikirim saat Redis mati")
    settings.REDIS_URL = up
    assert QueueItem.objects.get(pk=item.pk).status == ItemStatus.PENDING, "the row is kept"
    assert services.item_claim_next(moderator=ani, queue="chat") is None
    assert services.queue_reconcile() == 1
    assert services.item_claim_next(moderator=ani, queue="chat").pk == item.pk
