"""/v1/analyze requests that wait together go to a worker together (`proxy/server/batcher.py`): each gets the
answer it would get alone, its own error and its own time budget."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import socket
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from conftest import SHARED
from test_api import ORIGIN, TOKEN

from proxy.engine import Engine
from proxy.server.app import create_app
from proxy.server.batcher import SMALL, Batcher
from proxy.server.jobs import make_jobs
from proxy.server.keys import BATCHER
from proxy.server.pool import OverBudget, WorkerFailed, WorkerPool
from proxy.store import Hasher, Store


def _double(x: int) -> int:
    time.sleep(0.02)  # long enough for the next requests to queue up behind this one
    if x < 0:
        raise ValueError
    if x == 999:
        re.match(r"(a+)+$", "a" * 40 + "b")  # backtracks for minutes, holding the GIL
    return 2 * x


def _double_many(calls: Sequence[tuple[int]]) -> list[tuple[str, Any]]:
    answers: list[tuple[str, Any]] = []
    for (x,) in calls:
        try:
            answers.append(("ok", (_double(x), os.getpid())))
        except ValueError:
            answers.append(("error", "ValueError"))
    return answers


JOBS = {
    "one": lambda x: (_double(x), os.getpid()),
    "many": _double_many,
    "slow": lambda: time.sleep(0.5),
    "too_few": lambda calls: _double_many(calls)[1:],  # a broken batch job
}


@contextlib.asynccontextmanager
async def batched(size: int, budget: float, many: str = "many") -> AsyncIterator[tuple[WorkerPool, Batcher]]:
    """Real forked workers running JOBS, and a batcher in front of them."""
    pool = WorkerPool(JOBS, size=size, budget=budget)
    await pool.start()
    try:
        yield pool, Batcher(pool, "one", many)
    finally:
        await pool.close()


async def test_waiting_requests_share_a_job_and_each_gets_its_own_answer() -> None:
    async with batched(2, 5.0) as (pool, batcher):
        answers = await asyncio.gather(*(batcher.run(10, x) for x in range(40)))
        assert [a for a, _ in answers] == [2 * x for x in range(40)]
        assert {pid for _, pid in answers} == set(pool.pids())  # both workers took part
        # the first two went at once, alone; the other 38 waited and went as 16 + 16 + 6
        assert (batcher.jobs, batcher.requests) == (3, 38)
        failed = await asyncio.gather(*(batcher.run(10, x) for x in (1, 2, -3, 4, 5)), return_exceptions=True)
        assert [a if isinstance(a, Exception) else a[0] for a in failed][:2] == [2, 4]
        assert isinstance(failed[2], WorkerFailed) and "ValueError" in str(failed[2])
        assert [a[0] for a in failed[3:]] == [8, 10]  # type: ignore[index]
        assert batcher.jobs == 4  # the failing request was in a batch (-3, 4, 5), and failed alone


async def test_a_job_carries_at_most_small_characters_of_buyer_text() -> None:
    async with batched(1, 5.0) as (_, batcher):
        got = await asyncio.gather(*(batcher.run(3000, x) for x in range(10)))
        assert [a for a, _ in got] == [2 * x for x in range(10)]
        # the first alone at once, then 2 + 2 + 2 + 2 + 1: a third 3,000-character request would pass 8,000
        assert SMALL == 8000 and (batcher.jobs, batcher.requests) == (4, 8)


async def test_a_large_request_runs_alone_and_a_batch_over_budget_fails_only_its_requests() -> None:
    async with batched(2, 2.0) as (pool, batcher):
        large = asyncio.create_task(batcher.run(SMALL + 1, 999))  # stuck, on a worker of its own
        await asyncio.sleep(0.05)
        small = await asyncio.gather(*(batcher.run(10, x) for x in range(10)))
        assert [a for a, _ in small] == [2 * x for x in range(10)] and not large.done()  # answered meanwhile
        with pytest.raises(OverBudget) as stopped:
            await large
        assert pool.replaced == 1 and stopped.value.replaced  # the handler's log says so
        # a stuck small request (only a bug could make one) takes its batch down with it, and no other
        mixed = await asyncio.gather(*(batcher.run(10, x) for x in (1, 2, 999, 3)), return_exceptions=True)
        assert [type(a).__name__ for a in mixed] == ["tuple", "tuple", "OverBudget", "OverBudget"]
        assert pool.replaced == 2
        assert (await batcher.run(10, 21))[0] == 42  # the replacement works


async def test_a_request_whose_budget_ran_out_while_waiting_costs_no_worker() -> None:
    async with batched(1, 0.3) as (pool, batcher):
        loop = asyncio.get_running_loop()
        busy = asyncio.create_task(pool.run("slow", deadline=loop.time() + 2))  # the only worker, 0.5 s
        await asyncio.sleep(0.01)
        late = await asyncio.gather(*(batcher.run(10, x) for x in range(3)), return_exceptions=True)
        waited = [(str(a), getattr(a, "replaced", None)) for a in late]
        assert waited == [("no worker free within 0.3 s", False)] * 3  # no worker was replaced
        await busy
        with pytest.raises(OverBudget, match="no worker free"):  # a free worker, but the time is up
            await pool.run("one", 1, deadline=loop.time() - 1)
        assert pool.replaced == 0  # a worker is killed only when a job on it overruns
        assert (await batcher.run(10, 4))[0] == 8


async def test_a_batch_job_that_answers_too_few_fails_its_requests_instead_of_leaving_them_waiting() -> None:
    async with batched(2, 5.0, many="too_few") as (_, batcher):
        got = await asyncio.gather(*(batcher.run(10, x) for x in range(5)), return_exceptions=True)
        assert [type(a).__name__ for a in got] == ["tuple", "tuple", *["WorkerFailed"] * 3]
        assert str(got[2]) == "too_few answered 2 of 3 requests"


def test_a_batch_answers_each_request_as_it_is_answered_alone(engine: Engine) -> None:
    """The worker's `analyze_many` against its `analyze`, on real messages with context and threads."""
    jobs = make_jobs(engine, Hasher(b"k" * 43))
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    pick = random.Random(3)
    calls = [
        (
            text,
            pick.choice([None, "mercadolibre.com.mx", "mercadolivre.com.br", "amazon.com"]),
            pick.choice([None, "es-AR"]),
            {"order_id": "2000001", "buyer_name": "Ana Paula"} if n % 3 == 0 else {},
            pick.choice(["en", "zh-CN", "es"]),
            [("buyer", pick.choice(texts)), ("seller", "Hola, ¿en qué te ayudo?")] if n % 4 == 0 else [],
            None,
        )
        for n, text in enumerate(texts[:120])
    ]
    calls[7] = (*calls[7][:4], 0, *calls[7][5:])  # a bad request: its ui_lang is not a string
    batch = jobs["analyze_many"](calls)
    alone = []
    for call in calls:
        try:
            alone.append(("ok", jobs["analyze"](*call)))
        except Exception as exc:  # noqa: BLE001
            alone.append(("error", type(exc).__name__))
    assert [status for status, _ in batch] == ["error" if n == 7 else "ok" for n in range(len(calls))]
    assert batch[7] == alone[7] == ("error", "AttributeError")

    def without_trace(answer: tuple[str, Any]) -> Any:
        status, value = answer
        return (status, ({**value[0], "trace_id": None}, value[1])) if status == "ok" else answer

    assert [without_trace(a) for a in batch] == [without_trace(a) for a in alone]
    assert sum(bool(a[1][0]["intents"]) for a in batch if a[0] == "ok") > 100
    # not vacuous: the batch read threads, and some answers took their intents from the thread
    assert sum(a[1][0]["intent_source"] == "thread" for a in batch if a[0] == "ok") >= 3


