"""App factory: middlewares, routes table, engine in a web.AppKey."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from proxy.engine import Engine
from proxy.server import handlers
from proxy.server.keys import ENGINE
from proxy.server.security import MAX_BODY, json_errors, make_guard, make_limiter

log = logging.getLogger("responde")


def allowed_hosts(port: int) -> frozenset[str]:
    """Host header values accepted (anything else may be DNS rebinding)."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def create_app(engine: Engine, *, port: int, token: str, origin: str) -> web.Application:
    """Build the application for one engine, port, pairing token and extension origin."""
    app = web.Application(
        middlewares=[json_errors, make_guard(allowed_hosts(port), origin, token), make_limiter()],
        client_max_size=MAX_BODY,
    )
    app[ENGINE] = engine
    app.router.add_routes(
        [
            web.post("/v1/analyze", handlers.analyze),
            web.get("/v1/health", handlers.health),
            web.get("/v1/intents", handlers.intents),
        ]
    )
    return app


async def serve(app: web.Application, port: int, host: str = "127.0.0.1") -> None:
    """Run until cancelled, bound to loopback only."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
