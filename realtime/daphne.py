"""What the hub needs from Daphne's connection that ASGI does not give it.

ASGI's ``send`` never blocks: under Daphne every frame a socket is sent goes
straight into Twisted's transport buffer, however slowly (or not at all) the
client reads. And autobahn, under Daphne, ends a connection it must fail (a
message over ``--websocket-max-message-size``, invalid UTF-8) by dropping the
TCP connection without a close frame, and nothing sends "going away" when the
server stops. ``DaphneConnection`` (outermost on the WebSocket route in
``asgi.py``) reaches Daphne's protocol object for the connection and:

- registers a streaming producer on its transport (``SendBuffer``): Twisted
  pauses it when the transport holds more than its ``bufferSize`` (64 KiB)
  unsent, and resumes it once everything is written. The consumer counts the
  bytes it sends while paused and closes the socket past
  ``HUB_MAX_BUFFERED_BYTES`` (``realtime/consumer.py:HubConsumer.send``);
- makes autobahn fail connections with a close frame (``failByDrop = False``):
  1009 for an oversized message, 1007 for invalid UTF-8;
- gives a client the server closes ``CLOSE_HANDSHAKE_TIMEOUT_S`` to read up
  to the close frame before the connection is aborted (autobahn's default,
  1 s, reset a reader closed for being slow — 4008 — before it ever saw the
  code; what waits for it is capped and nothing is added after the close);
- on server shutdown (SIGTERM), stops accepting connections, then sends every
  open socket a close frame 1001 ("going away") and lets them flush before
  Daphne's reactor stops: a client that reconnects at once is refused here and
  reaches another process (nginx tries the next upstream on a refused connect).
- lets the fan-out write an event's WebSocket frame, built once per event
  and process (``text_frame``), straight to the transport
  (``SendBuffer.write_frame``): the same bytes autobahn's ``sendMessage``
  would write, without Channels' and Daphne's per-socket ``send`` chain
  (docs/performance.md, "hub-speed": about a third of the fan-out's CPU);
  and, on a plain TCP transport whose buffer is empty (the usual case), with
  one ``send()`` on its socket rather than through Twisted's buffer, which
  registers the socket for writing and unregisters it again for every frame
  (docs/performance.md, "Direct send": half the server's CPU at 2,000
  sockets on a session).

Daphne gives the application ``functools.partial(server.handle_reply,
protocol)`` as ``send``; that is the only way in. Under another server, or a
test communicator, there is no protocol: none of this applies, and what
bounds a socket is its consumer's inbox (``INBOX_SIZE``) — docs/security.md.
"""

from __future__ import annotations

import functools
import logging
import weakref

log = logging.getLogger(__name__)

#: The scope key under which the consumer finds the connection's ``SendBuffer``.
SCOPE_KEY = "balai.send_buffer"
#: How long shutdown waits for close frames to be written.
GOING_AWAY_FLUSH_S = 0.5
#: How long a connection the server closed waits for the client's close reply
#: (reading what was queued before the close frame) before it is aborted.
CLOSE_HANDSHAKE_TIMEOUT_S = 5
CLOSE_GOING_AWAY = 1001

_open: weakref.WeakSet = weakref.WeakSet()
_shutdown_hooked = False


