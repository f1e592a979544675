"""The local SQLite store (sqlite-utils, WAL): analyses shown to agents and the agents' feedback.

Contract: buyer text is stored only redacted and only when `store_text` is on; buyer names and order ids
only as keyed hashes (so `forget` can find them, nobody can read them); a write returns only after its
transaction is committed, so whatever the API acknowledged survives a crash of the process (WAL,
synchronous=NORMAL; a power loss may drop the last transactions, never corrupt the file). Deleted rows leave
nothing behind: secure_delete zeroes freed content, and `forget`, `purge` and `close` checkpoint the WAL
into the database and truncate it. The files are the owner's alone (0600)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from proxy.facts import order_id_in
from proxy.redact import name_tokens, redact, redact_names

FEEDBACK_ACTIONS = ("inserted", "edited", "dismissed", "corrected", "handoff_confirmed")

MIGRATIONS = [
    """CREATE TABLE analyses (
        id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL UNIQUE, ts TEXT NOT NULL, site TEXT,
        marketplace TEXT, lang TEXT, locale TEXT, intent TEXT, intent_score REAL, intents TEXT NOT NULL,
        handoff INTEGER NOT NULL, handoff_reasons TEXT NOT NULL, urgency TEXT, sentiment TEXT,
        suggestions TEXT NOT NULL, product TEXT, buyer_key TEXT, order_key TEXT, text TEXT)""",
    """CREATE TABLE feedback (
        id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL REFERENCES analyses(trace_id) ON DELETE CASCADE,
        ts TEXT NOT NULL, action TEXT NOT NULL, template_id TEXT, intent TEXT, final_text TEXT)""",
    "CREATE INDEX analyses_ts ON analyses(ts)",
    "CREATE INDEX analyses_keys ON analyses(buyer_key, order_key)",
    "CREATE INDEX feedback_trace ON feedback(trace_id)",
    "ALTER TABLE analyses ADD COLUMN due TEXT",  # the marketplace response deadline (UTC, ISO 8601)
    # keyed hashes of each word of the buyer's name: the agent's final text is checked against them
    "ALTER TABLE analyses ADD COLUMN name_keys TEXT",
]
TEXT_LIMIT = 5000
JSON_COLUMNS = ("intents", "handoff_reasons", "suggestions", "name_keys")  # analyses columns holding JSON


def fold(value: str | None) -> str:
    """Case, accents and spacing folded: "  JOSÉ  Pérez" and "jose perez" are one buyer."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


class Hasher:
    """Keyed hashes of buyer names and order ids: `forget` can find them, nobody can read them."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, value: str | None) -> str | None:
        """The keyed hash of a name or id, the same whatever its accents, case and spacing."""
        return self._digest(fold(value)) if value and fold(value) else None

    def legacy(self, value: str | None) -> str | None:
        """The hash of stores written before accents were folded (case only), so `forget` finds those."""
        return self._digest(value.strip().casefold()) if value and value.strip() else None

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def names(self, name: str | None) -> list[str]:
        """Hashes of each word of a name (accents and case folded), sorted."""
        return sorted({h for token in name_tokens(name or "") if (h := self(token))})


@dataclass(frozen=True)
class Prepared:
    """The CPU-heavy part of recording an analysis (redaction, hashing), done off the event loop."""

    text: str
    product: str | None
    order_in_text: str | None
    name_keys: list[str]


def prepare(text: str, context: Mapping[str, str | None], hasher: Hasher) -> Prepared:
    """Redact the buyer's text (PII, and the buyer's own name) and product; hash the name's words."""
    name = context.get("buyer_name")
    names = [name] if name else []
    product = context.get("product")
    return Prepared(
        text=redact(text, names)[:TEXT_LIMIT],
        product=redact(product, names)[:200] if product else None,
        order_in_text=order_id_in(text),
        name_keys=hasher.names(name),
    )


def prepare_final_text(text: str, name_keys: list[str], hasher: Hasher) -> str:
    """The agent's sent reply redacted: PII, and any word that hashes to a word of the buyer's name."""
    return redact_names(redact(text), set(name_keys), hasher)[:TEXT_LIMIT]


