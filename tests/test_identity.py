"""POST /v1/hello: the server proves it knows the pairing token, bound to the Host it was asked on."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from proxy.engine import Engine
from proxy.server.app import create_app
from proxy.server.identity import PROTOCOL, proof
from proxy.store import Store

TOKEN = "t" * 43
ORIGIN = "chrome-extension://cmnfijhjckggeohllbachinmhhaiefob"
NONCE = "n0nce-from-the-extension_0123456789abcdefgh"


@pytest.fixture()
async def client(aiohttp_client: Any, engine: Engine, tmp_path: Path) -> Any:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(
        engine, port=port, token=TOKEN, origin=ORIGIN, open_store=lambda: Store(tmp_path / "i.db", b"k" * 43)
    )
    c = await aiohttp_client(app, server_kwargs={"port": port, "host": "127.0.0.1"})
    return c


def hello_headers(client: Any, **over: str | None) -> dict[str, str]:
    base = {"Host": f"127.0.0.1:{client.port}", "Origin": ORIGIN, "Content-Type": "application/json"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


async def hello(client: Any, nonce: str = NONCE, **over: str | None) -> tuple[int, Any]:
    resp = await client.post(
        "/v1/hello", data=json.dumps({"nonce": nonce}), headers=hello_headers(client, **over)
    )
    return resp.status, await resp.json()


def test_proof_is_the_documented_hmac() -> None:
    expected = hmac.new(
        TOKEN.encode(), f"responde-hello/v1|{NONCE}|127.0.0.1:8765".encode(), hashlib.sha256
    ).hexdigest()
    assert proof(TOKEN, NONCE, "127.0.0.1:8765") == expected == proof(TOKEN, NONCE, "127.0.0.1:8765".upper())
    assert len({proof(TOKEN, NONCE, h) for h in ("127.0.0.1:8765", "127.0.0.1:8766", "localhost:8765")}) == 3
    assert proof(TOKEN, NONCE, "127.0.0.1:8765") != proof(TOKEN + "x", NONCE, "127.0.0.1:8765")


async def test_hello_needs_no_token_and_answers_for_its_own_host(client: Any) -> None:
    status, body = await hello(client)  # no Authorization header at all
    assert status == 200
    assert body == {"protocol": PROTOCOL, "proof": proof(TOKEN, NONCE, f"127.0.0.1:{client.port}")}
    status, body = await hello(client, Host=f"localhost:{client.port}")
    assert (status, body["proof"]) == (200, proof(TOKEN, NONCE, f"localhost:{client.port}"))
    status, body = await hello(client, Authorization="Bearer wrong")  # a token is neither needed nor used
    assert (status, body["proof"]) == (200, proof(TOKEN, NONCE, f"127.0.0.1:{client.port}"))


async def test_a_relayed_challenge_gets_no_proof_for_the_squatters_host(client: Any) -> None:
    """A squatter on port P relays the extension's challenge to the real server on another port: asked with
    Host 127.0.0.1:P the real server refuses (421); asked with its own Host it proves the wrong host."""
    squatter_host = "127.0.0.1:8765"
    assert (await hello(client, Host=squatter_host))[0] == 421
    _, body = await hello(client)
    assert body["proof"] != proof(TOKEN, NONCE, squatter_host)


@pytest.mark.parametrize(
    ("nonce", "over", "status", "code"),
    [
        (NONCE, {"Origin": None}, 403, "bad_origin"),
        (NONCE, {"Origin": "https://www.mercadolibre.com.mx"}, 403, "bad_origin"),
        (NONCE, {"Host": "evil.example"}, 421, "bad_host"),
        (NONCE, {"Content-Type": "text/plain"}, 415, "content_type"),
        ("short", {}, 422, "invalid"),
        ("x" * 129, {}, 422, "invalid"),
        ("<script>alert(1)</script>-----------------", {}, 422, "invalid"),
        ("ñ" * 30, {}, 422, "invalid"),
    ],
)
async def test_bad_challenges_are_refused_without_echo(
    client: Any, nonce: str, over: dict[str, str | None], status: int, code: str
) -> None:
    got, body = await hello(client, nonce, **over)
    assert (got, body["error"]["code"]) == (status, code)
    assert "proof" not in body and nonce not in json.dumps(body)


async def test_bad_bodies(client: Any) -> None:
    for raw in ("{", "[]", '{"nonce": "' + NONCE + '", "extra": 1}', '{"nonce": 5}'):
        resp = await client.post("/v1/hello", data=raw, headers=hello_headers(client))
        assert resp.status in (400, 422) and "proof" not in await resp.text()
    assert (await client.get("/v1/hello", headers=hello_headers(client))).status == 405


async def test_a_rotated_token_is_used_at_once(aiohttp_client: Any) -> None:
    """The handler reads a changing token (the server follows `responde token --rotate`) per challenge."""
    from aiohttp import web

    from proxy.server import keys
    from proxy.server.identity import make_hello

    class Rotating:
        value = "old-token"

        def current(self) -> str:
            return self.value

    token = Rotating()
    app = web.Application()
    for name, value in (("READ_TIMEOUT", 10.0),):  # state the handlers read, where this version has it
        if hasattr(keys, name):
            app[getattr(keys, name)] = value
    app.router.add_post("/v1/hello", make_hello(token))
    c = await aiohttp_client(app)
    first = await (await c.post("/v1/hello", json={"nonce": NONCE})).json()
    token.value = "new-token"
    second = await (await c.post("/v1/hello", json={"nonce": NONCE})).json()
    host = f"127.0.0.1:{c.port}"
    assert [first["proof"], second["proof"]] == [
        proof("old-token", NONCE, host),
        proof("new-token", NONCE, host),
    ]
