"""The protocol's schema (realtime/schema.json and the topic kinds' fragments):
valid draft 2020-12 documents whose client definitions refuse what the hub
refuses (as far as JSON Schema can say it)."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from realtime import schema

CLIENT_FRAME = schema.client_frame_validator()
SERVER_FRAME = schema.server_frame_validator()

CLIENT_TYPES = ["join", "leave", "send", "history", "edit", "delete", "ping"]
SERVER_TYPES = ["joined", "left", "message", "message.updated", "message.deleted", "presence", "history", "ack",
                "pong", "error"]
UUID = "6f1c2a8e-0d9b-4a5e-9b1e-3f2a7c9d8e10"


def test_every_document_is_valid_draft_2020_12():
    documents = schema.documents()
    assert len(documents) >= 4  # the core, chat, notify, moderation
    for document in documents:
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document)


def test_every_frame_type_has_a_definition():
    defined = {name for document in schema.documents() for name in document["$defs"]}
    for name in CLIENT_TYPES:
        assert f"client.{name}" in defined, name
    for name in SERVER_TYPES:
        assert f"server.{name}" in defined, name


def test_the_core_schema_holds_only_core_frames():
    core = {name for name in schema.core()["$defs"] if name.startswith("client.")}
    assert core == {"client.join", "client.leave", "client.history", "client.ping"}


@pytest.mark.parametrize("frame", [
    {"type": "join", "topic": "room.bupati", "since": None, "ref": "j1"},
    {"type": "join", "topic": "room.bupati", "since": 0},
    {"type": "leave", "topic": "room.bupati"},
    {"type": "send", "topic": "room.bupati", "body": "Halo", "client_id": UUID, "reply_to": None, "ref": "s1"},
    {"type": "history", "topic": "room.bupati", "before": 3, "limit": 50},
    {"type": "edit", "topic": "room.bupati", "id": 45, "body": "Halo lagi"},
    {"type": "delete", "topic": "room.bupati", "id": 45},
    {"type": "ping", "ref": None},
])
def test_documented_client_frames_are_valid(frame):
    assert not list(CLIENT_FRAME.iter_errors(frame))


@pytest.mark.parametrize("frame", [
    {"topic": "room.bupati"},
    {"type": "subscribe"},
    {"type": "ping", "ref": 5},
    {"type": "ping", "ref": "x" * 65},
    {"type": "join", "topic": "room:bupati"},
    {"type": "join", "topic": "room.bupati", "since": True},
    {"type": "join", "topic": "room.bupati", "since": -1},
    {"type": "send", "topic": "room.bupati", "body": "x", "client_id": "not-a-uuid"},
    {"type": "send", "topic": "room.bupati", "body": "", "client_id": UUID},
    {"type": "send", "topic": "room.bupati", "body": "x"},
    {"type": "history", "topic": "room.bupati", "before": 0},
    {"type": "history", "topic": "room.bupati", "before": 5, "limit": None},
    {"type": "edit", "topic": "room.bupati", "id": True, "body": "x"},
    {"type": "delete", "topic": "room.bupati", "id": "1"},
])
def test_frames_the_hub_refuses_are_invalid(frame):
    assert list(CLIENT_FRAME.iter_errors(frame))


@pytest.mark.parametrize("frame", [
    {"type": "error", "code": "rate_limited", "detail": "x"},  # retry_after is required
    {"type": "error", "code": "invalid", "detail": "x", "retry_after": 3},
    {"type": "error", "code": "Not A Code", "detail": "x"},
    {"type": "pong", "ref": "x", "extra": 1},
    {"type": "message.deleted", "topic": "room.bupati", "id": 0},
])
def test_server_definitions_are_strict(frame):
    assert list(SERVER_FRAME.iter_errors(frame))
