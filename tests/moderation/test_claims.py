"""The queue engine: claims over Redis Streams, idle reclaim, delivery counts,
escalation to administrators, and decisions that happen once."""

from __future__ import annotations

import threading
from collections import Counter

from django.db import connection

from chat.models import Message, MessageStatus
from moderation import services, streams
from moderation.models import AuditEntry, ItemStatus, QueueItem
from moderation.queues import ESCALATED
from notify.models import Notification
from tests.hub import seed_messages
from tests.moderation.helpers import admin, age_claims, call, claim, decide, hold, moderator, snapshot, the_room, user


def test_two_moderators_never_hold_the_same_item():
    author = user("siti")
    items = [hold(author, f"pesan {n}").pk for n in range(24)]
    mods = [moderator(f"mod{n}") for n in range(4)]
    claims: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(mods))

    def work(mod):
        try:
            start.wait()
            while (item := services.item_claim_next(moderator=mod, queue="chat")) is not None:
                claims.append((mod.username, item.pk))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(mod,)) for mod in mods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    counts = Counter(item_id for _mod, item_id in claims)
    assert sorted(counts) == sorted(items), "every item was handed out"
    assert set(counts.values()) == {1}, f"items handed out twice: {[i for i, n in counts.items() if n > 1]}"
    held_by = dict(QueueItem.objects.values_list("pk", "claimed_by__username"))
    assert all(held_by[item_id] == mod for mod, item_id in claims)
    assert len({mod for mod, _ in claims}) > 1, "the moderators shared the work"


def test_an_item_left_idle_moves_to_another_moderator_and_the_first_is_refused(settings):
    settings.MODERATION_CLAIM_TIMEOUT_SECONDS = 60
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    item = hold(author, "Lampu jalan di Tayu mati")
    status, body = claim(ani)
    assert status == 200 and body["item"]["id"] == item.pk and body["item"]["delivery_count"] == 1
    age_claims("chat", 59)
    assert claim(budi) == (200, {"item": None}), "a claim younger than the timeout is not handed to anyone else"

    age_claims("chat", 61)
    status, body = claim(budi)
    assert status == 200 and body["item"]["id"] == item.pk
    assert body["item"]["delivery_count"] == 2, "the delivery count is kept across claims"

    before = snapshot()
    status, body = decide(ani, item.pk, "approve")
    assert (status, body["code"]) == (409, "not_claimed")
    assert snapshot() == before, "the refused decision changed nothing"
    assert Message.objects.get(pk=item.target_id).status == MessageStatus.HELD

    status, body = decide(budi, item.pk, "approve")
    assert (status, body["status"]) == (200, "approved")


def test_a_moderator_who_disappears_loses_every_item_to_others():
    """Idle entries are found however many busy ones come before them in the
    group's pending list (XAUTOCLAIM looks at only ten per call)."""
    stream = streams.stream_name("chat")
    entries = [streams.add(stream, item_id) for item_id in range(1, 26)]
    assert [streams.claim(stream, "gone", 60_000)[0] for _ in entries] == entries
    age_claims("chat", 120)  # "gone" has not been seen for two minutes
    # ani takes over fifteen and keeps them busy; budi must still find the other ten.
    ani = [streams.claim(stream, "ani", 60_000) for _ in range(15)]
    budi = []
    while (entry := streams.claim(stream, "budi", 60_000)) is not None:
        budi.append(entry)
    assert sorted(e[1] for e in ani + budi) == list(range(1, 26))
    assert len(budi) == 10 and all(times == 2 for _e, _i, times in ani + budi)


def test_an_item_delivered_too_often_goes_to_the_administrators(settings):
    settings.MODERATION_CLAIM_TIMEOUT_SECONDS = 60
    settings.MODERATION_MAX_DELIVERIES = 2
    room = the_room()
    seed_messages(room, user("other"), 4)
    author, ani, budi, boss = user("siti"), moderator("ani"), moderator("budi"), admin("boss")
    item = hold(author, "Mohon perhatian", room=room)

    assert claim(ani)[1]["item"]["delivery_count"] == 1
    age_claims("chat", 61)
    assert claim(budi)[1]["item"]["delivery_count"] == 2
    age_claims("chat", 61)
    assert claim(ani) == (200, {"item": None}), "a third delivery escalates instead"
    item.refresh_from_db()
    assert item.status == ItemStatus.ESCALATED and item.claimed_by is None
    assert AuditEntry.objects.filter(action="escalate", target=f"chat.message:{item.target_id}").count() == 1
    assert claim(budi) == (200, {"item": None}), "it left the moderators' queue"
    status, body = claim(budi, ESCALATED)
    assert (status, body["code"]) == (403, "forbidden"), "moderators cannot take escalations"
    status, body = decide(budi, item.pk, "approve")
    assert (status, body["code"]) == (403, "forbidden"), "an escalated item is the administrators' to decide"

    status, body = claim(boss, ESCALATED)
    assert status == 200 and body["item"]["id"] == item.pk and body["item"]["status"] == "escalated"
    status, body = decide(boss, item.pk, "approve")
    assert (status, body["status"]) == (200, "approved")
    message = Message.objects.get(pk=item.target_id)
    assert message.status == MessageStatus.PUBLISHED and message.seq == 5, "the room's next visible id"
    assert claim(boss, ESCALATED) == (200, {"item": None})


