"""The real app and engine over HTTP (aiohttp test server), every guard and error path."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from proxy.engine import Engine
from proxy.server.app import create_app
from proxy.server.security import make_limiter
from proxy.store import Store

TOKEN = "t" * 43
ORIGIN = "chrome-extension://cmnfijhjckggeohllbachinmhhaiefob"


class CountingEngine:
    """The real engine, counting how often a handler reached it (in shared memory: it runs in the
    server's worker processes)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._calls = multiprocessing.get_context("fork").Value("i", 0)
        self.rules = engine.rules

    @property
    def calls(self) -> int:
        return int(self._calls.value)

    def analyze(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        with self._calls.get_lock():
            self._calls.value += 1
        return self._engine.analyze(*args, **kwargs)


class Api:
    """A test client plus what the tests need to know about it."""

    db: Path

    def __init__(self, client: Any, counting: CountingEngine, port: int) -> None:
        self.client, self.counting, self.host = client, counting, f"127.0.0.1:{port}"
        self.get, self.post = client.get, client.post


@pytest.fixture()
async def api(aiohttp_client: Any, engine: Engine, tmp_path: Path) -> Api:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    counting = CountingEngine(engine)
    db = tmp_path / "api.db"
    app = create_app(
        counting,  # type: ignore[arg-type]
        port=port,
        token=TOKEN,
        origin=ORIGIN,
        open_store=lambda: Store(db, b"k" * 43),
    )
    client = await aiohttp_client(app, server_kwargs={"port": port, "host": "127.0.0.1"})
    api = Api(client, counting, port)
    api.db = db
    return api


def rows_written(api: Api) -> int:
    conn = sqlite3.connect(api.db)
    return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("analyses", "feedback"))


def headers(api, **over: str | None) -> dict[str, str]:
    base = {
        "Host": api.host,
        "Origin": ORIGIN,
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": "application/json",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


BODY = json.dumps(
    {"text": "¿ya despacharon mi pedido?", "site": "mercadolibre.com.ar", "context": {"order_id": "2000001"}}
)


async def test_analyze_contract(api) -> None:
    resp = await api.post("/v1/analyze", data=BODY, headers=headers(api))
    assert resp.status == 200
    body = await resp.json()
    assert sorted(body) == [
        "abstained",
        "deadline",
        "handoff",
        "intent_source",
        "intents",
        "language",
        "marketplace",
        "sentiment",
        "setup_required",
        "stored",
        "suggestions",
        "trace_id",
        "urgency",
    ]
    assert body["language"]["code"] == "es" and body["language"]["locale"] == "es-AR"
    assert body["intents"][0]["id"] == "order_status"
    assert body["intents"][0]["label_zh"] == "催发货/查物流"
    assert body["handoff"] == {"required": False, "reasons": []}
    [s] = body["suggestions"]
    assert sorted(s) == ["answers", "gloss_zh", "locale", "missing", "policy", "template_id", "text"]
    assert s["template_id"] == "order_status.es-AR.1" and "2000001" in s["text"]
    assert s["answers"] == ["order_status"]
    assert s["policy"]["limit"] == 350 and s["policy"]["ok"] is True
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_page_context_fills_colour_size_and_city(api) -> None:
    body = json.dumps(
        {
            "text": "¿lo tienen disponible?",
            "site": "mercadolibre.com.mx",
            "context": {"color": "rojo", "size": "M", "city": "Puebla"},
        }
    )
    out = await (await api.post("/v1/analyze", data=body, headers=headers(api))).json()
    first = out["suggestions"][0]
    assert out["intents"][0]["id"] == "availability" and first["template_id"] == "availability.es-MX.2"
    assert "en rojo, talla M" in first["text"] and "红色，尺码 M" in first["gloss_zh"]


async def test_complaint_needs_a_person(api) -> None:
    body = json.dumps({"text": "SON UNOS ESTAFADORES, voy a Profeco", "site": "mercadolibre.com.mx"})
    out = await (await api.post("/v1/analyze", data=body, headers=headers(api))).json()
    assert out["intents"][0]["id"] == "complaint"
    assert out["urgency"] == "high" and out["sentiment"] == "negative"
    assert out["handoff"]["required"] is True
    assert "intent:complaint" in out["handoff"]["reasons"] and "threat:profeco" in out["handoff"]["reasons"]


async def test_health_and_intents(api) -> None:
    h = await api.get("/v1/health", headers=headers(api, Origin=None, **{"Content-Type": None}))
    assert (await h.json())["status"] == "ok"
    i = await (await api.get("/v1/intents", headers=headers(api))).json()
    assert len(i["intents"]) == 22 and i["intents"][0]["labels"]["zh-CN"]


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"Host": "evil.example:{port}"}, 421, "bad_host"),
        ({"Host": "127.0.0.1:1"}, 421, "bad_host"),
        ({"Host": ""}, 421, "bad_host"),
        ({"Origin": "chrome-extension://cmnfijhjckggeohllbachinmhhaiefobx"}, 403, "bad_origin"),
        ({"Origin": "null"}, 403, "bad_origin"),
        ({"Origin": "https://www.mercadolibre.com.mx"}, 403, "bad_origin"),
        ({"Origin": "http://127.0.0.1:{port}"}, 403, "bad_origin"),
        ({"Origin": None}, 403, "bad_origin"),
        ({"Authorization": None}, 401, "unpaired"),
        ({"Authorization": "Bearer wrong"}, 401, "unpaired"),
        ({"Authorization": f"bearer {TOKEN}"}, 401, "unpaired"),
        ({"Host": "localhost:1"}, 421, "bad_host"),
        ({"Host": "127.0.0.1"}, 421, "bad_host"),
        ({"Host": "127.0.0.1.evil.example:{port}"}, 421, "bad_host"),
        ({"Origin": "chrome-extension://cmnfijhjckggeohllbachinmhhaiefo"}, 403, "bad_origin"),
        ({"Origin": "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, 403, "bad_origin"),
        ({"Origin": "chrome-extension://cmnfijhjckggeohllbachinmhhaiefob.evil.example"}, 403, "bad_origin"),
        ({"Origin": "CHROME-EXTENSION://CMNFIJHJCKGGEOHLLBACHINMHHAIEFOB"}, 403, "bad_origin"),
        ({"Origin": "http://localhost:{port}"}, 403, "bad_origin"),
        ({"Origin": ""}, 403, "bad_origin"),
        ({"Authorization": f"Bearer {TOKEN}x"}, 401, "unpaired"),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 401, "unpaired"),
        ({"Authorization": f"Basic {TOKEN}"}, 401, "unpaired"),
        ({"Content-Type": "text/plain"}, 415, "content_type"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "content_type"),
        ({"Content-Type": "multipart/form-data; boundary=x"}, 415, "content_type"),
        ({"Content-Type": None}, 415, "content_type"),
    ],
)
async def test_refused_before_handler(api, override: dict[str, str | None], status: int, code: str) -> None:
    port = api.host.split(":")[1]
    over = {k: (v.format(port=port) if isinstance(v, str) else v) for k, v in override.items()}
    resp = await api.post("/v1/analyze", data=BODY, headers=headers(api, **over))
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code
    assert api.counting.calls == 0 and rows_written(api) == 0
    assert_safe_headers(resp)


