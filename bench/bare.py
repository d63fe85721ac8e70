"""A bare ``websockets`` broadcast server: the ceiling of Python here.

    .venv/bin/python -m bench.bare --port 8765

Every socket that connects is in one room; every text message a socket sends
(the tutorial's ``{"message": ...}``) is decoded once and sent to every
socket, the sender included, with ``websockets.broadcast`` (encoded and
framed once for all). No authentication, no persistence, no channel layer:
what the hub and the baseline do on top of this is what they cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from websockets.asyncio.server import broadcast, serve

CONNECTIONS: set = set()


async def handler(ws) -> None:
    CONNECTIONS.add(ws)
    try:
        async for raw in ws:
            broadcast(CONNECTIONS, json.dumps({"message": json.loads(raw)["message"]}))
    finally:
        CONNECTIONS.discard(ws)


async def main_async(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(handler, host, port, compression=None, ping_interval=None, max_size=65536, backlog=4096):
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(main_async(args.host, args.port))


if __name__ == "__main__":
    main()
