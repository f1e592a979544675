"""Load run: a fixed request rate at /v1/analyze of a real `responde serve` in another process.

    .venv/bin/python tests/bench/load.py [--rate 200] [--seconds 60] [--connections 16]

Open loop (requests start on schedule whether or not earlier ones finished), buyer messages the model
never trained on (`messages`), loopback only. Prints errors, p50/p99 latency and the server's RSS at start
and end as a Markdown table. Bounded: rate x seconds requests, then it stops. Not part of `make test`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from proxy import paths  # noqa: E402

SITES = ["mercadolibre.com.mx", "mercadolibre.com.ar", "mercadolivre.com.br", "sellercentral.amazon.com"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_pss_kib(pid: int) -> int:
    """Proportional set size of a process and its children (the worker processes): shared pages are
    counted once, split between the processes that share them — the memory the server really costs."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for p in [pid, *map(int, children)]:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def messages(n: int = 400) -> list[str]:
    """Buyer messages the model never trained on: the independent sets' texts (their labels unused). Until
    2026-12-06 these were corpus lines, which the model is sure of, so the sentence encoder almost never
    ran for them: on the same server, 16 connections read p99 28 ms on corpus lines and 49 ms on these."""
    texts = [
        json.loads(line)["text"]
        for path in sorted((paths.REPO / "eval" / "independent").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return random.Random(7).sample(texts, min(n, len(texts)))


class Server:
    """`responde serve` on a free port with a private data directory and the user's model cache."""

    def __init__(self) -> None:
        self.port = free_port()
        self.home = tempfile.mkdtemp(prefix="responde-bench-")
        env = {**os.environ, "RESPONDE_HOME": self.home}
        models = str(paths.models_dir())
        cmd = [
            sys.executable,
            "-m",
            "proxy",
            "--models",
            models,
            "--no-progress",
            "serve",
            "--port",
            str(self.port),
        ]

        # Before the server starts, so that no other process competes with its start-up: the pairing token,
        # and the store's setup (a server not set up answers without replies, which would flatter it).
        def cli(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "proxy", *args],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return done.stdout.strip()

        self.token = cli("token")
        cli("setup", "--yes", "--store-name", "Bench Store", "--return-days", "30")
        self.started = time.perf_counter()  # start-up is timed from here, not from the two commands above
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        self.headers = {
            "Origin": f"chrome-extension://{paths.extension_id()}",
            "Authorization": f"Bearer {self.token}",
        }

    async def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise SystemExit(
                        f"server exited: {self.proc.stdout.read().decode() if self.proc.stdout else ''}"
                    )
                try:
                    async with session.get(f"{self.url}/v1/health", headers=self.headers) as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.02)
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def drive(server: Server, rate: float, seconds: float, connections: int) -> dict[str, float]:
    texts = messages()
    connector = aiohttp.TCPConnector(limit=connections)
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=connector, headers=server.headers) as session:

        async def one(i: int) -> None:
            nonlocal errors
            body = json.dumps({"text": texts[i % len(texts)], "site": SITES[i % len(SITES)]})
            started = time.perf_counter()
            try:
                async with session.post(
                    f"{server.url}/v1/analyze", data=body, headers={"Content-Type": "application/json"}
                ) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

        for i in range(50):  # warm-up, not counted
            await one(i)
        latencies.clear()
        rss_start = rss_kib(server.proc.pid)
        total = int(rate * seconds)
        t0 = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - t0
        rss_end = rss_kib(server.proc.pid)
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": total,
        "errors": errors,
        "achieved_rps": total / took,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "max_ms": max(latencies),
        "rss_start_mib": rss_start / 1024,
        "rss_end_mib": rss_end / 1024,
    }


def spread(r: dict[str, float]) -> str:
    """p50, p99, max and errors of a `drive` run."""
    ms = f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms"
    return f"{ms}, {r['errors']:.0f} errors"


async def run(rate: float, seconds: float, connections: int, settle: float) -> dict[str, float]:
    """A fresh server, `settle` seconds after its first answer, under `drive`'s open loop."""
    server = Server()
    try:
        await server.wait()
        await asyncio.sleep(settle)  # e.g. until the sentence encoder has loaded in the background
        return await drive(server, rate, seconds, connections)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--settle", type=float, default=0.0, help="seconds between start-up and load")
    args = parser.parse_args()
    r = asyncio.run(run(args.rate, args.seconds, args.connections, args.settle))
    print("| requests | errors | achieved req/s | p50 ms | p99 ms | RSS start MiB | RSS end MiB |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {r['requests']:.0f} | {r['errors']:.0f} | {r['achieved_rps']:.1f} | {r['p50_ms']:.2f} | "
        f"{r['p99_ms']:.2f} | {r['rss_start_mib']:.1f} | {r['rss_end_mib']:.1f} |"
    )
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
