"""/v1/analyze while the dashboard reads a store of months of analyses: the answers' latency with and without
a dashboard client polling beside them (a real `responde serve`, its SQLite file grown to 65,536 analyses).
Prints a Markdown row; `make bench` runs it."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests/, for live.py

from live import grow_store  # noqa: E402
from load import Server, drive, spread  # noqa: E402

RATE, SECONDS = 100.0, 10.0  # an open loop: a team's answers arrive whatever the dashboard does
DOUBLINGS = 16  # 2**16 = 65,536 analyses, about three months of a busy team
EMBEDDINGS_LOADED = 15.0  # seconds after start, as server_bench: the sentence encoder loads in the background


async def dashboards(server: Server, stop: asyncio.Event) -> list[float]:
    """POST /v1/dashboard in a loop until `stop`: each one's time in ms."""
    took: list[float] = []
    async with aiohttp.ClientSession(headers=server.headers) as session:
        while not stop.is_set():
            started = time.perf_counter()
            async with session.post(f"{server.url}/v1/dashboard", json={}) as r:
                await r.read()
                assert r.status == 200, r.status
            took.append((time.perf_counter() - started) * 1000)
    return took


async def main_async() -> list[str]:
    server = Server()
    try:
        await server.wait()
        await asyncio.sleep(EMBEDDINGS_LOADED)
        first = {"text": "¿ya enviaron mi pedido?"}
        async with aiohttp.ClientSession(headers=server.headers) as session:
            async with session.post(f"{server.url}/v1/analyze", json=first) as r:
                assert r.status == 200 and (await r.json())["stored"], "the server keeps no store"
        n = grow_store(Path(server.home) / "responde.db", DOUBLINGS)
        alone = await drive(server, RATE, SECONDS, 16)
        stop = asyncio.Event()
        polling = asyncio.create_task(dashboards(server, stop))
        beside = await drive(server, RATE, SECONDS, 16)
        stop.set()
        took = await polling
    finally:
        server.stop()
    what = f"/v1/analyze at {RATE:.0f} req/s for {SECONDS:.0f} s while a client reads the dashboard"
    polled = f"{len(took)} dashboards, median {statistics.median(took):.0f} ms"
    alone_row = f"no dashboard: {spread(alone)}"
    return [f"| {what} over {n:,} analyses in a loop | {spread(beside)} ({polled}) | {alone_row} | |"]


def main() -> None:
    print("\n".join(asyncio.run(main_async())))


if __name__ == "__main__":
    main()
