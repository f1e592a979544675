"""Adversarial 64 KiB bodies at /v1/analyze (2 clients, closed loop) while a third client polls
/v1/health: the worst analysis and the health latency during the attack, against health on an idle
server measured in the same run. Then 16 clients sending the largest message that may share a worker's
job with others (5,000 characters, no thread: `proxy/server/batcher.py` batches up to 8,000): the worst
a batch of such messages makes any of them wait, and /v1/health meanwhile. Real `responde serve`,
loopback only, bounded in time. Prints Markdown rows; `make bench` runs it."""

from __future__ import annotations

import asyncio
import collections
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Server  # noqa: E402

SHAPES = ["a@", "x@y.", "a.", "1 ", "+55 (11) 9", ". ", " y", "aA1@. ", "juan arroba gmail punto ", "1.1-"]
SECONDS = 20.0


def body(unit: str) -> str:
    """A body just under 64 KiB: a 5,000-character message and 11 earlier ones, all made of `unit`."""
    text = (unit * 5000)[:5000]
    return json.dumps({"text": text, "thread": [{"author": "buyer", "text": text}] * 11})


def small_body(unit: str) -> str:
    """A 5,000-character message made of `unit` and nothing else: small enough to be batched."""
    return json.dumps({"text": (unit * 5000)[:5000]})


async def health_latencies(session: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> list[float]:
    out: list[float] = []
    while not stop.is_set():
        t0 = time.perf_counter()
        async with session.get(f"{url}/v1/health") as r:
            await r.read()
            assert r.status == 200, r.status
        out.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.02)
    return out


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, max {max(ms):.1f} ms ({len(ms)} polls)"


async def main_async(clients: int = 2, make: Callable[[str], str] = body) -> list[str]:
    server = Server()
    await server.wait()
    try:
        async with aiohttp.ClientSession(headers=server.headers) as s:
            stop = asyncio.Event()
            idle_task = asyncio.create_task(health_latencies(s, server.url, stop))
            await asyncio.sleep(5)
            stop.set()
            idle = await idle_task
            bodies = [make(u) for u in SHAPES]
            assert all(len(b.encode()) <= 64 * 1024 for b in bodies)
            worst: list[tuple[float, str]] = []
            statuses: collections.Counter[int] = collections.Counter()
            deadline = time.perf_counter() + SECONDS

            async def attacker(n: int) -> None:
                i = n
                while time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    async with s.post(
                        f"{server.url}/v1/analyze",
                        data=bodies[i % len(bodies)],
                        headers={"Content-Type": "application/json"},
                    ) as r:
                        await r.read()
                        statuses[r.status] += 1
                    worst.append(((time.perf_counter() - t0) * 1000, SHAPES[i % len(SHAPES)]))
                    i += 1

            stop = asyncio.Event()
            during_task = asyncio.create_task(health_latencies(s, server.url, stop))
            await asyncio.gather(*(attacker(n) for n in range(clients)))
            stop.set()
            during = await during_task
    finally:
        server.stop()
    worst.sort(reverse=True)
    ms = [w for w, _ in worst]
    codes = ", ".join(f"{n}× {c}" for c, n in sorted(statuses.items()))
    what = "64 KiB" if make is body else "5,000-character messages (batched)"
    return [
        f"| adversarial {what} /v1/analyze ({len(SHAPES)} shapes, {clients} clients, {SECONDS:.0f} s) | "
        "worst "
        f"{ms[0]:.0f} ms (`{worst[0][1].strip() or 'spaces'}`), p50 {statistics.median(ms):.0f} ms, "
        f"{codes} | budget 5,000 ms (503 past it) | worst ≤ budget |",
        f"| /v1/health during the attack | {summary(during)} | idle server: {summary(idle)} | p99 ≤ 50 ms |",
    ]


def main() -> int:
    for row in asyncio.run(main_async()):
        print(row, flush=True)
    for row in asyncio.run(main_async(16, small_body)):
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
