"""Values read when Prometheus scrapes (``common/metrics.py`` serves them):
nothing is counted on the hub's paths for these.

- ``HubCollector`` (every process): sockets open in this process, and per
  topic kind the topics it is subscribed to and the sockets on them.
- ``BacklogCollector`` (the worker only, ``shared``): moderation queue
  lengths and their oldest item's age, the background jobs' backlog.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.db import close_old_connections
from prometheus_client.core import GaugeMetricFamily

from common import jobs
from moderation.selectors import queue_stats
from realtime import fanout, local

log = logging.getLogger(__name__)


def _copy(items, attempts: int = 5) -> list:
    """A list of a collection the event loop may change meanwhile (read from
    the metrics thread: retry when it changed during the copy)."""
    for _ in range(attempts):
        try:
            return list(items)
        except RuntimeError:
            continue
    return []


class HubCollector:
    def describe(self):
        return []

    def collect(self):
        sockets = sum(len(_copy(sockets.sockets)) for sockets in _copy(local._locals.values()))
        yield GaugeMetricFamily("balai_ws_sockets_open", "WebSocket connections open in this process",
                                value=sockets)
        topics, members = Counter(), Counter()
        for process_fanout in _copy(fanout._fanouts.values()):
            for topic, subscribed in _copy(process_fanout.members.items()):
                if topic.startswith("_"):
                    continue  # a user's or session's control topic
                kind = topic.split(".", 1)[0]
                topics[kind] += 1
                members[kind] += len(subscribed)
        topic_family = GaugeMetricFamily("balai_topics", "Topics this process is subscribed to, by kind",
                                         labels=["kind"])
        member_family = GaugeMetricFamily("balai_topic_sockets", "Sockets on topics in this process, by kind",
                                          labels=["kind"])
        for kind in sorted(topics):
            topic_family.add_metric([kind], topics[kind])
            member_family.add_metric([kind], members[kind])
        yield topic_family
        yield member_family


class BacklogCollector:
    def describe(self):
        return []

    def collect(self):
        items = GaugeMetricFamily("balai_moderation_queue_items", "Open items per moderation queue",
                                  labels=["queue"])
        oldest = GaugeMetricFamily("balai_moderation_queue_oldest_seconds",
                                   "Age of the oldest open item per moderation queue", labels=["queue"])
        try:
            for name, stats in queue_stats().items():
                items.add_metric([name], stats["pending"])
                oldest.add_metric([name], stats["oldest_age"] or 0)
        except Exception:
            log.warning("metrics: moderation queues unreadable", exc_info=True)
        finally:
            close_old_connections()
        yield items
        yield oldest
        backlog = GaugeMetricFamily("balai_jobs_backlog", "Background jobs not yet done: waiting (never "
                                    "delivered) and pending (delivered, not acknowledged)", labels=["state"])
        try:
            waiting, pending = jobs.backlog()
            backlog.add_metric(["waiting"], waiting)
            backlog.add_metric(["pending"], pending)
        except Exception:
            log.warning("metrics: job backlog unreadable", exc_info=True)
        yield backlog