def _private_file(path: Path) -> None:
    """Create `path` (and tighten an existing one) with mode 0600 before SQLite opens it."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


class StoreError(RuntimeError):
    """The store cannot be written (disk full, read-only, corrupt); the message says what to do."""


def now() -> datetime:
    """Current UTC time (one place, so tests and retention agree)."""
    return datetime.now(UTC)


class Store:
    """One SQLite file; every public write is one committed transaction."""

    def __init__(self, path: Path, key: bytes, store_text: bool = True, retention_days: int = 90) -> None:
        self.path, self.hasher = path, Hasher(key)
        self.store_text, self.retention = store_text, timedelta(days=retention_days)
        _private_file(path)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten, not left in free pages
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: a committed write survives a process crash
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        self.db = sqlite_utils.Database(conn)
        self.migrate()

    def migrate(self) -> int:
        """Apply pending migrations (PRAGMA user_version counts the applied ones)."""
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        for n, sql in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._write():
                self.db.execute(sql)
                self.db.execute(f"PRAGMA user_version = {n}")
        return len(MIGRATIONS)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A transaction that turns SQLite failures into a StoreError naming the fix."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except sqlite3.DatabaseError as exc:
            self._end("ROLLBACK")
            raise StoreError(
                f"cannot write {self.path}: {exc}. Free disk space or check the file's permissions."
            ) from exc
        except BaseException:
            self._end("ROLLBACK")
            raise
        self._end("COMMIT")

    def _end(self, statement: str) -> None:
        if self.db.conn.in_transaction:  # SQLite ends a transaction itself on SQLITE_FULL
            self.db.execute(statement)

    def _insert(self, table: str, row: Mapping[str, Any]) -> None:
        """One row by a statement SQLite prepares once per connection (sqlite-utils' `insert` reads the
        table's schema on every call: half the cost of recording an analysis)."""
        names = ", ".join(row)
        self.db.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in row)})", row)

    def _hash(self, value: str | None) -> str | None:
        return self.hasher(value)

    def record_analysis(
        self,
        result: Mapping[str, Any],
        text: str,
        site: str | None,
        context: Mapping[str, str | None],
        prepared: Prepared | None = None,
    ) -> None:
        """Keep one `/v1/analyze` answer (redacted; `prepared` when that was done off the event loop)."""
        done = prepared or prepare(text, context, self.hasher)
        intents = result["intents"]
        row = {
            "trace_id": result["trace_id"],
            "ts": now().isoformat(timespec="seconds"),
            "site": site,
            "marketplace": result.get("marketplace"),
            "lang": result["language"]["code"],
            "locale": result["language"]["locale"],
            "intent": intents[0]["id"] if intents else None,
            "intent_score": intents[0]["score"] if intents else None,
            "intents": json.dumps([{"id": i["id"], "score": i["score"]} for i in intents]),
            "handoff": int(result["handoff"]["required"]),
            "handoff_reasons": json.dumps(result["handoff"]["reasons"]),
            "urgency": result["urgency"],
            "sentiment": result["sentiment"],
            "suggestions": json.dumps([s["template_id"] for s in result["suggestions"]]),
            "product": done.product,
            "buyer_key": self._hash(context.get("buyer_name")),
            "order_key": self._hash(context.get("order_id") or done.order_in_text),
            "text": done.text if self.store_text else None,
            "due": (result.get("deadline") or {}).get("due"),
            "name_keys": json.dumps(done.name_keys) if done.name_keys else None,
        }
        with self._write():
            self._insert("analyses", row)

    def has_trace(self, trace_id: str) -> bool:
        """Whether an analysis with this trace id is stored."""
        return bool(self.db.execute("SELECT 1 FROM analyses WHERE trace_id = ?", [trace_id]).fetchone())

    def name_keys(self, trace_id: str) -> list[str]:
        """Hashes of the words of the buyer's name of one analysis (empty when unknown)."""
        row = self.db.execute("SELECT name_keys FROM analyses WHERE trace_id = ?", [trace_id]).fetchone()
        return list(json.loads(row[0])) if row and row[0] else []

    def record_feedback(
        self,
        trace_id: str,
        action: str,
        template_id: str | None,
        intent: str | None,
        final_text: str | None,
        redacted: str | None = None,
    ) -> None:
        """Keep one agent action on a shown analysis (`redacted`: the final text, redacted off the loop)."""
        if final_text and redacted is None:
            redacted = prepare_final_text(final_text, self.name_keys(trace_id), self.hasher)
        row = {
            "trace_id": trace_id,
            "ts": now().isoformat(timespec="seconds"),
            "action": action,
            "template_id": template_id,
            "intent": intent,
            "final_text": redacted if final_text and self.store_text else None,
        }
        with self._write():
            self._insert("feedback", row)

    def purge(self) -> int:
        """Delete what is older than the retention period; returns the number of analyses deleted."""
        cutoff = (now() - self.retention).isoformat(timespec="seconds")
        with self._write():
            self.db.execute("DELETE FROM feedback WHERE ts < ?", [cutoff])
            removed = int(self.db.execute("DELETE FROM analyses WHERE ts < ?", [cutoff]).rowcount)
        if removed:
            self.checkpoint()
        return removed

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it (deleted text leaves no copy behind there)."""
        busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    def forget(
        self,
        buyer_name: str | None = None,
        order_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
        everything: bool = False,
    ) -> int:
        """Delete matching analyses and their feedback (data-subject request); returns analyses deleted."""
        where, args = self._filter(buyer_name, order_id, since, until)
        if not where and not everything:
            raise ValueError("say what to forget: a buyer name, an order id, a date range, or everything")
        clause = " AND ".join(where) or "1"
        with self._write():
            removed = int(self.db.execute(f"DELETE FROM analyses WHERE {clause}", args).rowcount)
        self.checkpoint()
        return removed

    def _filter(
        self, buyer_name: str | None, order_id: str | None, since: str | None, until: str | None
    ) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("buyer_key", buyer_name), ("order_key", order_id)):
            keys = {k for k in (self.hasher(value), self.hasher.legacy(value)) if k}
            if keys:
                where.append(f"{column} IN ({', '.join('?' * len(keys))})")
                args.extend(sorted(keys))
        if since:
            where.append("ts >= ?")
            args.append(since)
        if until:
            where.append("ts < ?")
            args.append(until)
        return where, args

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """Everything stored, as JSON-ready rows (columns that hold JSON come back as JSON, not text)."""
        out = {table: list(self.db[table].rows) for table in ("analyses", "feedback")}
        for row in out["analyses"]:
            for column in JSON_COLUMNS:
                if isinstance(row.get(column), str):
                    row[column] = json.loads(row[column])
        return out

    def stats(self, since: str | None = None) -> dict[str, Any]:
        """Headline figures: messages, hand-offs, intents, and what agents did with suggestions."""
        cutoff = since or "0000"
        q = self.db.execute
        total, handoffs = q(
            "SELECT count(*), coalesce(sum(handoff), 0) FROM analyses WHERE ts >= ?", [cutoff]
        ).fetchone()
        intents = q(
            "SELECT coalesce(intent, '(abstain)'), count(*) FROM analyses WHERE ts >= ? "
            "GROUP BY 1 ORDER BY 2 DESC",
            [cutoff],
        ).fetchall()
        actions = q(
            "SELECT f.action, count(*) FROM feedback f JOIN analyses a USING (trace_id) "
            "WHERE a.ts >= ? GROUP BY 1",
            [cutoff],
        ).fetchall()
        return {
            "messages": total,
            "handoffs": handoffs,
            "intents": dict(intents),
            "actions": {a: n for a, n in actions},
        }

    def corrections(self) -> Iterable[tuple[str, str, str]]:
        """(redacted text, language, corrected intent) for every 'wrong intent' correction with text."""
        rows = self.db.execute(
            "SELECT a.text, a.lang, f.intent FROM feedback f JOIN analyses a USING (trace_id) "
            "WHERE f.action = 'corrected' AND a.text IS NOT NULL AND f.intent IS NOT NULL ORDER BY f.id"
        )
        yield from ((text, lang, intent) for text, lang, intent in rows.fetchall())

    def correction_rows(self) -> list[dict[str, Any]]:
        """Every 'wrong intent' correction with its redacted text, for sharing with the team (`team sync`):
        trace id, date, text, language, locale, site and the right intent."""
        rows = self.db.execute(
            "SELECT a.trace_id, f.ts, a.text, a.lang, a.locale, a.site, f.intent FROM feedback f "
            "JOIN analyses a USING (trace_id) WHERE f.action = 'corrected' AND a.text IS NOT NULL "
            "AND f.intent IS NOT NULL ORDER BY f.id"
        )
        keys = ("trace_id", "ts", "text", "lang", "locale", "site", "intent")
        return [dict(zip(keys, row, strict=True)) for row in rows.fetchall()]

    def confirmed(self, limit: int = 500) -> Iterable[tuple[str, str, str]]:
        """(redacted text, language, intent) of the newest analyses whose suggestion an agent inserted and
        whose intent nobody corrected: labels the agents implicitly confirmed."""
        rows = self.db.execute(
            "SELECT a.text, a.lang, a.intent FROM analyses a "
            "WHERE a.text IS NOT NULL AND a.intent IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM feedback f WHERE f.trace_id = a.trace_id AND f.action = 'inserted') "
            "AND NOT EXISTS "
            "(SELECT 1 FROM feedback f WHERE f.trace_id = a.trace_id AND f.action = 'corrected') "
            "ORDER BY a.id DESC LIMIT ?",
            [limit],
        )
        yield from ((text, lang, intent) for text, lang, intent in rows.fetchall())

    def sent_texts(self) -> Iterable[tuple[str, str, str, str | None]]:
        """(redacted final text, locale, intent, marketplace) of every edited suggestion agents sent.

        The intent is the agent's correction when there is one, else the predicted main intent. A reply to
        two intents (its template id "a.es-MX.1+b.es-MX.1") is no template for one: it is left out."""
        rows = self.db.execute(
            "SELECT f.final_text, a.locale, COALESCE((SELECT c.intent FROM feedback c WHERE c.trace_id = "
            "f.trace_id AND c.action = 'corrected' ORDER BY c.id DESC LIMIT 1), a.intent), a.marketplace "
            "FROM feedback f JOIN analyses a USING (trace_id) WHERE f.action = 'edited' "
            "AND f.final_text IS NOT NULL AND a.locale IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feedback j "
            "WHERE j.trace_id = f.trace_id AND instr(j.template_id, '+') > 0) ORDER BY f.id"
        )
        yield from ((t, loc, i, m) for t, loc, i, m in rows.fetchall() if i)

    def integrity(self) -> str:
        """Result of PRAGMA integrity_check ('ok' when healthy)."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        """Checkpoint the WAL (truncating it) and close."""
        try:
            self.checkpoint()
        except sqlite3.Error:
            pass  # read-only or busy: SQLite checkpoints on the next open
        self.db.conn.close()
