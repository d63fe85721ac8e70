"""moderation: Redis Streams review queues fed by the apps that register them,
auto-moderation rules, decisions, sanctions and the append-only audit log."""