def assert_safe_headers(resp: Any) -> None:
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert not any(h.lower().startswith("access-control-") for h in resp.headers)


async def test_localhost_host_is_allowed(api) -> None:
    port = api.host.split(":")[1]
    resp = await api.post("/v1/analyze", data=BODY, headers=headers(api, Host=f"localhost:{port}"))
    assert resp.status == 200 and api.counting.calls == 1


async def test_preflight_and_other_methods_never_reach_a_handler(api) -> None:
    for method in ("OPTIONS", "PUT", "DELETE", "PATCH"):
        resp = await api.client.request(method, "/v1/analyze", data=BODY, headers=headers(api))
        assert resp.status in (404, 405) and api.counting.calls == 0
        assert "Access-Control-Allow-Private-Network" not in resp.headers
        assert_safe_headers(resp)


async def test_get_needs_token_too(api) -> None:
    resp = await api.get("/v1/health", headers=headers(api, Authorization=None))
    assert resp.status == 401


async def test_oversize_body(api) -> None:
    big = json.dumps({"text": "a" * 70_000})
    resp = await api.post("/v1/analyze", data=big, headers=headers(api))
    assert resp.status == 413 and api.counting.calls == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "bad_json"),
        ("[1, 2]", 422, "invalid"),
        ('{"text": ""}', 422, "invalid"),
        ('{"text": "hola", "evil": 1}', 422, "invalid"),
        ('{"text": "hola", "locale": "fr-FR"}', 422, "invalid"),
        ('{"text": "hola", "site": "<script>"}', 422, "invalid"),
    ],
)
async def test_bad_bodies(api, body: str, status: int, code: str) -> None:
    resp = await api.post("/v1/analyze", data=body, headers=headers(api))
    assert resp.status == status
    out = await resp.json()
    assert out["error"]["code"] == code
    assert "<script>" not in json.dumps(out) and "Traceback" not in json.dumps(out)
    assert api.counting.calls == 0


