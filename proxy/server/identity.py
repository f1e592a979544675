"""POST /v1/hello: the server proves it knows the pairing token, without anyone sending the token.

The extension sends a fresh random nonce and no Authorization header; the server answers
HMAC-SHA256(token, "responde-hello/v1|" + nonce + "|" + Host). The extension checks the proof with the token
it holds and the host it is configured for, and only then sends the token or buyer text. A program squatting
on the port does not know the token, so it cannot answer; binding the proof to the Host header stops it from
relaying the challenge to the real server on another port (the real server answers only for its own Host)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from proxy.server.handlers import read_json
from proxy.server.security import error

PROTOCOL = "responde-hello/v1"
PATH = "/v1/hello"
OPEN_PATHS = frozenset({PATH})  # the one route that needs no token (every other guard still applies)


class CurrentToken(Protocol):
    """A token that may change while the server runs (`responde token --rotate`)."""

    def current(self) -> str: ...


class HelloRequest(BaseModel):
    """A challenge: 16 to 96 random bytes as unpadded base64url."""

    model_config = ConfigDict(extra="forbid")
    nonce: str = Field(pattern=r"^[A-Za-z0-9_-]{22,128}$")


def proof(token: str, nonce: str, host: str) -> str:
    """The answer to a challenge, as lowercase hex."""
    message = f"{PROTOCOL}|{nonce}|{host.lower()}".encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


def make_hello(token: str | CurrentToken) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler for a fixed token, or one read from `token.current()` on every challenge."""
    current: Callable[[], str] = (lambda: token) if isinstance(token, str) else token.current

    async def hello(request: web.Request) -> web.Response:
        try:
            body = HelloRequest.model_validate(await read_json(request))
        except (ValidationError, UnicodeDecodeError):
            return error(422, "invalid", 'Send {"nonce": "<22 to 128 base64url characters>"}.')
        host = request.headers.get("Host", "")  # already checked against the allowed hosts by the guard
        return web.json_response({"protocol": PROTOCOL, "proof": proof(current(), body.nonce, host)})

    return hello
