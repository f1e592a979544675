"""App factory: middlewares, routes table, engine, worker pool, store and token in web.AppKeys."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from aiohttp import web

from proxy.engine import Engine
from proxy.server import handlers, identity
from proxy.server.batcher import Batcher
from proxy.server.jobs import make_jobs
from proxy.server.keys import BATCHER, ENGINE, POOL, READ_TIMEOUT, STORE, TOKEN
from proxy.server.pool import DEFAULT_BUDGET_S, WorkerPool
from proxy.server.security import (
    MAX_BODY,
    MAX_IN_FLIGHT,
    READ_TIMEOUT_S,
    TokenSource,
    json_errors,
    make_guard,
    make_limiter,
)
from proxy.server.stored import Stored
from proxy.store import Store, StoreError

log = logging.getLogger("responde")


def allowed_hosts(port: int) -> frozenset[str]:
    """Host header values accepted (anything else may be DNS rebinding)."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


PURGE_EVERY_S = 3600
EMBEDDER_DELAY_S = 1.0  # after start-up, before the sentence encoder loads in the background


def store_ctx(open_store: Callable[[], Store]) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: open the store at start-up, purge expired rows hourly, close it at shutdown."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        store = app[STORE] = Stored(open_store(), open_store())

        async def purge_loop() -> None:
            while True:
                try:
                    removed = await store.call(Store.purge)
                    if removed:
                        log.info("retention: deleted %d analyses older than the retention period", removed)
                except StoreError as exc:
                    log.error("retention purge failed: %s", exc)
                await asyncio.sleep(PURGE_EVERY_S)

        task = asyncio.create_task(purge_loop())
        yield
        task.cancel()
        await store.close()

    return ctx


def pool_ctx(size: int | None, budget: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: fork the workers once the engine (and store) are there; stop them at shutdown."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        store = app.get(STORE)
        pool = app[POOL] = WorkerPool(
            make_jobs(app[ENGINE], store.hasher if store else None), size=size, budget=budget
        )
        await pool.start()
        app[BATCHER] = Batcher(pool, "analyze", "analyze_many")
        log.info("%d recognition workers, %g s budget per request", pool.size, budget)
        warm = asyncio.create_task(load_embeddings(app))
        yield
        warm.cancel()
        await pool.close()

    return ctx


async def load_embeddings(app: web.Application) -> None:
    """The cascade's expensive stage loads after the server answers (the cheap model serves alone until
    then), and the workers are forked again so that they share its weights instead of loading a copy each."""
    embedder = app[ENGINE].recognizer.embedder
    if embedder is None or embedder.ready:
        return
    # Not while the server starts listening and answers its first requests: the load takes one of the two
    # cores for about a second, and the extension's first question usually comes right away.
    await asyncio.sleep(EMBEDDER_DELAY_S)
    await asyncio.get_running_loop().run_in_executor(None, embedder.load)
    store = app.get(STORE)
    await app[POOL].reload(make_jobs(app[ENGINE], store.hasher if store else None))
    log.info("sentence embeddings loaded: unsure messages now get the second stage")


def create_app(
    engine: Engine,
    *,
    port: int,
    token: str | TokenSource,
    origin: str,
    open_store: Callable[[], Store] | None = None,
    workers: int | None = None,
    budget: float = DEFAULT_BUDGET_S,
    max_in_flight: int = MAX_IN_FLIGHT,
    read_timeout: float = READ_TIMEOUT_S,
) -> web.Application:
    """Build the application for one engine, port, pairing token (a value, or a TokenSource that follows
    the token file), extension origin, optional store, worker pool (size, budget per request) and the
    time a client has to send its headers and, again, its body."""
    source = token if isinstance(token, TokenSource) else TokenSource(value=token)
    app = web.Application(
        middlewares=[
            json_errors,
            make_guard(allowed_hosts(port), origin, source, frozenset(handlers.PAGES), identity.OPEN_PATHS),
            make_limiter(max_in_flight),
        ],
        client_max_size=MAX_BODY,
    )
    app[ENGINE] = engine
    app[TOKEN] = source
    app[READ_TIMEOUT] = read_timeout
    app.router.add_routes(
        [
            web.post("/v1/hello", identity.make_hello(source)),
            web.post("/v1/analyze", handlers.analyze),
            web.post("/v1/feedback", handlers.feedback),
            web.get("/v1/health", handlers.health),
            web.get("/v1/intents", handlers.intents),
            web.post("/v1/dashboard", handlers.dashboard),
            web.post("/v1/export", handlers.export),
            web.post("/v1/forget", handlers.forget),
            *(web.get(path, handlers.page) for path in handlers.PAGES),
        ]
    )
    if open_store is not None:
        app.cleanup_ctx.append(store_ctx(open_store))
    app.cleanup_ctx.append(pool_ctx(workers, budget))
    return app


async def reload_engine(
    app: web.Application,
    build: Callable[[], Engine],
    report: Callable[[bool, str], None] | None = None,
) -> bool:
    """Build a new engine off the event loop, swap it in and re-fork the workers with it; on any error
    keep serving the old one. `report(ok, error)` hears the outcome (`responde reload` waits for it)."""
    try:
        fresh = await asyncio.get_running_loop().run_in_executor(None, build)
    except Exception as exc:  # noqa: BLE001 - a broken rules file or model must not stop the server
        log.error("reload failed, still serving the previous rules and model: %s", exc)
        if report is not None:
            report(False, str(exc))
        return False
    loaded = app[ENGINE].recognizer.embedder
    if loaded is not None and loaded.ready:  # keep the loaded sentence encoder: same weights, no reload
        fresh.recognizer = replace(fresh.recognizer, embedder=loaded)
    app[ENGINE].__dict__.update(fresh.__dict__)  # in place: the next request sees the new engine
    store = app.get(STORE)
    await app[POOL].reload(make_jobs(app[ENGINE], store.hasher if store else None))
    log.info("reloaded rules and model")
    if report is not None:
        report(True, "")
    return True


async def serve(
    app: web.Application,
    port: int,
    host: str = "127.0.0.1",
    build: Callable[[], Engine] | None = None,
    on_listening: Callable[[], None] | None = None,
    on_reload: Callable[[bool, str], None] | None = None,
) -> None:
    """Run until SIGTERM / SIGINT (then close the store and workers cleanly), bound to loopback only;
    SIGHUP reloads rules and model when `build` is given. A client has the app's read timeout to send its
    request headers (from connecting, or from the previous answer: aiohttp's keep-alive timer) and as
    long again for its body (handlers.read_json)."""
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=app[READ_TIMEOUT])
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if build is not None:
            loop.add_signal_handler(
                signal.SIGHUP, lambda: loop.create_task(reload_engine(app, build, on_reload))
            )
        if on_listening is not None:
            on_listening()
        await stop.wait()
        log.info("stopping: closing the store and the workers")
    finally:
        await runner.cleanup()
