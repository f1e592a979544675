"""The dashboard's tables: intents per day and site, per listing, what agents did with suggestions, and
the unanswered messages by urgency and marketplace deadline."""

from __future__ import annotations

from typing import Any

import sqlite_utils

TABLES = {
    "per_day": (
        "SELECT substr(a.ts, 1, 10) AS day, coalesce(a.intent, '(abstain)') AS intent,"
        " count(*) AS messages, sum(a.handoff) AS handoffs"
        " FROM analyses a WHERE {cond} GROUP BY 1, 2 ORDER BY 1, 2"
    ),
    "per_site": (
        "SELECT coalesce(a.site, '') AS site, count(*) AS messages, sum(a.handoff) AS handoffs"
        " FROM analyses a WHERE {cond} GROUP BY 1 ORDER BY 2 DESC"
    ),
    "per_product": (
        "SELECT a.product AS product, coalesce(a.intent, '(abstain)') AS intent, count(*) AS messages"
        " FROM analyses a WHERE {cond} AND a.product IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 50"
    ),
    "outcomes": (
        "SELECT coalesce(a.intent, '(abstain)') AS intent, a.locale AS locale,"
        " count(DISTINCT a.trace_id) AS shown,"
        " count(DISTINCT CASE WHEN f.action = 'inserted' THEN a.trace_id END) AS inserted,"
        " count(DISTINCT CASE WHEN f.action = 'edited' THEN a.trace_id END) AS edited,"
        " count(DISTINCT CASE WHEN f.action = 'dismissed' THEN a.trace_id END) AS dismissed,"
        " count(DISTINCT CASE WHEN f.action = 'corrected' THEN a.trace_id END) AS corrected"
        " FROM analyses a LEFT JOIN feedback f USING (trace_id) WHERE {cond} GROUP BY 1, 2 ORDER BY 3 DESC"
    ),
    "deadlines": (
        "SELECT a.site AS site, a.product AS product, coalesce(a.intent, '(abstain)') AS intent,"
        " a.urgency AS urgency, a.handoff AS handoff, a.due AS due FROM analyses a"
        " WHERE {cond} AND a.due IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feedback f"
        " WHERE f.trace_id = a.trace_id AND f.action IN ('inserted', 'edited', 'handoff_confirmed'))"
        " ORDER BY a.urgency = 'high' DESC, a.due LIMIT 50"
    ),
}


def dashboard(
    db: sqlite_utils.Database, since: str | None, until: str | None, site: str | None
) -> dict[str, list[dict[str, Any]]]:
    """Every dashboard table for a date range (YYYY-MM-DD, `until` exclusive) and optionally one site."""
    where, args = ["a.ts >= ?", "a.ts < ?"], [since or "0000", until or "9999"]
    if site:
        where.append("a.site = ?")
        args.append(site)
    cond = " AND ".join(where)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, sql in TABLES.items():
        cursor = db.execute(sql.format(cond=cond), args)
        columns = [c[0] for c in cursor.description]
        out[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return out
