"""What the worker processes run: recognition plus the redaction and hashing of what will be stored."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from proxy.carry import Read
from proxy.engine import Engine
from proxy.store import Hasher, Prepared, prepare, prepare_final_text

AnalyzeArgs = tuple[
    str, str | None, str | None, Mapping[str, str | None], str, Sequence[tuple[str, str]], datetime | None
]  # text, site, locale, context, ui_lang, thread, received_at
log = logging.getLogger("responde.jobs")
Answer = tuple[dict[str, Any], Prepared | None]


def make_jobs(engine: Engine, hasher: Hasher | None) -> dict[str, Callable[..., Any]]:
    """The job table of the worker pool, for one engine (and the store's hasher, when there is a store)."""

    def answer(call: AnalyzeArgs, read: Read | None = None) -> Answer:
        text, site, locale, context, ui_lang, thread, received_at = call
        result = engine.analyze(text, site, locale, context, ui_lang, thread, received_at, read=read)
        return result, prepare(text, context, hasher) if hasher is not None else None

    def analyze(*call: Any) -> Answer:
        return answer(call)  # the handler sends an AnalyzeArgs

    def analyze_many(calls: Sequence[AnalyzeArgs]) -> list[tuple[str, Any]]:
        """`analyze` of several requests, read in one batch (with what their threads add): ("ok", answer) or
        ("error", exception type) for each, so that a request that fails fails alone."""
        try:
            reads: Sequence[Read | None] = engine.read(
                [c[0] for c in calls], [c[1] for c in calls], [c[2] for c in calls], [c[5] for c in calls]
            )
        except Exception as exc:  # noqa: BLE001 - then each request is read alone and only a bad one fails
            log.warning(
                "%d requests could not be read together (%s); reading each alone",
                len(calls),
                type(exc).__name__,
            )
            reads = [None] * len(calls)
        answers: list[tuple[str, Any]] = []
        for call, read in zip(calls, reads, strict=True):
            try:
                answers.append(("ok", answer(call, read)))
            except Exception as exc:  # noqa: BLE001 - reported by type only (no buyer text)
                answers.append(("error", type(exc).__name__))
        return answers

    def final_text(text: str, name_keys: list[str]) -> str:
        return prepare_final_text(text, name_keys, hasher or Hasher(b""))

    return {"analyze": analyze, "analyze_many": analyze_many, "final_text": final_text}
