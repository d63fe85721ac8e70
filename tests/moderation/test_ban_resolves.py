"""A ban resolves the banned user's items still waiting for publication:
each is refused with the ban as its reason and audited; their reported
content stays for a moderator; a bulk approval leaves sanctioned authors'
items alone (issue 13 item 4)."""

from __future__ import annotations

from chat.models import Message, MessageStatus
from moderation import services
from moderation.models import AuditEntry, ItemStatus, QueueItem
from tests.moderation.helpers import call, claim, decide, hold, moderator, user

SANCTION = "/moderasi/api/sanksi/"
BULK = "/moderasi/api/setujui-semua/"


def _ban(mod, who):
    return call(mod, "POST", SANCTION, {"user": who.pk, "kind": "ban", "reason": "spam berulang"})


def test_a_ban_refuses_every_held_item_of_the_author_with_the_ban_as_reason():
    mod, siti, budi = moderator(), user("siti"), user("budi")
    first, second = hold(siti, "Promo pinjol satu"), hold(siti, "Promo pinjol dua")
    other = hold(budi, "Jalan rusak di Tayu")
    assert claim(mod)[0] == 200  # one of siti's is in the moderator's hands: it is resolved too

    status, _body = _ban(mod, siti)

    assert status == 201
    for item in (first, second):
        item.refresh_from_db()
        assert (item.status, item.decision_reason, item.decided_by) == (ItemStatus.REJECTED, services.BAN_REASON, mod)
        message = Message.objects.get(pk=item.target_id)
        assert message.status != MessageStatus.PUBLISHED and message.seq is None, "never published"
        assert AuditEntry.objects.filter(action="reject", target=f"chat.message:{item.target_id}",
                                         subject=siti, reason="ban").count() == 1
    other.refresh_from_db()
    assert other.status == ItemStatus.PENDING, "other authors' items wait as before"


def test_a_banned_authors_claimed_item_cannot_be_approved_afterwards():
    mod, siti = moderator(), user("siti")
    item = hold(siti, "Pesan yang tertahan")
    assert claim(mod)[1]["item"]["id"] == item.pk
    _ban(mod, siti)
    status, body = decide(mod, item.pk, "approve")
    assert (status, body["code"]) == (409, "already_decided")
    assert Message.objects.get(pk=item.target_id).seq is None


def test_a_ban_leaves_reports_on_the_authors_public_content_to_a_moderator():
    mod, siti = moderator(), user("siti")
    services.item_enqueue(queue="reports", target_kind="chat.message", target_id=12345, author_id=siti.pk,
                          reasons=["report:spam"])
    _ban(mod, siti)
    assert QueueItem.objects.get(queue="reports").status == ItemStatus.PENDING


def test_bulk_approval_skips_an_author_under_a_sanction():
    mod, siti, budi = moderator(), user("siti"), user("budi")
    hold(siti, "Satu"), hold(budi, "Dua")
    claimed = [claim(mod)[1]["item"]["id"], claim(mod)[1]["item"]["id"]]
    assert call(mod, "POST", SANCTION, {"user": siti.pk, "kind": "mute", "duration": "1h"})[0] == 201

    status, body = call(mod, "POST", BULK, {"items": claimed})

    assert status == 200
    by_author = {QueueItem.objects.get(pk=pk).author.username: body["results"][str(pk)] for pk in claimed}
    assert by_author == {"siti": "author_sanctioned", "budi": "approved"}
    assert QueueItem.objects.get(author=siti).status == ItemStatus.PENDING
