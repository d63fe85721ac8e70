"""realtime: the hub. One WebSocket per browser tab carrying many topics; the
wire protocol, the topic registry, publish-after-commit, presence; chat rooms
and live notifications.

The hub core imports no domain app: domain apps register their topic kinds
(who may join, what history looks like, what a send does) with it.
"""
