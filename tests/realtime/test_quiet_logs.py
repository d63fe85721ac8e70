"""Quiet logs (issue 13, item 8): a refused WebSocket handshake is one line,
not a traceback."""

from __future__ import annotations

import logging

from channels.testing import WebsocketCommunicator

from asgi import application


async def _refused(headers) -> bool:
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    try:
        connected, _ = await communicator.connect(timeout=5)
        return connected is False
    finally:
        await communicator.disconnect()


async def test_a_refused_origin_logs_one_line_and_no_traceback(caplog):
    """No ``django_db`` mark: the refusal touches neither the database nor the channel layer."""
    caplog.set_level(logging.DEBUG)
    assert await _refused([(b"origin", b"http://evil.example"), (b"host", b"127.0.0.1")])

    assert [r for r in caplog.records if r.exc_info] == []
    refusals = [r for r in caplog.records if r.name == "realtime.origin"]
    assert len(refusals) == 1
    line = refusals[0].getMessage()
    assert "refused" in line and "'http://evil.example'" in line and "'127.0.0.1'" in line and "/ws/" in line
    assert "\n" not in line


async def test_a_missing_origin_logs_one_line(caplog):
    caplog.set_level(logging.DEBUG)
    assert await _refused([(b"host", b"127.0.0.1")])
    assert [r for r in caplog.records if r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.name == "realtime.origin"] == [
        "WebSocket refused: origin None not allowed for host '127.0.0.1' (/ws/)"]


async def test_a_long_hostile_origin_is_quoted_short_on_one_line(caplog):
    caplog.set_level(logging.DEBUG)
    origin = b"http://evil.example/\r\nFAKE LOG LINE " + b"x" * 5000
    assert await _refused([(b"origin", origin), (b"host", b"127.0.0.1")])
    (record,) = [r for r in caplog.records if r.name == "realtime.origin"]
    assert "\n" not in record.getMessage() and len(record.getMessage()) < 600
