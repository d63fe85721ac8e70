"""``asgi.application`` refuses WebSockets opened from a foreign page
(cross-site WebSocket hijacking): the origin check runs before any route."""

import pytest
from channels.testing import WebsocketCommunicator

from asgi import application

# Channels' refusing consumer closes stale database connections on the way
# out (``aclose_old_connections``); after a test that opened one in the
# database thread, that counts as database access.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("origin", [
    b"http://evil.example",
    b"https://localhost.evil.example",
    b"http://127.0.0.1.evil.example",
    b"null",
])
async def test_websocket_from_a_foreign_origin_is_refused(origin):
    communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", origin),
                                                                        (b"host", b"127.0.0.1")])
    try:
        connected, _ = await communicator.connect(timeout=5)
        assert connected is False
    finally:
        await communicator.disconnect()


async def test_websocket_without_an_origin_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"host", b"127.0.0.1")])
    try:
        connected, _ = await communicator.connect(timeout=5)
        assert connected is False
    finally:
        await communicator.disconnect()


def test_the_origin_check_wraps_every_websocket_route(settings):
    """The refusal above comes from the origin check, not from a missing route."""
    from channels.security.websocket import OriginValidator

    validator = application.application_mapping["websocket"]
    assert isinstance(validator, OriginValidator)
    assert "*" not in validator.allowed_origins
    assert set(validator.allowed_origins) <= set(settings.ALLOWED_HOSTS)
