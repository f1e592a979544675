"""The server's store and the two threads it runs on.

Every write and lookup of the server goes through `Stored.call`: it runs on the store's own thread, one call
at a time and in the order they were made (a feedback finds the analysis recorded before it), while the event
loop goes on answering. The long reads (dashboard, export) go through `Stored.read`: a second connection to
the same file on a thread of its own, so that no analysis waits behind them to be written (SQLite's WAL lets
one connection read while another writes). On the loop, a dashboard over 62,000 analyses held every request
for 0.53 s, an export for 2.4 s, and each analysis waited 0.33 ms for its row to be written; on one store
thread, answers waited for their row behind the dashboards (`tests/bench/store_bench.py`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from proxy import insight
from proxy.store import Hasher, Store

P = ParamSpec("P")
T = TypeVar("T")


class Stored:
    """A store whose writes and lookups run on one thread of their own, and whose long reads run on another
    thread with a connection of their own (`reader`, the same file opened again)."""

    def __init__(self, store: Store, reader: Store) -> None:
        self.store, self.reader = store, reader
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-reads")

    @property
    def hasher(self) -> Hasher:
        """The store's keyed hash (the workers redact with it)."""
        return self.store.hasher

    async def call(self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(store, *args, **kwargs)` on the store's thread, after every call made before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, lambda: fn(self.store, *args, **kwargs))

    async def read(self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(reader, *args, **kwargs)` on the reading thread; it sees every write committed before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reads, lambda: fn(self.reader, *args, **kwargs))

    async def close(self) -> None:
        """Close both connections after the calls already made, then stop the threads."""
        await self.read(Store.close)
        await self.call(Store.close)
        self._thread.shutdown(wait=False)
        self._reads.shutdown(wait=False)


def dashboard_tables(store: Store, since: str | None, until: str | None, site: str | None) -> dict[str, Any]:
    """The dashboard's tables and the sites to filter by."""
    tables = insight.dashboard(store.db, since, until, site)
    sql = "SELECT DISTINCT site FROM analyses WHERE site IS NOT NULL ORDER BY 1"
    return {**tables, "sites": [r[0] for r in store.db.execute(sql)]}


def export_json(store: Store) -> str:
    """Everything stored, as the JSON text of the answer (encoding it is as slow as reading it)."""
    return json.dumps(store.export())
