"""`responde reload` that can say whether it worked: the server writes the outcome of every reload to
`reload.json` in the data directory; the command signals the server and waits for the next outcome."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass

from proxy import paths


@dataclass(frozen=True)
class Outcome:
    """How one reload went (`error`: the rules' problems, file and line, when it failed)."""

    ok: bool
    error: str
    seq: int


def _path() -> os.PathLike[str]:
    return paths.data_home() / "reload.json"


def read() -> Outcome | None:
    """The last reload's outcome, if the server wrote one."""
    try:
        data = json.loads(open(_path(), encoding="utf-8").read())  # noqa: SIM115
        return Outcome(bool(data["ok"]), str(data.get("error", "")), int(data["seq"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(ok: bool, error: str) -> None:
    """Record a reload's outcome (called by the server; atomic replace)."""
    last = read()
    data = {"ok": ok, "error": error, "seq": (last.seq if last else 0) + 1, "pid": os.getpid()}
    tmp = paths.data_home() / "reload.json.tmp"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, _path())


def request_reload(timeout: float = 120.0) -> Outcome | None:
    """Ask the running server to reload and wait for its outcome; None when no server is running."""
    pid = paths.ServerLock().holder()
    hup = getattr(signal, "SIGHUP", None)
    if not pid:
        return None
    if hup is None:  # Windows has no SIGHUP
        return Outcome(False, "this system cannot signal the server: restart it to apply the change", 0)
    before = read()
    os.kill(pid, hup)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = read()
        if now is not None and (before is None or now.seq > before.seq):
            return now
        time.sleep(0.1)
    return Outcome(False, f"the server (pid {pid}) gave no answer within {timeout:g} s; see its log", 0)