async def test_unknown_route_is_json(api) -> None:
    resp = await api.get("/nope", headers=headers(api))
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "http"


async def test_in_flight_limit_answers_429(aiohttp_client: Any) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True})

    app = web.Application(middlewares=[make_limiter(2)])
    app.router.add_get("/slow", slow)
    client = await aiohttp_client(app)
    first = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
    await asyncio.sleep(0.1)
    third = await client.get("/slow")
    assert third.status == 429 and third.headers["Retry-After"] == "1"
    assert (await third.json())["error"]["code"] == "busy"
    release.set()
    assert [r.status for r in await asyncio.gather(*first)] == [200, 200]
    assert (await client.get("/slow")).status == 200


async def test_the_only_page_is_static_and_points_to_the_extension(api) -> None:
    page = await api.get("/", headers={"Host": api.host})
    assert page.status == 200 and page.content_type == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    html = await page.text()
    assert "<script" not in html and "Open the dashboard" in html and "打开数据看板" in html
    assert (await api.get("/", headers={"Host": "evil.example"})).status == 421
    for old in ("/static/dashboard.js", "/static/dashboard.css", "/static/../proxy/store.py"):
        assert (await api.get(old, headers={"Host": api.host})).status in (401, 404)


@pytest.mark.parametrize("path", ["/v1/dashboard", "/v1/export"])
async def test_stored_data_only_for_the_extension(api, path: str) -> None:
    """Stored data is served on POST only, where the browser always sends the Origin; the extension's
    service worker is the only client that has both its Origin and the token."""
    assert (await api.post("/v1/analyze", data=BODY, headers=headers(api))).status == 200
    ok = await api.post(path, data="{}", headers=headers(api))
    assert ok.status == 200
    refused = [
        (await api.get(path, headers=headers(api, Origin=None))).status,  # GET: never, even with the token
        (await api.get(path, headers=headers(api))).status,
        (await api.post(path, data="{}", headers=headers(api, Origin=None))).status,
        (
            await api.post(path, data="{}", headers=headers(api, Origin="https://www.mercadolibre.com.mx"))
        ).status,
        (await api.post(path, data="{}", headers=headers(api, Origin=f"http://{api.host}"))).status,
        (await api.post(path, data="{}", headers=headers(api, Authorization=None))).status,
        (await api.post(path, data='{"all": true}', headers=headers(api))).status,
    ]
    assert refused == [405, 405, 403, 403, 403, 401, 422]


async def test_dashboard_tables(api) -> None:
    for text in ("cuándo llega mi pedido?", "llegó roto!!", "cuándo llega?"):
        body = json.dumps(
            {"text": text, "site": "mercadolibre.com.mx", "context": {"product": "Lámpara LED"}}
        )
        assert (await api.post("/v1/analyze", data=body, headers=headers(api))).status == 200
    since = json.dumps({"since": "2000-01-01"})
    out = await (await api.post("/v1/dashboard", data=since, headers=headers(api))).json()
    assert sorted(out) == ["deadlines", "outcomes", "per_day", "per_product", "per_site", "sites"]
    assert out["sites"] == ["mercadolibre.com.mx"]
    assert out["per_site"] == [{"site": "mercadolibre.com.mx", "messages": 3, "handoffs": 1}]
    assert {(r["product"], r["intent"], r["messages"]) for r in out["per_product"]} == {
        ("Lámpara LED", "order_status", 2),
        ("Lámpara LED", "damaged_defective", 1),
    }
    bad = await api.post("/v1/dashboard", data='{"since": "yesterday"}', headers=headers(api))
    assert bad.status == 422 and "yesterday" not in await bad.text()
    exported = await (await api.post("/v1/export", data="{}", headers=headers(api))).json()
    assert len(exported["analyses"]) == 3


