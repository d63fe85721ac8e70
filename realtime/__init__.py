"""realtime: the hub core. One WebSocket per browser tab carrying many topics;
the wire protocol, the topic registry, per-socket sequencing, process fan-out
over Redis Pub/Sub, publish-after-commit and presence.

It imports no domain app: domain apps (chat, notify, moderation, …) register
their topic kinds — who may join, what history looks like, which client
frames they handle and the schema of each — with ``realtime.topics``.
"""
