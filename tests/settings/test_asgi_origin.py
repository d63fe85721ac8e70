"""``asgi.application`` refuses WebSockets opened from a foreign page
(cross-site WebSocket hijacking): the origin check runs before any route and
compares scheme, host and port (``realtime/origin.py``; issue 14 A9)."""

import pytest
from channels.testing import WebsocketCommunicator

from asgi import application

# The refusal itself needs no database (tests/realtime/test_quiet_logs.py);
# the accepted sockets below do.
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


def test_the_origin_check_wraps_every_websocket_route():
    """The refusal above comes from the origin check, not from a missing route."""
    from realtime.daphne import DaphneConnection
    from realtime.origin import SameOriginValidator

    outer = application.application_mapping["websocket"]
    assert isinstance(outer, DaphneConnection) and isinstance(outer.inner, SameOriginValidator)


async def _connects(origin: bytes, host: bytes = b"127.0.0.1", scheme: str | None = None, extra=()) -> bool:
    communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", origin), (b"host", host), *extra])
    if scheme is not None:
        communicator.scope["scheme"] = scheme
    try:
        connected, _ = await communicator.connect(timeout=5)
        return connected
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize(("origin", "host"), [
    (b"https://127.0.0.1", b"127.0.0.1"),            # other scheme
    (b"http://127.0.0.1:8080", b"127.0.0.1"),        # other port
    (b"http://127.0.0.1", b"127.0.0.1:8000"),        # other port (the page's is implied: 80)
    (b"https://localhost:8000", b"localhost:8000"),  # other scheme, same port
    (b"ws://127.0.0.1", b"127.0.0.1"),               # not a page's origin
    (b"http://localhost", b"127.0.0.1"),             # another allowed host is still another site
    (b"http://evil.example", b"evil.example"),       # a Host outside ALLOWED_HOSTS
])
async def test_other_scheme_port_or_host_is_refused(origin, host, transactional_db):
    assert await _connects(origin, host) is False


@pytest.mark.parametrize(("origin", "host", "scheme"), [
    (b"http://127.0.0.1:8000", b"127.0.0.1:8000", None),
    (b"http://127.0.0.1", b"127.0.0.1:80", None),
    (b"https://localhost", b"localhost", "wss"),
    (b"https://localhost:8443", b"localhost:8443", "wss"),
])
async def test_the_pages_own_origin_is_accepted(origin, host, scheme, transactional_db):
    assert await _connects(origin, host, scheme) is True


async def test_behind_a_tls_proxy_https_comes_from_secure_proxy_ssl_header(settings, transactional_db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proto = [(b"x-forwarded-proto", b"https")]
    assert await _connects(b"https://localhost", b"localhost", extra=proto) is True
    assert await _connects(b"http://localhost", b"localhost", extra=proto) is False
    assert await _connects(b"https://localhost", b"localhost") is False


async def test_csrf_trusted_origins_are_accepted(settings, transactional_db):
    settings.CSRF_TRUSTED_ORIGINS = ["https://warga.example.org", "https://*.patikab.go.id"]
    assert await _connects(b"https://warga.example.org", b"localhost") is True
    assert await _connects(b"https://balai.patikab.go.id", b"localhost") is True
    assert await _connects(b"http://warga.example.org", b"localhost") is False
    assert await _connects(b"https://warga.example.org:444", b"localhost") is False
    assert await _connects(b"https://patikab.go.id.evil.example", b"localhost") is False
