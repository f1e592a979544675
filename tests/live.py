"""The real server for tests that drive it like a client would: in a thread, or as `responde serve`."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from proxy import paths
from proxy.engine import Engine
from proxy.server.app import create_app
from proxy.store import Store

EXE = [sys.executable, "-m", "proxy"]


def grow_store(db: Path, doublings: int) -> int:
    """Copy a store's analyses onto themselves (new trace ids) `doublings` times, as months of use would fill
    it; the number of analyses after."""
    conn = sqlite3.connect(db, timeout=30)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(analyses)") if r[1] not in ("id", "trace_id")]
    listed = ", ".join(columns)
    for _ in range(doublings):
        copy = f"SELECT lower(hex(randomblob(16))), {listed} FROM analyses"
        conn.execute(f"INSERT INTO analyses (trace_id, {listed}) {copy}")
        conn.commit()
    n = int(conn.execute("SELECT count(*) FROM analyses").fetchone()[0])
    conn.close()
    return n


def small_corpus(target: Path, per_file: int = 8) -> Path:
    """A copy of the shipped corpus cut to its first `per_file` lines an intent and language: a real
    training in seconds."""
    for source in sorted(paths.CORPUS_DIR.glob("*/*.txt")):
        lines = source.read_text(encoding="utf-8").splitlines()[:per_file]
        (target / source.parent.name).mkdir(parents=True, exist_ok=True)
        (target / source.parent.name / source.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def cli(
    args: list[str], home: Path, models: Path, stdin: str = "", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`responde ARGS` in a subprocess with its own data directory, the given model cache and a UTF-8
    C locale (the interface language follows the environment: tests pin it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(RESPONDE_HOME=str(home), LANG="C.UTF-8")
    return subprocess.run(
        [*EXE, "--no-progress", "--models", str(models), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """The real aiohttp app on 127.0.0.1:<port>, in its own thread and event loop."""

    def __init__(
        self, engine: Engine, token: str, origin: str, open_store: Callable[[], Store] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._app = create_app(engine, port=self.port, token=token, origin=origin, open_store=open_store)
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(self._app, access_log=None)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


class ServeProcess:
    """`responde serve` as a user starts it: its own process, data directory and log output."""

    def __init__(
        self,
        home: Path,
        models: Path,
        rules: Path | None = None,
        extra: list[str] | None = None,
        configured: bool = True,
    ) -> None:
        self.home, self.port = home, free_port()
        if configured:  # as after `responde setup`: the store has a name, so the server suggests replies
            store = home / "config" / "rules" / "store.yaml"
            store.parent.mkdir(parents=True, exist_ok=True)
            if not store.exists():
                store.write_text("store_name: Tienda Demo\n", encoding="utf-8")
        self.env = env = dict(os.environ, RESPONDE_HOME=str(home))
        cmd = [sys.executable, "-m", "proxy", "--models", str(models)]
        cmd += ["--rules", str(rules)] if rules else []
        cmd += ["serve", "--port", str(self.port), *(extra or [])]
        self.log = home.parent / f"{home.name}-serve.log"
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.origin = f"chrome-extension://{paths.extension_id()}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text())
            token = home / "token"
            if token.exists():
                self.token = token.read_text().strip()
                try:
                    if self.request("GET", "/v1/health")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("responde serve did not start")

    def request(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None, timeout: float = 10
    ) -> tuple[int, Any]:
        """One HTTP request with the extension's headers; returns (status, parsed JSON)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Origin": self.origin, "Authorization": f"Bearer {getattr(self, 'token', '')}"}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()

    def stop(self) -> str:
        """Normal termination; returns everything the server printed."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self._log.close()
        return self.log.read_text()
