"""The cyclic garbage collector in a server process.

CPython's full collection (generation 2) walks every tracked object the
process holds and stops everything while it does: with 2,000 sockets
joined a session it took 150–530 ms on this machine, and it ran a dozen
times in a minute's run, as the sockets' objects grew the heap — every
frame and vote in flight waited that long (docs/performance.md, "Garbage
collection"). Two things make those pauses shorter and rarer:

- ``gc.freeze()`` once the application is loaded: Django's, Twisted's and
  the app's own objects (about 120,000, a 50 ms walk) live as long as the
  process, so no collection walks them again;
- a youngest-generation threshold of ``YOUNG_THRESHOLD`` allocations
  instead of CPython's 700: young collections are rarer, so fewer
  short-lived objects (a frame being sent, a query's rows) happen to be
  alive at one and get promoted — what grows the old generation and
  triggers the full collections.
"""

from __future__ import annotations

import gc

#: Net allocations of tracked objects between two young collections (CPython's default: 700).
YOUNG_THRESHOLD = 20_000


def tune() -> None:
    """Call once, after the application is loaded (``asgi.py``)."""
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, *older)
