"""Property-based fuzzing of every endpoint of the real server: no 5xx, no echo, still healthy after.

RESPONDE_FUZZ_EXAMPLES sets the number of generated requests per endpoint (200 here; the stress run in
tests/bench/fuzz_stress.py asks for 10,000)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live import ServerThread

from proxy import paths
from proxy.engine import Engine

EXAMPLES = int(os.environ.get("RESPONDE_FUZZ_EXAMPLES", "200"))
MARK = "zq9FUZZq"  # planted in generated input; must never come back in an error body
ORIGIN = f"chrome-extension://{paths.extension_id()}"
SENT = {"requests": 0, "5xx": 0}
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

text = st.text(max_size=300) | st.sampled_from(
    ["", MARK, "{order_id}", "{{7*7}}", "<img src=x onerror=alert(1)>"]
)
scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4)
)
thread = st.lists(
    st.fixed_dictionaries({"author": st.sampled_from(["buyer", "seller", MARK]), "text": text}), max_size=4
)
request_body = st.fixed_dictionaries(
    {"text": text},
    optional={
        "site": st.sampled_from(["mercadolibre.com.mx", "seller.shopee.com.br", MARK, ""]) | text,
        "locale": st.sampled_from(["es-MX", "pt-BR", "en-US", "fr-FR", MARK]),
        "ui_lang": st.sampled_from(["en", "zh-CN", "xx"]),
        "thread": thread | json_value,
        "context": st.dictionaries(st.sampled_from(["buyer_name", "order_id", "product", MARK]), text)
        | json_value,
        MARK: json_value,
    },
)
raw_body = st.binary(max_size=400) | json_value.map(lambda v: json.dumps(v).encode())


@pytest.fixture(scope="module")
def server(engine: Engine) -> Iterator[tuple[ServerThread, str]]:
    token = secrets.token_urlsafe(24)
    live = ServerThread(engine, token, ORIGIN).start()
    yield live, token
    live.stop()
    print(f"\nfuzz: {SENT['requests']} requests, {SENT['5xx']} answered 5xx")


def call(
    server: tuple[ServerThread, str], method: str, path: str, body: bytes | None = None, **extra: str
) -> Any:
    live, token = server
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    headers = {"Host": f"127.0.0.1:{live.port}", "Origin": ORIGIN, "Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    headers.update(extra)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    SENT["requests"] += 1
    SENT["5xx"] += resp.status >= 500
    return resp.status, payload


def check(status: int, payload: bytes) -> None:
    assert status < 500, payload[:200]
    out = json.loads(payload)
    if status >= 400:
        assert set(out) == {"error"} and MARK not in payload.decode()


@SETTINGS
@given(body=request_body)
def test_analyze_with_generated_requests(server: tuple[ServerThread, str], body: dict[str, Any]) -> None:
    check(*call(server, "POST", "/v1/analyze", json.dumps(body).encode()))


@SETTINGS
@given(
    body=raw_body,
    content_type=st.sampled_from(["application/json", "application/json; charset=latin-1", MARK]),
)
def test_analyze_with_arbitrary_bytes(
    server: tuple[ServerThread, str], body: bytes, content_type: str
) -> None:
    check(*call(server, "POST", "/v1/analyze", body, **{"Content-Type": content_type}))


@SETTINGS
@given(
    path=st.sampled_from(["/v1/health", "/v1/intents", "/v1/analyze", "/", f"/{MARK}", "/v1/../v1/health"]),
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PUT"]),
    host=st.sampled_from(["good", f"{MARK}.example", "localhost:1", ""]),
)
def test_every_path_method_and_host(
    server: tuple[ServerThread, str], path: str, method: str, host: str
) -> None:
    live, _ = server
    extra = {} if host == "good" else {"Host": host}
    status, payload = call(server, method, path, b"{}" if method in ("POST", "PUT") else None, **extra)
    assert status < 500
    if method == "GET" and path == "/" and status == 200:
        assert payload.startswith(b"<!doctype html>")  # the dashboard's static page
    elif method != "HEAD":
        check(status, payload)


def test_still_healthy_after_fuzzing(server: tuple[ServerThread, str]) -> None:
    status, payload = call(server, "GET", "/v1/health")
    assert status == 200 and json.loads(payload)["status"] == "ok"
