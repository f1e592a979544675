"""Where Responde keeps its files: the repo's rules and corpus, and the per-user data directory."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path

import platformdirs

REPO = Path(__file__).resolve().parent.parent
RULES_DIR = REPO / "rules"
CORPUS_DIR = REPO / "corpus"
CONVERSATIONS_DIR = CORPUS_DIR / "conversations"  # the thread head's training data (`carry.py`)
MANIFEST = REPO / "extension" / "manifest.json"
SAMPLE_LABELLED = REPO / "samples" / "labelled.jsonl"  # `responde eval` with no file
DEFAULT_PORT = 8765


def data_home() -> Path:
    """RESPONDE_HOME, else the platform's user data directory (created 0700): $XDG_DATA_HOME/responde or
    ~/.local/share/responde on Linux, ~/Library/Application Support/responde on macOS,
    %LOCALAPPDATA%\\responde on Windows."""
    env = os.environ.get("RESPONDE_HOME")
    return private_dir(Path(env) if env else Path(platformdirs.user_data_dir("responde", appauthor=False)))


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (created if missing, 0700 either way)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def models_dir() -> Path:
    """Cache of trained models (keyed by corpus fingerprint)."""
    return data_home() / "models"


def built_models_dir() -> Path:
    """Models built with this installation (`<venv>/share/responde/models`; `make run`, `make test` and
    `make bench` train the shipped one there first, `python -m proxy.build_model`): a model missing from a
    user's cache is copied from here before it is trained, so a first `responde classify` or `serve` under
    any RESPONDE_HOME does not train for minutes."""
    return Path(sys.prefix) / "share" / "responde" / "models"


def token_path() -> Path:
    """The pairing token file."""
    return data_home() / "token"


def _secret_file(path: Path, rotate: bool = False) -> str:
    """A random secret in a 0600 file, created on first use (or replaced when rotating)."""
    if path.exists() and not rotate:
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value
    value = secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    os.replace(tmp, path)
    return value


def read_or_create_token(rotate: bool = False) -> str:
    """The per-install pairing token, created on first use with mode 0600."""
    return _secret_file(token_path(), rotate)


def store_key() -> bytes:
    """The per-install key that hashes buyer names and order ids in the store (never rotated)."""
    return _secret_file(data_home() / "store.key").encode()


def database_path() -> Path:
    """The SQLite store of analyses and agent feedback."""
    return data_home() / "responde.db"


def extension_id(manifest: Path = MANIFEST) -> str:
    """Chrome extension id derived from the manifest `key` (first 128 bits of SHA-256, a-p alphabet)."""
    override = os.environ.get("RESPONDE_EXTENSION_ID")
    if override:
        return override
    key = json.loads(manifest.read_text(encoding="utf-8"))["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


def pid_path() -> Path:
    """The running server's process id (written once it listens; `responde reload` reads it)."""
    return data_home() / "server.pid"


class ServerLock:
    """One server per data directory: an exclusive lock on `server.lock`, held while the server runs.

    The pid file is written by the lock holder only, once it listens, and removed by it only, so a second
    `responde serve` can never delete the running server's pid file."""

    def __init__(self) -> None:
        self.path = data_home() / "server.lock"
        self._fd: int | None = None

    def acquire(self) -> int | None:
        """Take the lock; None when taken, else the pid of the server holding it (0 if unknown)."""
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return self._pid() or 0
        self._fd = fd
        return None

    def _pid(self) -> int | None:
        try:
            return int(pid_path().read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def holder(self) -> int | None:
        """The pid of the running server, or None when no server holds the lock."""
        mine = ServerLock()
        if mine.acquire() is None:
            mine.release()
            return None
        return self._pid()

    def publish(self) -> None:
        """Write this process' pid (call once listening)."""
        tmp = pid_path().with_suffix(".tmp")
        tmp.write_text(f"{os.getpid()}\n", encoding="ascii")
        os.replace(tmp, pid_path())

    def release(self) -> None:
        """Remove our pid file and let go of the lock (no-op when not held)."""
        if self._fd is None:
            return
        if self._pid() == os.getpid():
            pid_path().unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