async def test_concurrent_requests_to_the_server_are_batched_and_answered_as_alone(
    aiohttp_client: Any, engine: Engine, tmp_path: Any
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert engine.recognizer.embedder is not None
    engine.recognizer.embedder.load()  # loaded before the server starts: no reload between the two rounds
    app = create_app(
        engine, port=port, token=TOKEN, origin=ORIGIN, open_store=lambda: Store(tmp_path / "s.db", b"k" * 43)
    )
    client = await aiohttp_client(app, server_kwargs={"port": port, "host": "127.0.0.1"})
    sent = {"Host": f"127.0.0.1:{port}", "Origin": ORIGIN, "Authorization": f"Bearer {TOKEN}"}
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    context = {"order_id": "2000001"}
    bodies = [{"text": t, "site": "mercadolibre.com.mx", "context": context} for t in texts[200:224]]

    async def ask(body: dict[str, Any]) -> dict[str, Any]:
        resp = await client.post("/v1/analyze", json=body, headers=sent)
        assert resp.status == 200
        out: dict[str, Any] = await resp.json()
        assert out["stored"] is True
        return {**out, "trace_id": None}

    together = await asyncio.gather(*(ask(b) for b in bodies))
    batcher = app[BATCHER]
    assert batcher.jobs >= 1 and batcher.requests > batcher.jobs  # not vacuous: some requests shared a job
    alone = [await ask(b) for b in bodies]
    assert together == alone
