"""Prometheus metrics (the official ``prometheus_client``), one registry per
process, served on a loopback port of that process's own (docs/operations.md).

Why per-process ports and not the client's multiprocess mode: each app
process (and the worker) is a Prometheus target of its own, as a systemd
template instance is a unit of its own; nothing is shared on disk, a
counter costs one in-memory add, and gauges need no "live sum" bookkeeping
of dead processes. Prometheus sums over the instances (``sum(...)``).

The metrics the layers above increment are defined here; the values read at
scrape time (sockets open, topics per kind, moderation queues, job backlog)
are collectors that the ``ops`` app registers (``ops/metrics.py``). The hub's
fan-out counts once per event, never per delivered socket.
"""

from __future__ import annotations

import ipaddress
import logging
import threading

import prometheus_client
from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)

# No ``*_created`` series beside every counter: nothing here reads them.
prometheus_client.disable_created_metrics()

FRAMES_IN = Counter("balai_ws_frames_in", "WebSocket frames received from clients")
FRAMES_OUT = Counter("balai_ws_frames_out", "WebSocket frames sent to clients", ["path"])
#: A fan-out event handed to the local sockets of its topic (counted per event: += the sockets).
FRAMES_OUT_FANOUT = FRAMES_OUT.labels("fanout")
#: Replies, replays and history sent to one socket.
FRAMES_OUT_REPLY = FRAMES_OUT.labels("reply")
JOINS = Counter("balai_ws_joins", "Topic joins, by topic kind", ["kind"])
FANOUT_SECONDS = Histogram(
    "balai_fanout_seconds", "Time to hand one event to every local socket of its topic",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
REDIS_RECONNECTS = Counter("balai_redis_reconnects", "Redis connections lost and made again, by user", ["client"])
MODERATION_DECISION_SECONDS = Histogram(
    "balai_moderation_decision_seconds", "From an item entering a moderation queue to its decision",
    ["action"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600))

#: Collectors of shared state (queues, backlog), by class: registered only in
#: the process that serves them (the worker), so one target reports them.
_shared: dict[type, object] = {}
_registered: set[type] = set()
_served: dict[str, object] = {}
_lock = threading.Lock()


def register(collector, *, shared: bool = False) -> None:
    """A collector read at scrape time; one per class, however often the
    app registry gets ready. ``shared``: only where ``serve(shared=True)``."""
    with _lock:
        if shared:
            _shared.setdefault(type(collector), collector)
        elif type(collector) not in _registered:
            prometheus_client.REGISTRY.register(collector)
            _registered.add(type(collector))


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(port: int, host: str = "127.0.0.1", *, shared: bool = False) -> bool:
    """Serve this process's metrics on ``http://host:port/metrics`` (a
    thread); ``shared``: also the shared-state collectors. Once per process;
    ``False`` when it is not served (port 0, or the port is taken — logged)."""
    if not port:
        return False
    with _lock:
        if "server" in _served:
            return True
        if shared:
            for cls, collector in _shared.items():
                if cls not in _registered:
                    prometheus_client.REGISTRY.register(collector)
                    _registered.add(cls)
        try:
            _served["server"] = prometheus_client.start_http_server(port, addr=host)
        except OSError as exc:
            log.warning("metrics not served on %s:%s: %s", host, port, exc)
            return False
    if not _is_loopback(host):
        log.warning("metrics served on %s:%s, which is not loopback: keep it off the public network", host, port)
    return True
