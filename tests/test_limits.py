"""Nothing a client sends can stall the server: the worker pool's budget, pathological JSON, the in-flight
limit, slow headers and bodies; and the running server's own files: token rotation, one server per data
directory, a busy port, reload, clean close on SIGTERM, private files. Real `responde serve` processes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from live import ServeProcess, free_port

from proxy.server.pool import OverBudget, WorkerPool

# --- the pool: a job over budget is killed while the others go on ------------------------------------


def _stuck(n: int) -> bool:
    """A catastrophic backtracking match: C code holding the GIL for minutes (a thread could not stop it)."""
    return re.match(r"(a+)+$", "a" * n + "b") is not None


def _quick(x: int) -> int:
    return x * 2


async def test_a_job_over_budget_is_killed_and_the_others_are_answered() -> None:
    pool = WorkerPool({"stuck": _stuck, "quick": _quick}, size=2, budget=1.0)
    await pool.start()
    try:
        first = set(pool.pids())
        stuck = asyncio.create_task(pool.run("stuck", 40))
        began = time.monotonic()
        answers = [await pool.run("quick", i) for i in range(20)]  # the other worker keeps answering
        assert answers == [i * 2 for i in range(20)] and time.monotonic() - began < 1.0
        with pytest.raises(OverBudget):
            await stuck
        assert pool.replaced == 1 and len(pool.pids()) == 2 and pool.pids() != sorted(first)
        assert await pool.run("quick", 21) == 42  # the replacement works
        [gone] = first - set(pool.pids())
        for _ in range(200):  # killed, then reaped by the pool (no zombie left)
            try:
                os.kill(gone, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(ProcessLookupError):
            os.kill(gone, 0)
    finally:
        await pool.close()


# --- a real server ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("limits") / "home"
    proc = ServeProcess(home, models_dir, extra=["--read-timeout", "2"])
    yield proc
    proc.stop()


DEEP = b'{"text": "hola", "context": ' + b"[" * 30000 + b"]" * 30000 + b"}"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (DEEP, "nested too deeply"),
        (b'{"text": "hola", "thread": ' + b"1" * 60000 + b"}", "more than 30 digits"),
        (b'{"text": "hola", "site": 1e999999}', "too large"),
        (b'{"text": "hola", "site": -1' + b"0" * 400 + b".5}", "too large or too long"),
        (b'{"text": NaN}', "NaN and Infinity"),
        (b'{"text": "hola", "context": Infinity}', "NaN and Infinity"),
        (b'{"text": "\xff\xfe"}', "not UTF-8"),
        (b'{"text": "hola"', "not valid JSON"),
    ],
)
def test_pathological_json_is_a_400(server: ServeProcess, raw: bytes, why: str) -> None:
    status, body = server.request("POST", "/v1/analyze", raw=raw)
    assert (status, body["error"]["code"]) == (400, "bad_json") and why in body["error"]["message"]
    assert server.request("GET", "/v1/health")[0] == 200


def _open(server: ServeProcess, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head)
    return sock


def _head(server: ServeProcess, length: int) -> bytes:
    return (
        f"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: {server.origin}\r\n"
        f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_the_in_flight_limit_answers_429_then_recovers(server: ServeProcess) -> None:
    # 32 requests whose bodies never finish arriving are in flight; the 33rd is refused at once.
    held = [_open(server, _head(server, 100) + b'{"text": "ho') for _ in range(32)]
    time.sleep(0.3)
    status, body = server.request("POST", "/v1/analyze", {"text": "hola"})
    assert (status, body["error"]["code"]) == (429, "busy")
    replies = []
    for sock in held:  # each slow body gets its 408 after the read timeout (2 s here)
        replies.append(sock.recv(4096).split(b"\r\n", 1)[0])
        sock.close()
    assert set(replies) == {b"HTTP/1.1 408 Request Timeout"}
    assert server.request("POST", "/v1/analyze", {"text": "hola"})[0] == 200


def test_slow_headers_are_cut_off(server: ServeProcess) -> None:
    sock = _open(server, b"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    began = time.monotonic()
    try:
        while sock.recv(4096):  # slowloris: never finish the headers; the server hangs up
            pass
    except OSError:
        pass
    assert 1.5 < time.monotonic() - began < 8
    sock.close()


def test_health_answers_while_adversarial_bodies_are_analysed(server: ServeProcess) -> None:
    bodies = [
        {"text": ("a@" * 2500)[:5000], "thread": [{"author": "buyer", "text": ("x@y." * 1250)[:5000]}] * 10},
        {
            "text": ("1 " * 2500)[:5000],
            "thread": [{"author": "buyer", "text": ("+55 (11) 9" * 500)[:5000]}] * 10,
        },
        {"text": (". " * 2500)[:5000], "thread": [{"author": "buyer", "text": (" " * 4999) + "y"}] * 10},
    ]
    results: list[int] = []

    def post(body: dict[str, Any]) -> None:
        results.append(server.request("POST", "/v1/analyze", body, timeout=30)[0])

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    worst = 0.0
    while any(t.is_alive() for t in threads):
        began = time.monotonic()
        assert server.request("GET", "/v1/health")[0] == 200
        worst = max(worst, time.monotonic() - began)
        time.sleep(0.02)
    assert worst < 1.0 and sorted(results) in ([200, 200, 200], [200, 200, 503], [200, 503, 503])


def test_token_rotation_takes_effect_at_once(server: ServeProcess, models_dir: Path) -> None:
    old = server.token
    env = dict(os.environ, RESPONDE_HOME=str(server.home))
    out = subprocess.run(
        [sys.executable, "-m", "proxy", "token", "--rotate"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    new = out.stdout.strip()
    assert new != old and "now accepts only this token" in out.stderr
    assert server.request("GET", "/v1/health")[0] == 401  # the old token, refused without a restart
    server.token = new
    assert server.request("GET", "/v1/health")[0] == 200


def test_a_second_server_says_so_and_leaves_the_first_alone(server: ServeProcess, models_dir: Path) -> None:
    pid_file = server.home / "server.pid"
    assert pid_file.read_text().strip() == str(server.proc.pid)
    env = dict(os.environ, RESPONDE_HOME=str(server.home))
    cmd = [sys.executable, "-m", "proxy", "--models", str(models_dir), "serve", "--port"]
    same_home = subprocess.run([*cmd, str(free_port())], env=env, capture_output=True, text=True, timeout=60)
    assert same_home.returncode == 1
    assert f"a Responde server (pid {server.proc.pid}) is already running" in same_home.stderr
    other = dict(env, RESPONDE_HOME=str(server.home.parent / "other"))
    busy = subprocess.run([*cmd, str(server.port)], env=other, capture_output=True, text=True, timeout=60)
    assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{server.port}" in busy.stderr
    assert "choose another with --port N" in busy.stderr
    assert pid_file.read_text().strip() == str(server.proc.pid)
    reload = subprocess.run(
        [sys.executable, "-m", "proxy", "reload"], env=env, capture_output=True, text=True
    )
    assert reload.returncode == 0
    deadline = time.monotonic() + 30
    while "reloaded rules and model" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "reloaded rules and model" in server.log.read_text()
    assert server.request("POST", "/v1/analyze", {"text": "cuándo llega mi pedido?"})[0] == 200


def test_files_are_private_and_sigterm_closes_the_store(models_dir: Path, tmp_path: Path) -> None:
    proc = ServeProcess(tmp_path / "home", models_dir)
    assert proc.request("POST", "/v1/analyze", {"text": "hola, cuándo llega?"})[0] == 200
    home = tmp_path / "home"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for f in home.iterdir():
        if f.is_file():
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.proc.wait(15) == 0
    log = proc.stop()
    assert "closing the store and the workers" in log
    wal = home / "responde.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed into the database
    assert not (home / "server.pid").exists()
