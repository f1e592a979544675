"""Requests that arrive while every worker is busy wait together and go to the next free worker as one
job: one pickled message and one wake-up for the lot, and recognition in a batch (`Engine.recognise_many`,
the same readings at a lower cost each). An idle server sends each request on at once, alone.

A job carries at most SMALL characters of buyer text in all: recognition is linear in the text, so a job
cannot hold a worker long, and long messages, which gain little from a batch, go one by one (a request over
SMALL alone). Every request keeps its own budget from its arrival: a job runs until the earliest of its
requests' deadlines."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from proxy.server.pool import WorkerFailed, WorkerPool

MAX_BATCH = 16  # requests per job
SMALL = 8000  # characters of buyer text (messages and threads) in one job of several requests


@dataclass
class _Waiting:
    args: tuple[Any, ...]
    size: int
    deadline: float
    future: asyncio.Future[Any] = field(repr=False)


class Batcher:
    """`run(size, *args)` gives `jobs[one](*args)`'s result; concurrent small requests share one call of
    `jobs[many]`, which takes the list of their argument tuples and answers a list of ("ok", result) or
    ("error", exception type name), one per request."""

    def __init__(self, pool: WorkerPool, one: str, many: str) -> None:
        self.pool = pool
        self.one, self.many = one, many
        self.jobs = self.requests = 0  # batched jobs sent and the requests they carried
        self._waiting: collections.deque[_Waiting] = collections.deque()
        self._running: set[asyncio.Task[None]] = set()

    async def run(self, size: int, *args: Any) -> Any:
        """The job's result for one request of `size` characters; OverBudget or WorkerFailed as
        `WorkerPool.run`."""
        if size > SMALL:
            return await self.pool.run(self.one, *args)
        loop = asyncio.get_running_loop()
        waiting = _Waiting(args, size, loop.time() + self.pool.budget, loop.create_future())
        self._waiting.append(waiting)
        self._dispatch()
        return await waiting.future

    def _dispatch(self) -> None:
        """Send what waits, in batches, while fewer jobs run than there are workers."""
        while self._waiting and len(self._running) < self.pool.size:
            batch: list[_Waiting] = []
            chars = 0
            while self._waiting and len(batch) < MAX_BATCH:
                if batch and chars + self._waiting[0].size > SMALL:
                    break
                w = self._waiting.popleft()
                if not w.future.done():  # done: its client went away meanwhile
                    batch.append(w)
                    chars += w.size
            if batch:
                task = asyncio.get_running_loop().create_task(self._send(batch))
                self._running.add(task)
                task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._dispatch()

    async def _send(self, batch: Sequence[_Waiting]) -> None:
        deadline = min(w.deadline for w in batch)
        try:
            if len(batch) == 1:
                answers = [("ok", await self.pool.run(self.one, *batch[0].args, deadline=deadline))]
            else:
                self.jobs += 1
                self.requests += len(batch)
                calls = [w.args for w in batch]
                answers = await self.pool.run(self.many, calls, deadline=deadline)
                if len(answers) != len(batch):  # never left waiting for an answer that is not coming
                    raise WorkerFailed(f"{self.many} answered {len(answers)} of {len(batch)} requests")
        except asyncio.CancelledError:  # the server is stopping
            for w in batch:
                w.future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - OverBudget or WorkerFailed: every request of the job hears it
            for w in batch:
                if not w.future.done():
                    w.future.set_exception(exc)
            return
        for w, (status, value) in zip(batch, answers, strict=True):
            if w.future.done():
                continue
            if status == "ok":
                w.future.set_result(value)
            else:
                w.future.set_exception(WorkerFailed(f"{self.one} raised {value}"))