def test_a_moderator_escalates_and_an_admin_rejects():
    author, ani, boss = user("siti"), moderator("ani"), admin("boss")
    item = hold(author, "Kabar ini benar atau hoaks?")
    claim(ani)
    status, body = decide(ani, item.pk, "escalate", note="tidak yakin")
    assert (status, body["status"]) == (200, "escalated")
    assert claim(ani) == (200, {"item": None})
    status, body = claim(boss, ESCALATED)
    assert body["item"]["id"] == item.pk
    status, body = decide(boss, item.pk, "reject", reason="hoaks", note="sudah dibantah Diskominfo")
    assert (status, body["status"]) == (200, "rejected")
    message = Message.objects.get(pk=item.target_id)
    assert message.status == MessageStatus.REJECTED and message.seq is None
    assert "Hoaks" in message.hold_reason and "dibantah" in message.hold_reason


def test_a_second_decision_is_refused_and_changes_nothing():
    room = the_room()
    seed_messages(room, user("other"), 2)
    author, ani, budi = user("siti"), moderator("ani"), moderator("budi")
    item = hold(author, "Jalan Pati–Kudus berlubang", room=room)
    claim(ani)
    assert decide(ani, item.pk, "approve")[0] == 200
    message = Message.objects.get(pk=item.target_id)
    assert (message.status, message.seq) == (MessageStatus.PUBLISHED, 3)

    before = snapshot()
    for who, action, extra in [(ani, "approve", {}), (ani, "reject", {"reason": "spam"}),
                               (budi, "approve_redacted", {}), (ani, "escalate", {})]:
        status, body = decide(who, item.pk, action, **extra)
        assert (status, body["code"]) == (409, "already_decided"), (who, action)
    assert snapshot() == before
    assert AuditEntry.objects.filter(target=f"chat.message:{message.pk}", action="approve").count() == 1
    assert Notification.objects.filter(recipient=author, kind="moderation.approved").count() == 1


def test_a_rejection_needs_a_known_reason_and_tells_the_author_why():
    author, ani = user("siti"), moderator("ani")
    item = hold(author, "Beli obat murah di sini")
    claim(ani)
    before = snapshot()
    for reason in ("", "tidak-ada", "SPAM"):
        status, body = decide(ani, item.pk, "reject", reason=reason)
        assert (status, body["code"]) == (400, "unknown_reason"), reason
    assert snapshot() == before

    status, body = decide(ani, item.pk, "reject", reason="spam", note="promosi obat")
    assert (status, body["status"]) == (200, "rejected")
    item.refresh_from_db()
    assert (item.decision_reason, item.decision_note) == ("spam", "promosi obat")
    note = Notification.objects.get(recipient=author, kind="moderation.rejected")
    assert "Spam" in note.params["reason"] and "promosi obat" in note.params["reason"]


def test_only_the_moderator_holding_an_item_may_decide_it():
    author, ani, budi, citizen = user("siti"), moderator("ani"), moderator("budi"), user("warga")
    item = hold(author)
    assert decide(ani, item.pk)[1]["code"] == "not_claimed", "claim first"
    claim(ani)
    before = snapshot()
    status, body = decide(budi, item.pk)
    assert (status, body["code"]) == (409, "not_claimed")
    status, body = decide(citizen, item.pk)
    assert (status, body["code"]) == (403, "forbidden")
    status, body = claim(citizen)
    assert (status, body["code"]) == (403, "forbidden")
    assert snapshot() == before


def test_an_escalated_item_and_its_raw_text_are_for_administrators_only():
    """Issue 14 A9: a moderator who is not an administrator cannot read an
    escalated item (its unmasked text) through the console API, before the
    decision or after it; a moderator's other items stay readable."""
    author, ani, budi, boss = user("siti"), moderator("ani"), moderator("budi"), admin("boss")
    secret = "NIK saya 3318011203850002, telp 081234567890"
    item = hold(author, secret)
    other = hold(author, "Pesan biasa")
    assert claim(ani)[1]["item"]["id"] == item.pk
    assert decide(ani, item.pk, "escalate", note="data pribadi")[0] == 200

    def detail(who):
        return call(who, "GET", f"/moderasi/api/item/{item.pk}/")

    for who in (ani, budi):
        status, body = detail(who)
        assert (status, body["code"]) == (403, "forbidden") and "3318011203850002" not in str(body)
    status, body = detail(boss)
    assert status == 200 and body["item"]["text"] == secret
    assert call(budi, "GET", f"/moderasi/api/item/{other.pk}/")[0] == 200

    assert claim(boss, ESCALATED)[1]["item"]["id"] == item.pk
    assert decide(boss, item.pk, "reject", reason="data-pribadi")[0] == 200
    status, body = detail(budi)
    assert (status, body["code"]) == (403, "forbidden"), "still the administrators' after the decision"


def test_an_escalated_item_is_never_claimed_from_its_old_queue():
    """Between an escalation and the recording of its new stream entry, the
    item's old entry must not hand it (and its raw text) to a moderator."""
    author, ani = user("siti"), moderator("ani")
    item = hold(author, "Telp saya 081234567890")
    # Escalated, its old entry still in the ``chat`` stream, its new one not yet recorded.
    QueueItem.objects.filter(pk=item.pk).update(status=ItemStatus.ESCALATED, stream=ESCALATED, stream_id="")
    assert claim(ani) == (200, {"item": None})
    item.refresh_from_db()
    assert item.claimed_by is None
