"""Daphne on uvloop: ``python -m bench.daphne_uvloop <daphne arguments>``.

Daphne builds its Twisted reactor on ``asyncio.new_event_loop()`` when
``daphne.server`` is first imported; with uvloop's policy installed before
that, the reactor runs on a uvloop loop. The benchmark's ``hub-uvloop`` row
(docs/performance.md, "hub-speed")."""

import asyncio

import uvloop

asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from daphne.cli import CommandLineInterface  # noqa: E402 - after the policy, by design

if __name__ == "__main__":
    CommandLineInterface.entrypoint()
