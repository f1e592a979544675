"""The SQLite store: migrations, redaction, hashing, retention, forget/export, feedback API, crashes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from live import ServeProcess, free_port, grow_store

from proxy import store as store_module
from proxy.engine import Engine
from proxy.server.app import create_app
from proxy.store import MIGRATIONS, Store, StoreError

KEY = b"k" * 43
CONTEXT = {"buyer_name": "Mariana Gómez", "order_id": "2000004417731", "product": "Audífonos X20"}


def analysis(engine: Engine, text: str = "ya lo mandaron? mi cel es 55 1234 5678") -> dict[str, Any]:
    return engine.analyze(text, "mercadolibre.com.mx", None, CONTEXT)


@pytest.fixture()
def db(tmp_path: Path) -> Store:
    return Store(tmp_path / "responde.db", KEY)


def test_migrations_run_once_and_use_wal(tmp_path: Path) -> None:
    first = Store(tmp_path / "s.db", KEY)
    first.close()
    again = Store(tmp_path / "s.db", KEY)
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sorted(again.db.table_names()) == ["analyses", "feedback"]


def test_analysis_is_stored_redacted_and_hashed(db: Store, engine: Engine) -> None:
    result = analysis(engine)
    db.record_analysis(result, "ya lo mandaron? mi cel es 55 1234 5678", "mercadolibre.com.mx", CONTEXT)
    [row] = db.export()["analyses"]
    assert row["text"] == "ya lo mandaron? mi cel es [phone]"
    assert row["buyer_key"] == db._hash("mariana gómez  ") and len(row["buyer_key"]) == 32
    assert "Mariana" not in json.dumps(row) and "2000004417731" not in json.dumps(row)
    assert (row["trace_id"], row["intent"], row["locale"], row["product"]) == (
        result["trace_id"],
        "order_status",
        "es-MX",
        "Audífonos X20",
    )


def test_text_is_not_kept_when_store_text_is_off(tmp_path: Path, engine: Engine) -> None:
    db = Store(tmp_path / "s.db", KEY, store_text=False)
    db.record_analysis(analysis(engine), "hola", None, {})
    db.record_feedback(db.export()["analyses"][0]["trace_id"], "edited", None, None, "texto final")
    assert db.export()["analyses"][0]["text"] is None and db.export()["feedback"][0]["final_text"] is None


def test_forget_by_buyer_order_date_or_everything(db: Store, engine: Engine) -> None:
    for name, order in (("Ana", "1"), ("Bruno", "2"), ("Carla", "3")):
        result = analysis(engine)
        db.record_analysis(result, "hola", None, {"buyer_name": name, "order_id": order})
        db.record_feedback(result["trace_id"], "inserted", "order_status.es-MX.1", None, None)
    with pytest.raises(ValueError, match="say what to forget"):
        db.forget()
    assert db.forget(buyer_name=" ana ") == 1
    assert db.forget(order_id="2") == 1
    assert db.forget(since="2999-01-01") == 0
    assert [len(rows) for rows in db.export().values()] == [1, 1]  # feedback went with its analysis
    assert db.forget(everything=True) == 1
    assert db.export() == {"analyses": [], "feedback": []}
    db.record_analysis(analysis(engine), "y mi pedido 2000004417731??", None, {})  # order id only in the text
    assert db.forget(order_id="2000004417731") == 1


def test_retention_deletes_old_rows(db: Store, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "now", lambda: datetime(2026, 1, 1, tzinfo=UTC))
    db.record_analysis(analysis(engine), "viejo", None, {})
    monkeypatch.setattr(store_module, "now", lambda: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=91))
    db.record_analysis(analysis(engine), "nuevo", None, {})
    assert db.purge() == 1
    assert [r["text"] for r in db.export()["analyses"]] == ["nuevo"]


def test_full_disk_is_a_clear_error_and_loses_nothing_stored(db: Store, engine: Engine) -> None:
    db.record_analysis(analysis(engine), "primero", None, {})
    pages = db.db.execute("PRAGMA page_count").fetchone()[0]
    db.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="Free disk space"):
        for _ in range(50):
            db.record_analysis(analysis(engine), "x" * 4000, None, {})
    assert db.export()["analyses"][0]["text"] == "primero" and db.integrity() == "ok"


def test_corrections_feed_training(db: Store, engine: Engine) -> None:
    result = analysis(engine, "y la boleta?")
    db.record_analysis(result, "y la boleta?", None, {})
    db.record_feedback(result["trace_id"], "corrected", None, "invoice", None)
    assert list(db.corrections()) == [("y la boleta?", "es", "invoice")]
    for text, actions in (("cuándo llega?", ["inserted"]), ("tienen stock?", ["inserted", "corrected"])):
        shown = analysis(engine, text)
        db.record_analysis(shown, text, None, {})
        for action in actions:
            db.record_feedback(
                shown["trace_id"], action, None, "variant" if action == "corrected" else None, None
            )
    not_used = analysis(engine, "hola")
    db.record_analysis(not_used, "hola", None, {})
    # Inserted and never corrected: the agent confirmed the intent (a check for the next model).
    assert list(db.confirmed()) == [("cuándo llega?", "es", "order_status")]


# --- the feedback API -------------------------------------------------------------------------------

TOKEN = "t" * 43
ORIGIN = "chrome-extension://cmnfijhjckggeohllbachinmhhaiefob"


@pytest.fixture()
async def client(aiohttp_client: Any, engine: Engine, tmp_path: Path) -> Any:
    port = free_port()
    # The budget per analysis is not what these tests measure (test_limits and test_batcher do): in the
    # whole suite on 2 loaded cores, one short analysis beside a 131,072-row dashboard read once took over
    # the default 5 s and was answered 503. A hang still fails them.
    app = create_app(
        engine,
        port=port,
        token=TOKEN,
        origin=ORIGIN,
        open_store=lambda: Store(tmp_path / "api.db", KEY),
        budget=60.0,
    )
    c = await aiohttp_client(app, server_kwargs={"port": port, "host": "127.0.0.1"})
    c.headers = {"Host": f"127.0.0.1:{port}", "Origin": ORIGIN, "Authorization": f"Bearer {TOKEN}"}
    return c


async def post(client: Any, path: str, body: Any) -> tuple[int, Any]:
    resp = await client.post(path, json=body, headers=client.headers)
    return resp.status, await resp.json()


async def test_feedback_round_trip(client: Any, tmp_path: Path) -> None:
    status, shown = await post(client, "/v1/analyze", {"text": "quiero la factura", "context": CONTEXT})
    assert status == 200 and shown["stored"] is True
    trace = shown["trace_id"]
    assert await post(
        client, "/v1/feedback", {"trace_id": trace, "action": "corrected", "intent": "invoice"}
    ) == (
        201,
        {"ok": True},
    )
    assert (await post(client, "/v1/feedback", {"trace_id": "0" * 32, "action": "inserted"}))[0] == 404
    assert (await post(client, "/v1/feedback", {"trace_id": trace, "action": "corrected", "intent": "nope"}))[
        0
    ] == 422
    assert (await post(client, "/v1/feedback", {"trace_id": trace, "action": "corrected"}))[0] == 422
    assert (await post(client, "/v1/feedback", {"trace_id": trace, "action": "sent"}))[0] == 422
    rows = sqlite3.connect(tmp_path / "api.db").execute("SELECT action, intent FROM feedback").fetchall()
    assert rows == [("corrected", "invoice")]


async def test_a_slow_store_read_holds_no_other_request(client: Any, tmp_path: Path) -> None:
    """Store calls run off the event loop, and the long reads on a connection and thread of their own: while
    the dashboard reads a big store, the server goes on answering, and analyses are recorded (on the event
    loop, a dashboard over 62,000 analyses held every request for half a second; on the writer's thread,
    analyses waited behind it for their row)."""
    status, shown = await post(client, "/v1/analyze", {"text": "quiero la factura", "context": CONTEXT})
    assert status == 200 and shown["stored"] is True
    assert grow_store(tmp_path / "api.db", 17) == 131_072
    dashboard = asyncio.ensure_future(post(client, "/v1/dashboard", {}))
    answered_meanwhile = recorded_meanwhile = 0
    while not dashboard.done():
        resp = await client.get("/v1/health", headers=client.headers)
        assert resp.status == 200
        answered_meanwhile += not dashboard.done()
        status, shown = await post(client, "/v1/analyze", {"text": "y el envío?"})
        assert status == 200 and shown["stored"] is True
        recorded_meanwhile += not dashboard.done()
    status, tables = await dashboard
    assert status == 200 and tables["sites"] == []
    assert answered_meanwhile >= 3 and recorded_meanwhile >= 3


# --- real processes: crash safety and PII ------------------------------------------------------------


def test_acknowledged_writes_survive_sigkill(models_dir: Path, tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "home", models_dir)
    acked: list[tuple[str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                status, out = server.request(
                    "POST", "/v1/analyze", {"text": f"cuando llega mi pedido {n}-{i}?"}
                )
                if status == 200 and out["stored"]:
                    with lock:
                        acked.append(("analysis", out["trace_id"]))
                    status, _ = server.request(
                        "POST", "/v1/feedback", {"trace_id": out["trace_id"], "action": "inserted"}
                    )
                    if status == 201:
                        with lock:
                            acked.append(("feedback", out["trace_id"]))
            except OSError:
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = datetime.now() + timedelta(seconds=20)
    while len(acked) < 150 and datetime.now() < deadline:
        stop.wait(0.05)
    server.kill()  # while the writers are still writing
    stop.set()
    for t in threads:
        t.join(15)
    with lock:
        done = list(acked)
    assert len(done) >= 100
    conn = sqlite3.connect(tmp_path / "home" / "responde.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    analyses = {r[0] for r in conn.execute("SELECT trace_id FROM analyses")}
    feedback = {r[0] for r in conn.execute("SELECT trace_id FROM feedback")}
    assert {t for kind, t in done if kind == "analysis"} <= analyses
    assert {t for kind, t in done if kind == "feedback"} <= feedback


FAKE_PII = {
    "cpf": "529.982.247-25",
    "cnpj": "11.222.333/0001-81",
    "rfc": "GODE561231GR8",
    "curp": "BOXW310820HNERXN09",
    "rut": "12.345.678-5",
    "phone_mx": "55 1234 5678",
    "phone_br": "11 98765-4321",
    "phone_ar": "+54 9 11 2345-6789",
    "email": "mariana.gomez77@example.com",
    "card": "4111 1111 1111 1111",
}


def test_no_pii_in_logs_database_or_error_bodies(models_dir: Path, tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "home", models_dir)
    pii = " ".join(FAKE_PII.values())
    bodies: list[Any] = []
    status, out = server.request(
        "POST",
        "/v1/analyze",
        {
            "text": f"hola, mis datos: {pii}",
            "thread": [{"author": "buyer", "text": f"antes: {pii}"}],
            "context": {"buyer_name": FAKE_PII["email"], "product": f"funda {FAKE_PII['phone_mx']}"},
        },
    )
    assert status == 200
    server.request(
        "POST", "/v1/feedback", {"trace_id": out["trace_id"], "action": "edited", "final_text": pii}
    )
    for raw in (
        f'{{"text": "{pii}"'.encode(),  # malformed JSON
        json.dumps({"text": pii, FAKE_PII["email"]: 1}).encode(),  # unknown key
        json.dumps({"text": pii, "locale": FAKE_PII["cpf"]}).encode(),  # bad value
        json.dumps({"trace_id": FAKE_PII["rfc"], "action": "edited", "final_text": pii}).encode(),
    ):
        for path in ("/v1/analyze", "/v1/feedback"):
            bodies.append(server.request("POST", path, raw=raw)[1])
    logs = server.stop()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "home").glob("responde.db*"))
    for kind, value in FAKE_PII.items():
        assert value not in logs, kind
        assert value.encode() not in stored, kind
        assert value not in json.dumps(bodies), kind
    assert b"[cpf]" in stored and b"[phone]" in stored  # the redacted text was kept