async def test_forget_by_order_and_everything(api) -> None:
    for order in ("2000001", "2000001", "2000002"):
        body = json.dumps(
            {"text": "cuándo llega?", "site": "mercadolibre.com.mx", "context": {"order_id": order}}
        )
        assert (await api.post("/v1/analyze", data=body, headers=headers(api))).status == 200

    async def forget(filters: dict[str, Any], **over: str | None) -> Any:
        return await api.post("/v1/forget", data=json.dumps(filters), headers=headers(api, **over))

    resp = await forget({"order_id": "2000001"})
    assert (resp.status, await resp.json()) == (200, {"forgotten": 2})
    nothing = await forget({})
    assert nothing.status == 422 and "say what to forget" in (await nothing.json())["error"]["message"]
    assert (await forget({"since": "last week"})).status == 422
    assert (await forget({"everything": True}, Origin=f"http://{api.host}")).status == 403  # the page itself
    assert rows_written(api) == 1
    assert await (await forget({"everything": True})).json() == {"forgotten": 1}
    assert rows_written(api) == 0


async def test_unanswered_messages_by_urgency_and_deadline(api) -> None:
    traces = []
    for text, received in (
        ("cuándo llega?", "2026-11-20T10:00:00-06:00"),
        ("llegó roto!!", "2026-11-20T12:00:00-06:00"),
    ):
        body = json.dumps({"text": text, "site": "mercadolibre.com.mx", "received_at": received})
        traces.append(
            (await (await api.post("/v1/analyze", data=body, headers=headers(api))).json())["trace_id"]
        )
    rows = (await (await api.post("/v1/dashboard", data="{}", headers=headers(api))).json())["deadlines"]
    assert [(r["intent"], r["urgency"], r["due"]) for r in rows] == [
        ("damaged_defective", "high", "2026-11-21T02:00:00+00:00"),  # 12:00 + 8 h = 20:00 in Mexico City
        ("order_status", "normal", "2026-11-21T00:00:00+00:00"),  # 10:00 + 8 h = 18:00
    ]
    done = json.dumps({"trace_id": traces[1], "action": "handoff_confirmed"})
    assert (await api.post("/v1/feedback", data=done, headers=headers(api))).status == 201
    rows = (await (await api.post("/v1/dashboard", data="{}", headers=headers(api))).json())["deadlines"]
    assert [r["intent"] for r in rows] == ["order_status"]


async def test_two_questions_get_one_reply_to_both_and_the_agent_s_pick_is_kept(api) -> None:
    text = "oi, quando chega meu pedido? e vocês emitem nota fiscal?"
    body = json.dumps({"text": text, "site": "mercadolivre.com.br", "context": {"buyer_name": "Ana"}})
    out = await (await api.post("/v1/analyze", data=body, headers=headers(api))).json()
    assert [i["id"] for i in out["intents"]] == ["order_status", "invoice"]
    first = out["suggestions"][0]
    assert first["template_id"] == "order_status.pt-BR.1+invoice.pt-BR.1"
    assert first["answers"] == ["order_status", "invoice"]
    assert first["text"].startswith("Oi Ana, seu pedido") and "Emitimos nota fiscal sim!" in first["text"]
    assert first["policy"]["ok"] and first["policy"]["length"] <= 350
    picked = {"trace_id": out["trace_id"], "action": "inserted", "template_id": first["template_id"]}
    assert (await api.post("/v1/feedback", data=json.dumps(picked), headers=headers(api))).status == 201
    conn = sqlite3.connect(api.db)
    assert conn.execute("SELECT action, template_id FROM feedback").fetchall() == [
        ("inserted", "order_status.pt-BR.1+invoice.pt-BR.1")
    ]
