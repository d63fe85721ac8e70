"""Daphne on uvloop: ``python -m ops.daphne_uvloop <daphne's arguments>``.

What ``make run`` (``ops/launch.py``) starts. Daphne builds its Twisted
reactor on ``asyncio.new_event_loop()`` when ``daphne.server`` is first
imported; with uvloop's policy installed before that, the reactor runs on a
uvloop loop: about half the CPU per delivery in a 1,000-member room
(docs/performance.md, "Fan-out speed"). Plain ``python -m daphne`` serves the
same application and stays supported (``HUB_UVLOOP=0`` for ``make run``)."""

import asyncio

import uvloop

asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from daphne.cli import CommandLineInterface  # noqa: E402 - after the policy, by design

if __name__ == "__main__":
    CommandLineInterface.entrypoint()
