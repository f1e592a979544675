"""Request guards, in order: Host (DNS rebinding), Origin, pairing token, content type and size."""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 64 * 1024
MAX_IN_FLIGHT = 32
READ_TIMEOUT_S = 10.0  # headers (from connection or last answer) and body must each arrive within this
MAX_NUMBER_CHARS = 30
log = logging.getLogger("responde.http")


def error(status: int, code: str, message: str, trace_id: str | None = None) -> web.Response:
    """A generic JSON error that never echoes the request (with a trace id to quote, when there is one)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if trace_id:
        body["trace_id"] = trace_id
    return web.json_response(
        {"error": body},
        status=status,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


class BadJson(ValueError):
    """The body is not JSON this server accepts; the message says why (never quoting the body)."""


class SlowBody(Exception):
    """The body did not arrive within READ_TIMEOUT_S."""


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadJson(f"a number has more than {MAX_NUMBER_CHARS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise BadJson("a number is too large or too long")
    return value


def _constant(text: str) -> Any:
    raise BadJson("NaN and Infinity are not JSON")


def loads(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, numbers of at most 30 characters, bounded nesting (the C
    parser's recursion limit): pathological bodies are a 400, never a 500."""
    try:
        return json.loads(raw.decode("utf-8"), parse_int=_int, parse_float=_float, parse_constant=_constant)
    except UnicodeDecodeError:
        raise BadJson("the body is not UTF-8") from None
    except RecursionError:
        raise BadJson("the body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadJson(f"the body is not valid JSON (line {exc.lineno}, column {exc.colno})") from None


class TokenSource:
    """The pairing token, re-read whenever its file changes: `responde token --rotate` takes effect on the
    running server at the next request (one stat() per request)."""

    def __init__(self, path: Path | None = None, value: str = "") -> None:
        self.path, self._value, self._stamp = path, value, (0, 0)
        if path is not None:
            self.current()

    def current(self) -> str:
        if self.path is None:
            return self._value
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_ino)
            if stamp != self._stamp:
                value = self.path.read_text(encoding="ascii").strip()
                if len(value) >= 32:
                    self._value, self._stamp = value, stamp
        except (OSError, UnicodeDecodeError) as exc:
            log.error("cannot read the pairing token file, keeping the current one: %s", type(exc).__name__)
        return self._value


PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def make_guard(
    allowed_hosts: frozenset[str],
    origin: str,
    token: TokenSource,
    public: frozenset[str] = frozenset(),
    open_paths: frozenset[str] = frozenset(),
) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware refusing anything that is not our paired extension talking to 127.0.0.1.

    An Origin, when sent, must be the extension's exactly; every POST must send it (browsers always do, and
    Chrome sends it on an extension's POST but never on its GET, so stored data is served on POST only).
    `public` paths (a static page, no data) need no token on GET. `open_paths` (the identity challenge) need
    no token: the extension asks there before it sends the token. The Host check applies to all. The token
    is read from `token.current()` on every request, so a rotation takes effect at once."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if host.lower() not in allowed_hosts:
            return error(421, "bad_host", "Host not allowed: Responde only answers on 127.0.0.1 / localhost.")
        req_origin = request.headers.get("Origin")
        if (
            req_origin is not None
            and req_origin != origin
            or (request.method != "GET" and req_origin is None)
        ):
            return error(
                403, "bad_origin", "Origin not allowed: only the Responde extension may call this server."
            )
        auth = request.headers.get("Authorization", "").encode()
        if request.method == "GET" and request.path in public:
            response = await handler(request)
            response.headers.update(PAGE_HEADERS)
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if request.path not in open_paths and not hmac.compare_digest(
            auth, f"Bearer {token.current()}".encode()
        ):
            return error(
                401,
                "unpaired",
                "Missing or wrong pairing token: run `responde token` and paste it "
                "into the extension's options.",
            )
        if request.method not in ("GET", "POST"):
            return error(405, "method", "Method not allowed.")
        if request.method == "POST":
            if request.content_type != "application/json":
                return error(415, "content_type", "Send the body as application/json.")
            if request.content_length is None or request.content_length > MAX_BODY:
                return error(413, "too_large", f"Body missing a length or over {MAX_BODY} bytes.")
        response = await handler(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return guard


def make_limiter(max_in_flight: int = MAX_IN_FLIGHT) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware answering 429 while `max_in_flight` requests are already being handled."""
    in_flight = 0

    @web.middleware
    async def limiter(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal in_flight
        if in_flight >= max_in_flight:
            response = error(429, "busy", "Too many requests at once; retry in a second.")
            response.headers["Retry-After"] = "1"
            return response
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return limiter


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into a short JSON error; tracebacks go to the log only, never to the client."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status == 413:
            return error(413, "too_large", f"Body over {MAX_BODY} bytes.")
        return error(exc.status, "http", exc.reason)
    except BadJson as exc:
        return error(400, "bad_json", f"Body refused: {exc}.")
    except json.JSONDecodeError:
        return error(400, "bad_json", "Body is not valid JSON.")
    except SlowBody:
        return error(408, "slow_body", "The body did not arrive in time.")
    except Exception:  # noqa: BLE001 - the contract is: no traceback reaches a client
        log.exception("internal error on %s", request.path)
        return error(500, "internal", "Internal error; see the server log.")
