"""The hub core: wire protocol, consumer, topic registry, process-level
fan-out, publish-after-commit and presence. Imports no domain app and nothing
from ``realtime.chat``: topic kinds register themselves here."""
