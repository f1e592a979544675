"""App factory: middlewares, routes table, engine in a web.AppKey."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from proxy.engine import Engine
from proxy.server import handlers, identity
from proxy.server.keys import ENGINE, STORE
from proxy.server.security import MAX_BODY, json_errors, make_guard, make_limiter
from proxy.store import Store, StoreError

log = logging.getLogger("responde")


def allowed_hosts(port: int) -> frozenset[str]:
    """Host header values accepted (anything else may be DNS rebinding)."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


PURGE_EVERY_S = 3600


def store_ctx(open_store: Callable[[], Store]) -> Callable[[web.Application], AsyncIterator[None]]:
    """Cleanup context: open the store at start-up, purge expired rows hourly, close it at shutdown."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        store = app[STORE] = open_store()

        async def purge_loop() -> None:
            while True:
                try:
                    removed = store.purge()
                    if removed:
                        log.info("retention: deleted %d analyses older than the retention period", removed)
                except StoreError as exc:
                    log.error("retention purge failed: %s", exc)
                await asyncio.sleep(PURGE_EVERY_S)

        task = asyncio.create_task(purge_loop())
        yield
        task.cancel()
        store.close()

    return ctx


def create_app(
    engine: Engine, *, port: int, token: str, origin: str, open_store: Callable[[], Store] | None = None
) -> web.Application:
    """Build the application for one engine, port, pairing token, extension origin and (optional) store."""
    app = web.Application(
        middlewares=[
            json_errors,
            make_guard(allowed_hosts(port), origin, token, frozenset(handlers.PAGES), identity.OPEN_PATHS),
            make_limiter(),
        ],
        client_max_size=MAX_BODY,
    )
    app[ENGINE] = engine
    app.router.add_routes(
        [
            web.post("/v1/hello", identity.make_hello(token)),
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
    return app


async def reload_engine(app: web.Application, build: Callable[[], Engine]) -> bool:
    """Build a new engine off the event loop and swap it in; on any error keep serving the old one."""
    try:
        fresh = await asyncio.get_running_loop().run_in_executor(None, build)
    except Exception as exc:  # noqa: BLE001 - a broken rules file or model must not stop the server
        log.error("reload failed, still serving the previous rules and model: %s", exc)
        return False
    app[ENGINE].__dict__.update(fresh.__dict__)  # in place: the next request sees the new engine
    log.info("reloaded rules and model")
    return True


async def serve(
    app: web.Application, port: int, host: str = "127.0.0.1", build: Callable[[], Engine] | None = None
) -> None:
    """Run until cancelled, bound to loopback only; SIGHUP reloads rules and model when `build` is given."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    if build is not None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(reload_engine(app, build)))
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
