"""Recognition off the event loop: worker processes forked from the server once the engine is loaded
(models shared copy-on-write), one job at a time each, every job with a time budget. A worker over budget
is killed (a regex or a C call can hold the GIL, so a thread could not be stopped) and a fresh one forked
in its place; the event loop only waits on sockets, so every other request keeps being answered."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("responde.pool")
Jobs = Mapping[str, Callable[..., Any]]
DEFAULT_BUDGET_S = 5.0
_HEADER = 4


class OverBudget(Exception):
    """The job did not finish within the budget: it waited too long for a worker (`replaced` False), or its
    worker ran out of time and was killed and replaced (`replaced` True)."""

    def __init__(self, message: str, replaced: bool = False) -> None:
        super().__init__(message)
        self.replaced = replaced


class WorkerFailed(Exception):
    """The job raised, or its worker died; the message names the exception type only (no buyer text)."""


def default_size() -> int:
    """One worker per core this process may run on (at least one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Worker:
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    generation: int


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = sock.recv(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server dies, even in the middle of a job."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(sock: socket.socket, jobs: Jobs, parent: int) -> None:
    """A worker's life: read a job, run it, answer; exit when the server closes the socket or dies."""
    with contextlib.suppress(ValueError):  # ValueError: forked from a thread other than the main one
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGINT, signal.SIGHUP):  # Ctrl-C and reload are the server's business
            signal.signal(sig, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the server died before prctl took effect
        return
    keep = sock.fileno()  # no listening socket, store file or other worker's pipe stays open here
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    sock.setblocking(True)
    while True:
        try:
            size = int.from_bytes(_recv_exact(sock, _HEADER), "big")
            name, args = pickle.loads(_recv_exact(sock, size))
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", jobs[name](*args))
        except Exception as exc:  # noqa: BLE001 - reported to the server by type only (no buyer text)
            reply = ("error", type(exc).__name__)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        sock.sendall(len(data).to_bytes(_HEADER, "big") + data)


class WorkerPool:
    """`size` forked workers running `jobs[name](*args)`, each call within `budget` seconds."""

    def __init__(self, jobs: Jobs, size: int | None = None, budget: float = DEFAULT_BUDGET_S) -> None:
        self.size = size or default_size()
        self.budget = budget
        self.replaced = 0  # workers killed over budget or found dead
        self._jobs = jobs
        self._generation = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: dict[int, _Worker] = {}

    async def start(self) -> None:
        """Fork the workers (call with the engine loaded, from the thread running the event loop)."""
        for _ in range(self.size):
            self._idle.put_nowait(await self._spawn())

    async def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker process
            status = 0
            try:
                ours.close()
                _child(theirs, self._jobs, parent)
            except BaseException:  # noqa: BLE001 - a worker never returns into the server's code
                status = 1
            finally:
                os._exit(status)
        theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        worker = _Worker(pid, reader, writer, self._generation)
        self._all[pid] = worker
        return worker

    async def run(self, name: str, *args: Any, deadline: float | None = None) -> Any:
        """The job's result; OverBudget when waiting for a worker plus the job took over the budget (from
        now, or until `deadline` on the event loop's clock)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget if deadline is None else deadline
        worker = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(deadline):
                worker = await self._idle.get()
        if worker is None or loop.time() >= deadline:  # none free in time, or no time left to use one
            if worker is not None:
                self._release(worker)
            raise OverBudget(f"no worker free within {self.budget:g} s")
        try:
            async with asyncio.timeout_at(deadline):
                data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
                worker.writer.write(len(data).to_bytes(_HEADER, "big") + data)
                await worker.writer.drain()
                size = int.from_bytes(await worker.reader.readexactly(_HEADER), "big")
                status, value = pickle.loads(await worker.reader.readexactly(size))
        except TimeoutError:
            await self._replace(worker, "over budget")
            raise OverBudget(f"{name} took over {self.budget:g} s", replaced=True) from None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self._replace(worker, "died")
            raise WorkerFailed(f"worker died ({type(exc).__name__})") from None
        except BaseException:  # cancelled mid-job: the worker's state is unknown
            await self._replace(worker, "cancelled")
            raise
        self._release(worker)
        if status != "ok":
            raise WorkerFailed(f"{name} raised {value}")
        return value

    def _release(self, worker: _Worker) -> None:
        if worker.generation == self._generation:
            self._idle.put_nowait(worker)
        else:  # forked before a reload: retire it
            self._stop(worker, signal.SIGTERM)

    async def _replace(self, worker: _Worker, why: str) -> None:
        self.replaced += 1
        log.warning("worker %d %s; forking a fresh one", worker.pid, why)
        self._stop(worker, signal.SIGKILL)
        if worker.generation == self._generation:
            self._idle.put_nowait(await self._spawn())

    def _stop(self, worker: _Worker, sig: int) -> None:
        self._all.pop(worker.pid, None)
        worker.writer.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, sig)
        asyncio.get_running_loop().create_task(_reap(worker.pid))

    async def reload(self, jobs: Jobs) -> None:
        """Serve `jobs` (a new engine) from now on: fresh workers; the old ones finish their job and exit."""
        self._jobs = jobs
        self._generation += 1
        while not self._idle.empty():
            self._stop(self._idle.get_nowait(), signal.SIGTERM)
        for _ in range(self.size):
            self._idle.put_nowait(await self._spawn())

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return sorted(self._all)

    async def close(self) -> None:
        """Stop every worker (closing its socket ends it; SIGKILL after a second)."""
        workers = list(self._all.values())
        self._all.clear()
        for w in workers:
            w.writer.close()
        deadline = time.monotonic() + 1.0
        for w in workers:
            while time.monotonic() < deadline and not _reaped(w.pid):
                await asyncio.sleep(0.01)
            if not _reaped(w.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(w.pid, signal.SIGKILL)
                await _reap(w.pid)


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


async def _reap(pid: int, tries: int = 500) -> None:
    for _ in range(tries):
        if _reaped(pid):
            return
        await asyncio.sleep(0.01)
