"""A new topic kind with one custom action, added the way a domain app adds
one — a kind class and a schema fragment of its own — without touching the
hub core: the core dispatches the frame to it, validates it against the
kind's fragment, and refuses it on topics of other kinds."""

from __future__ import annotations

import json

import pytest

from realtime import topics
from realtime.topics import Replay, TopicKind
from tests.hub import ROOM

FRAGMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://balaiwarga.patikab.go.id/schema/poll-test.json",
    "$defs": {
        "client.pilih": {
            "type": "object",
            "required": ["type", "topic", "choice"],
            "properties": {
                "type": {"const": "pilih"},
                "ref": {"$ref": "realtime-hub.json#/$defs/clientRef"},
                "topic": {"$ref": "realtime-hub.json#/$defs/topic"},
                "choice": {"enum": ["ya", "tidak"]},
            },
        },
        "server.voted": {
            "type": "object", "additionalProperties": False, "required": ["type", "topic", "choice"],
            "properties": {"type": {"const": "voted"}, "ref": {"$ref": "realtime-hub.json#/$defs/ref"},
                           "topic": {"$ref": "realtime-hub.json#/$defs/topic"}, "choice": {"type": "string"}},
        },
        "clientFrame": {"oneOf": [{"$ref": "#/$defs/client.pilih"}]},
        "serverFrame": {"oneOf": [{"$ref": "#/$defs/server.voted"}]},
    },
}


@pytest.fixture
def poll_kind(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(FRAGMENT))
    votes: list[tuple[object, str]] = []

    class PollTopic(TopicKind):
        prefix = "poll"
        presence = False
        schema = path
        actions = {"pilih": "on_vote"}

        async def join(self, user, key):
            return key

        async def replay(self, grant, user, since, changes_since=None):
            return Replay(frames=[], last_id=0)

        async def history(self, grant, user, before, limit):
            return [], False

        async def on_vote(self, grant, user, frame):
            votes.append((grant, frame.data["choice"]))
            return {"type": "voted", "choice": frame.data["choice"]}

    topics.register(PollTopic())
    yield votes
    topics.unregister("poll")


async def test_a_kinds_own_action_is_dispatched_to_it(poll_kind, connect, room):
    socket = await connect(None)
    await socket.join("poll.anggaran")
    reply = await socket.request({"type": "pilih", "topic": "poll.anggaran", "choice": "ya", "ref": "v1"})
    assert reply == {"type": "voted", "topic": "poll.anggaran", "choice": "ya", "ref": "v1"}
    assert poll_kind == [("anggaran", "ya")]


async def test_the_action_is_validated_against_the_kinds_fragment(poll_kind, connect, room):
    socket = await connect(None)
    await socket.join("poll.anggaran")
    error = await socket.request_unchecked({"type": "pilih", "topic": "poll.anggaran", "choice": "mungkin"})
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert "choice" in error["detail"]
    missing = await socket.request_unchecked({"type": "pilih", "topic": "poll.anggaran"})
    assert missing["code"] == "invalid" and "choice" in missing["detail"]
    assert poll_kind == []


async def test_another_kinds_topic_refuses_the_action(poll_kind, connect, room):
    socket = await connect(None)
    await socket.join(ROOM)
    error = await socket.request({"type": "pilih", "topic": ROOM, "choice": "ya"})
    assert error["code"] == "unknown_type"
    assert poll_kind == []


async def test_an_action_no_kind_handles_is_unknown(connect, room):
    socket = await connect(None)
    error = await socket.request({"type": "pilih", "topic": "poll.anggaran", "choice": "ya"})
    assert error["code"] == "unknown_type"


def test_a_kind_whose_schema_lacks_its_action_is_refused(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({**FRAGMENT, "$id": "https://balaiwarga.patikab.go.id/schema/broken.json",
                                "$defs": {"clientFrame": {}, "serverFrame": {}}}))

    class Broken(TopicKind):
        prefix = "broken"
        schema = path
        actions = {"pilih": "on_vote"}

        async def join(self, user, key): ...
        async def replay(self, grant, user, since, changes_since=None): ...
        async def history(self, grant, user, before, limit): ...
        async def on_vote(self, grant, user, frame): ...

    with pytest.raises(RuntimeError, match="client.pilih"):
        topics.register(Broken())
    assert topics.action("broken", "pilih") is None
