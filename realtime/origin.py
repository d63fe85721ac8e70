"""The WebSocket origin check: a socket may be opened only by a page of this
site (cross-site WebSocket hijacking would otherwise ride on the session
cookie).

Channels' ``AllowedHostsOriginValidator`` compared only the origin's host
with ``ALLOWED_HOSTS``: ``https://`` or another port of an allowed host
passed. Here, as Django's CSRF check does for a POST, the ``Origin`` must be
the request's own scheme, host and port — the scheme is ``https`` for
``wss`` or when ``SECURE_PROXY_SSL_HEADER`` says so; default ports are
implied — or one of ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.org``
included). The ``Host`` must itself be one of ``ALLOWED_HOSTS``. No origin,
``null`` or anything unparsable is refused.

A refusal is one log line (origin, host, path), no traceback; it runs no
consumer, so it needs neither the channel layer nor the database.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
#: How much of a header a refusal's log line quotes.
LOGGED_CHARS = 200


def _site(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, or ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _header(scope, name: bytes) -> str:
    value = b""
    for key, item in scope.get("headers") or ():
        if key == name:
            value = item
    return value.decode("latin1").strip()


def _secure(scope) -> bool:
    if scope.get("scheme") == "wss":
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        name = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
        return _header(scope, name).split(",")[0].strip() == value
    return False


def origin_allowed(scope) -> bool:
    origin = _site(_header(scope, b"origin").lower())
    if origin is None:
        return False
    host = _header(scope, b"host")
    if not host and scope.get("server"):
        server_host, server_port = scope["server"][:2]
        host = f"{server_host}:{server_port}"
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    own = _site(f"{'https' if _secure(scope) else 'http'}://{host}")
    if origin == own:
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in trusted:
            scheme, _, pattern = trusted.lower().partition("://")
            netloc = origin[1] if origin[2] == DEFAULT_PORTS[origin[0]] else f"{origin[1]}:{origin[2]}"
            if origin[0] == scheme and is_same_domain(netloc, pattern.replace("*", "", 1)):
                return True
        elif origin == _site(trusted.lower()):
            return True
    return False


class SameOriginValidator:
    """ASGI middleware: refuse the handshake (403) unless ``origin_allowed``."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await refuse(scope, receive, send)
        return await self.application(scope, receive, send)


async def refuse(scope, receive, send) -> None:
    """Close the handshake before accepting it (Daphne answers 403) and say
    so in one line. Channels' ``WebsocketDenier`` would run a whole consumer
    for it: a channel on the channel layer, stale database connections
    closed — each a way to fail, with a traceback, for a socket refused."""
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    log.warning("WebSocket refused: origin %r not allowed for host %r (%s)",
                _header(scope, b"origin")[:LOGGED_CHARS] or None, _header(scope, b"host")[:LOGGED_CHARS] or None,
                scope.get("path", "")[:LOGGED_CHARS])
    await send({"type": "websocket.close"})