class SendBuffer:
    """A push producer on one socket's transport: ``full`` while Twisted says
    its buffer is over ``bufferSize``; ``written`` counts what the consumer
    sent since (reset when the buffer is empty again). It takes the place of
    the producer the transport had (Twisted's ``HTTPChannel``, which made the
    connection before the upgrade) and passes every call on to it, so what
    that one did, it still does."""

    __slots__ = ("full", "written", "previous", "protocol", "direct")

    def __init__(self, previous=None, protocol=None) -> None:
        self.full = False
        self.written = 0
        self.previous = previous
        self.protocol = protocol
        #: The transport is a plain Twisted TCP connection (Daphne behind
        #: nginx, or on its own without TLS): its socket may be written to
        #: directly while its buffer is empty (``write_frame``).
        self.direct = _plain_tcp(getattr(protocol, "transport", None))

    def write_frame(self, frame: bytes) -> bool:
        """Write a complete, unmasked text frame (``text_frame``) to the
        transport, as ``sendMessage`` would; ``False`` (nothing written) where
        that would not be the same: the socket not open, a compression
        extension negotiated, or autobahn in the middle of a message or
        holding queued data. The caller then sends the usual way."""
        protocol = self.protocol
        if (protocol is None or protocol.state != protocol.STATE_OPEN or protocol._perMessageCompress is not None
                or protocol.send_state != protocol.SEND_STATE_GROUND or protocol.send_queue):
            return False
        transport = protocol.transport
        if self.direct and not transport.dataBuffer and not transport._tempDataBuffer and not transport.TLS \
                and transport.connected and not transport.disconnecting and not transport._writeDisconnected:
            # Nothing waits in Twisted's buffer: one send() now, as Twisted's
            # own doWrite would make once the loop reported the socket
            # writable — without registering for that report and removing it
            # again (two epoll_ctl and a loop pass per socket and event: half
            # the fan-out's CPU at 2,000 sockets). What the kernel does not
            # take, and any error, is left to Twisted's buffer as before.
            try:
                sent = transport.socket.send(frame)
            except OSError:  # would block, or a broken connection Twisted will find on its write
                sent = 0
            if sent == len(frame):
                return True
            frame = frame[sent:]
        transport.write(frame)
        return True

    def pauseProducing(self) -> None:  # noqa: N802 - Twisted's IPushProducer
        self.full = True
        if self.previous is not None:
            self.previous.pauseProducing()

    def resumeProducing(self) -> None:  # noqa: N802
        self.full = False
        self.written = 0
        if self.previous is not None:
            self.previous.resumeProducing()

    def stopProducing(self) -> None:  # noqa: N802
        self.full = False
        if self.previous is not None:
            self.previous.stopProducing()


def _plain_tcp(transport) -> bool:
    from twisted.internet import tcp

    return (isinstance(transport, tcp.Connection) and not transport.TLS
            and all(hasattr(transport, name) for name in ("socket", "dataBuffer", "_tempDataBuffer",
                                                           "_writeDisconnected", "disconnecting")))


def daphne_protocol(send):
    """Daphne's ``WebSocketProtocol`` behind an ASGI ``send``, or ``None``."""
    if isinstance(send, functools.partial) and send.args:
        protocol = send.args[0]
        if hasattr(protocol, "registerProducer") and hasattr(protocol, "sendClose"):
            return protocol
    return None


def _prepare(protocol) -> SendBuffer | None:
    # autobahn copied its factory's options onto the protocol when the TCP
    # connection was made; this one is the connection's own from now on.
    protocol.failByDrop = False
    protocol.closeHandshakeTimeout = CLOSE_HANDSHAKE_TIMEOUT_S
    _open.add(protocol)
    _hook_shutdown()
    try:
        transport = protocol.transport
        previous = transport.producer
        if previous is not None:
            transport.unregisterProducer()
        buffer = SendBuffer(previous, protocol)
        transport.registerProducer(buffer, True)
    except Exception:  # a transport without Twisted's producer interface
        log.warning("cannot watch the send buffer of %r", protocol, exc_info=True)
        return None
    return buffer


def _hook_shutdown() -> None:
    global _shutdown_hooked
    if _shutdown_hooked:
        return
    from twisted.internet import reactor

    reactor.addSystemEventTrigger("before", "shutdown", _going_away)
    _shutdown_hooked = True


def _going_away():
    """Before Daphne's reactor stops: no new connections, then close frame
    1001 to every open socket; shutdown waits ``GOING_AWAY_FLUSH_S`` for them
    to be written."""
    from twisted.internet import reactor, task, tcp

    for reader in list(reactor.getReaders()):
        if isinstance(reader, tcp.Port):  # Daphne's listening sockets (a unix.Port is one too)
            reader.stopListening()
    closing = 0
    for protocol in list(_open):
        if protocol.state == protocol.STATE_OPEN:
            try:
                # sendClose() refuses 1001 from a server; the frame itself is valid.
                protocol.sendCloseFrame(code=CLOSE_GOING_AWAY, isReply=False)
                closing += 1
            except Exception:
                log.warning("going-away close failed for %r", protocol, exc_info=True)
    if closing:
        log.info("server stopping: sent 1001 to %d sockets", closing)
        return task.deferLater(reactor, GOING_AWAY_FLUSH_S, lambda: None)
    return None


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked WebSocket text frame (RFC 6455 §5.2) around
    ``payload`` (UTF-8): what a server writes for ``sendMessage(payload)``."""
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 1 << 16:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


class DaphneConnection:
    """ASGI middleware for the WebSocket route (see the module docstring)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        protocol = daphne_protocol(send) if scope.get("type") == "websocket" else None
        if protocol is not None:
            scope = dict(scope, **{SCOPE_KEY: _prepare(protocol)})
        return await self.inner(scope, receive, send)
