"""Server throughput and latency vs a bare aiohttp echo (16 connections, closed loop, another process),
plus start-up time and memory. Prints Markdown rows; `make bench` runs it."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
from load import SITES, Server, free_port, messages, rss_kib, spread, tree_pss_kib  # noqa: E402

from proxy import paths  # noqa: E402  (load.py puts the repo on sys.path)
from proxy.models import ensure_model, training_examples  # noqa: E402
from proxy.rules.loader import load_rules  # noqa: E402

STARTS = 5
EMBEDDINGS_LOADED = 15.0  # seconds to let the server load the sentence encoder and re-fork its workers
RATE, LOAD_SECONDS = 200.0, 10.0  # open loop: the sentence encoder loads 1 s after start, within these 10 s


SELLER_ASKS = "Hola, claro. ¿Me confirma el número de pedido, por favor?"


async def closed_loop(
    url: str, headers: dict[str, str], seconds: float, connections: int, thread: bool = False
) -> dict[str, float]:
    """`connections` clients each sending its next message as soon as the last is answered; with `thread`,
    each message comes with an earlier one of the buyer (the next message of the list) and a seller's
    question, as the extension sends a conversation (the server then reads it three times)."""
    texts = messages()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections), headers=headers) as s:

        async def worker(n: int) -> None:
            nonlocal errors
            i = n
            while time.perf_counter() < deadline:
                request: dict[str, object] = {"text": texts[i % len(texts)], "site": SITES[i % len(SITES)]}
                if thread:
                    earlier = texts[(i + 1) % len(texts)]
                    request["thread"] = [
                        {"author": "buyer", "text": earlier},
                        {"author": "seller", "text": SELLER_ASKS},
                    ]
                body = json.dumps(request)
                t0 = time.perf_counter()
                async with s.post(
                    f"{url}/v1/analyze", data=body, headers={"Content-Type": "application/json"}
                ) as r:
                    await r.read()
                    errors += r.status != 200
                latencies.append((time.perf_counter() - t0) * 1000)
                i += connections

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        took = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / took, "p50": q[49], "p99": q[98], "errors": errors}


async def startup() -> tuple[list[tuple[float, float]], float, float]:
    """STARTS starts: seconds from process start to the first answered /v1/health and to the first
    /v1/analyze answered with intents and replies; then memory once every model is loaded (last start): the
    server's RSS and the PSS of the server with its workers (MiB). The model is already trained (a first
    start also trains it: see the training rows)."""
    rules = load_rules(paths.RULES_DIR)
    ensure_model(training_examples(rules, paths.CORPUS_DIR), rules, paths.models_dir())
    runs: list[tuple[float, float]] = []
    rss = pss = 0.0
    for n in range(STARTS):
        server = Server()
        try:
            await server.wait()
            health = time.perf_counter() - server.started
            async with aiohttp.ClientSession(headers=server.headers) as s:
                body = json.dumps({"text": "hola, tienen stock?"})
                async with s.post(
                    f"{server.url}/v1/analyze", data=body, headers={"Content-Type": "application/json"}
                ) as r:
                    answer = await r.json()
                    assert r.status == 200 and answer["intents"] and answer["suggestions"], answer
            runs.append((health, time.perf_counter() - server.started))
            if n == STARTS - 1:
                await asyncio.sleep(EMBEDDINGS_LOADED)
                rss, pss = rss_kib(server.proc.pid) / 1024, tree_pss_kib(server.proc.pid) / 1024
        finally:
            server.stop()
    return runs, rss, pss


async def echo_startup() -> tuple[subprocess.Popen[bytes], int, float]:
    """The bare aiohttp echo server started the same way: seconds to its first answer (the baseline)."""
    port = free_port()
    started = time.perf_counter()
    echo = subprocess.Popen([sys.executable, str(Path(__file__).parent / "echo_server.py"), str(port)])
    while echo.poll() is None and time.perf_counter() - started < 60:
        try:
            async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/v1/health"):
                return echo, port, time.perf_counter() - started
        except aiohttp.ClientError:
            await asyncio.sleep(0.02)
    echo.kill()
    raise SystemExit(f"the echo server did not answer (exit code {echo.poll()})")


async def main_async(seconds: float) -> list[str]:
    loading = await load.run(RATE, LOAD_SECONDS, 16, settle=0.0)
    loaded = await load.run(RATE, LOAD_SECONDS, 16, settle=EMBEDDINGS_LOADED)
    runs, rss, pss = await startup()
    server = Server()
    await server.wait()
    await asyncio.sleep(EMBEDDINGS_LOADED)
    ours = await closed_loop(server.url, server.headers, seconds, 16)
    threaded = await closed_loop(server.url, server.headers, seconds, 16, thread=True)
    server.stop()
    echo_starts = []
    for _ in range(STARTS):
        echo, port, took = await echo_startup()
        echo_starts.append(took)
        echo.terminate()
        echo.wait()
    echo, port, _ = await echo_startup()
    try:
        bare = await closed_loop(f"http://127.0.0.1:{port}", {}, seconds, 16)
    finally:
        echo.terminate()
    health = statistics.median(h for h, _ in runs)
    analyze = statistics.median(a for _, a in runs)
    return [
        f"| server /v1/analyze, 16 connections | {ours['rps']:.0f} req/s, p50 {ours['p50']:.2f} ms, "
        f"p99 {ours['p99']:.2f} ms, {ours['errors']} errors | bare echo {bare['rps']:.0f} req/s, "
        f"p99 {bare['p99']:.2f} ms; ratio {ours['rps'] / bare['rps']:.2f} | p99 ≤ 20 ms |",
        f"| the same, each message with its thread (an earlier message of the buyer, a seller's question) "
        f"| {threaded['rps']:.0f} req/s, p50 {threaded['p50']:.2f} ms, p99 {threaded['p99']:.2f} ms, "
        f"{threaded['errors']} errors | without the thread (the row above): ratio "
        f"{threaded['rps'] / ours['rps']:.2f} | |",
        f"| start-up to first answer, median of {STARTS} starts | {analyze:.2f} s to the first /v1/analyze "
        f"with replies (runs {', '.join(f'{a:.2f}' for _, a in runs)}; /v1/health at {health:.2f} s) "
        f"| bare aiohttp echo: {statistics.median(echo_starts):.2f} s | ≤ 1.5 s |",
        f"| /v1/analyze at {RATE:.0f} req/s from the first answer, {LOAD_SECONDS:.0f} s (the sentence "
        f"encoder loads meanwhile) | {spread(loading)} | the same {EMBEDDINGS_LOADED:.0f} s after start: "
        f"{spread(loaded)} | |",
        f"| memory with every model loaded (sentence encoder included) | server RSS {rss:.0f} MiB; server + "
        f"workers PSS {pss:.0f} MiB | | ≤ 300 MB |",
    ]


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    print("\n".join(asyncio.run(main_async(seconds))))


if __name__ == "__main__":
    main()
