"""Malformed frames from Hypothesis never crash the consumer: every frame gets
its answer (never an ``internal`` error) and the same socket still answers
ping with pong afterwards.

One socket serves a whole test: pytest-asyncio runs each Hypothesis example
on the test's event loop, and the socket is opened once (lazily, in the first
example) and kept in a per-test holder.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from tests.hub import ROOM

FUZZ = settings(max_examples=60, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TYPES = ["join", "leave", "send", "history", "edit", "delete", "ping"]
FIELDS = ["type", "topic", "ref", "since", "before", "limit", "id", "body", "client_id", "reply_to", "author", "role"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(["room.bupati", "room.x", "room.bupati\n", "notify.1", "", "0", "1", "-1", "true",
                     "00000000-0000-0000-0000-000000000000", "room." + "a" * 70]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=6)
frames = st.dictionaries(
    keys=st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)),
    values=values,
    max_size=6,
)
typed_frames = st.one_of(frames, st.builds(
    lambda kind, rest: {**rest, "type": kind},
    st.one_of(st.sampled_from(TYPES), st.text(max_size=10)),
    frames,
))
json_texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=string.printable, max_size=200),
    st.builds(lambda f, cut: json.dumps(f)[:cut], typed_frames, st.integers(min_value=0, max_value=300)),
    st.recursive(st.just("1"), lambda inner: st.builds(lambda x: f"[{x}]", inner) | st.builds(
        lambda x: '{"a":' + x + "}", inner), max_leaves=40),
)


@pytest.fixture
async def fuzz_socket(room, make_user, connect):
    """A signed-in citizen's socket on ``room.bupati``, shared by every example."""
    user = await make_user("fuzzer", role=Role.CITIZEN)
    holder = {}

    async def get():
        if "sock" not in holder:
            holder["sock"] = await connect(user)
            await holder["sock"].join(ROOM)
            holder["n"] = 0
        holder["n"] += 1
        return holder["sock"], holder["n"]

    return get


async def still_answers(sock, n: int, sent) -> None:
    """Ping; every frame before the pong is schema-valid and none is ``internal``."""
    before = await sock.ping(ref=f"probe-{n}", timeout=5)
    for frame in before:
        assert not (frame["type"] == "error" and frame["code"] == "internal"), (sent, frame)


@FUZZ
@given(frame=typed_frames)
async def test_json_frames_with_random_fields(fuzz_socket, frame):
    sock, n = await fuzz_socket()
    await sock.send_unchecked(frame)
    await still_answers(sock, n, frame)


@FUZZ
@given(data=st.fixed_dictionaries({
    "type": st.sampled_from(["send", "edit", "delete", "history", "join"]), "topic": st.just(ROOM),
}, optional={"body": st.text(max_size=300), "id": st.integers(min_value=-3, max_value=2**63),
             "client_id": st.uuids().map(str), "reply_to": st.integers(min_value=-3, max_value=2**63),
             "since": st.integers(min_value=-3, max_value=2**63), "before": st.integers(min_value=-3, max_value=2**63),
             "limit": st.integers(min_value=-3, max_value=2**63), "ref": st.text(max_size=70)}))
async def test_nearly_valid_frames(fuzz_socket, data):
    """Well-typed frames with hostile values: huge ids, odd text, unknown ids."""
    sock, n = await fuzz_socket()
    await sock.send_unchecked(data)
    await still_answers(sock, n, data)


@FUZZ
@given(text=json_texts)
async def test_random_text_frames(fuzz_socket, text):
    sock, n = await fuzz_socket()
    await sock.send_raw(text)
    await still_answers(sock, n, text)


@settings(FUZZ, max_examples=25)  # one code path: any binary frame is refused
@given(payload=st.binary(max_size=100))
async def test_random_binary_frames(fuzz_socket, payload):
    sock, n = await fuzz_socket()
    await sock.send_raw(binary=payload)
    reply = await sock.recv_until("error")
    assert reply["code"] == "invalid"
    await still_answers(sock, n, payload)
