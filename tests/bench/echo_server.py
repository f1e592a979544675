"""The baseline: a bare aiohttp JSON echo on 127.0.0.1, started as a process like `responde serve`."""

import sys

from aiohttp import web


async def echo(request: web.Request) -> web.Response:
    return web.json_response(await request.json())


def main() -> None:
    app = web.Application()
    app.router.add_post("/v1/analyze", echo)
    app.router.add_get("/v1/health", lambda request: web.json_response({"status": "ok"}))
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
