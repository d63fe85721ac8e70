"""A client that rejoins with since_rev gets the edits and removals it missed."""

ROOM = "room.bupati"


def _messages(frames: list[dict]) -> list[dict]:
    """The message frames among what followed a join (presence may interleave)."""
    return [f for f in frames if f["type"].startswith("message")]


async def test_edits_and_deletes_made_while_away_are_replayed_before_new_messages(room, make_user, connect):
    alice = await make_user("alice")
    bob = await make_user("bob")
    a = await connect(alice)
    await a.join(ROOM)
    first = await a.say(ROOM, "Jalan rusak di Desa Ngagel")
    second = await a.say(ROOM, "Mohon segera diperbaiki")
    b = await connect(bob)
    joined, replay = await b.join(ROOM)
    replay = _messages(replay)
    assert [f["message"]["id"] for f in replay] == [first["id"], second["id"]]
    seen_rev = max([joined["last_rev"], *(f["message"]["rev"] for f in replay)])
    await b.close()

    assert (await a.recv_ack({"type": "edit", "topic": ROOM, "id": first["id"],
                              "body": "Jalan rusak parah di Desa Ngagel"}))["status"] == "updated"
    assert (await a.recv_ack({"type": "delete", "topic": ROOM, "id": second["id"]}))["status"] == "deleted"
    third = await a.say(ROOM, "Terima kasih")

    back = await connect(bob)
    joined, replay = await back.join(ROOM, since=second["id"], since_rev=seen_rev)
    replay = _messages(replay)
    assert joined["last_id"] == third["id"] and joined["last_rev"] > seen_rev
    kinds = [(f["type"], f["message"]["id"]) for f in replay]
    assert kinds == [("message.updated", first["id"]), ("message.updated", second["id"]),
                     ("message", third["id"])]
    edited, removed = replay[0]["message"], replay[1]["message"]
    assert edited["body"] == "Jalan rusak parah di Desa Ngagel" and edited["edited_at"] is not None
    assert removed["deleted"] is True and removed["body"] == ""

    # Without since_rev a client gets only the new messages, as before.
    again = await connect(bob)
    _joined, replay = await again.join(ROOM, since=second["id"])
    replay = _messages(replay)
    assert [(f["type"], f["message"]["id"]) for f in replay] == [("message", third["id"])]


async def test_a_join_right_after_an_edit_or_a_removal_sees_it(room, make_user, connect):
    """Joiners at the same room state share one read of the page (chat/topic.py);
    any edit, removal or new message gives the next joiner a fresh page."""
    alice = await make_user("alice")
    a = await connect(alice)
    await a.join(ROOM)
    first = await a.say(ROOM, "Lampu jalan mati")
    second = await a.say(ROOM, "Sudah tiga hari")

    def bodies(replay):
        # the page's messages (a live event of the change just made may follow the join: not the page)
        return [(f["message"]["id"], f["message"]["body"], f["message"]["deleted"])
                for f in replay if f["type"] == "message"]

    one, two = await connect(None), await connect(None)
    page = bodies((await one.join(ROOM))[1])
    assert page == bodies((await two.join(ROOM))[1])  # the same state, the same page
    assert page == [(first["id"], "Lampu jalan mati", False), (second["id"], "Sudah tiga hari", False)]

    await a.recv_ack({"type": "edit", "topic": ROOM, "id": first["id"], "body": "Lampu jalan mati total"})
    assert bodies((await (await connect(None)).join(ROOM))[1])[0] == (first["id"], "Lampu jalan mati total", False)
    await a.recv_ack({"type": "delete", "topic": ROOM, "id": second["id"]})
    assert bodies((await (await connect(None)).join(ROOM))[1])[1] == (second["id"], "", True)
    third = await a.say(ROOM, "Terima kasih")
    assert bodies((await (await connect(None)).join(ROOM))[1])[-1] == (third["id"], "Terima kasih", False)
