"""`responde classify`: JSON Lines of messages in, analyze answers out, in input order, on every core
(worker processes forked once the engine is loaded, so they share its models)."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from proxy.api_models import ClassifyLine
from proxy.engine import Engine

CHUNK = 32
_engine: Engine | None = None  # set before the workers fork; each worker reads its inherited copy


def answer(item: tuple[int, str]) -> tuple[str, bool]:
    """One output line for input line (number, text), and whether it was read."""
    n, line = item
    assert _engine is not None
    try:
        row = ClassifyLine.model_validate_json(line)
    except ValidationError as exc:
        problem = exc.errors()[0]
        return json.dumps(
            {"line": n, "error": f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}"}
        ), False
    result: dict[str, Any] = {"id": row.id}
    result.update(
        _engine.analyze(
            row.text,
            row.site,
            row.locale,
            row.context.model_dump(),
            row.ui_lang,
            [(m.author, m.text) for m in row.thread],
            row.received_at,
        )
    )
    result["setup_required"] = _engine.rules.needs_setup  # as the server answers: no demo store's replies
    if _engine.rules.needs_setup:
        result["suggestions"] = []
    return json.dumps(result, ensure_ascii=False), True


def classify(engine: Engine, lines: Iterable[tuple[int, str]], workers: int) -> Iterator[tuple[str, bool]]:
    """Answers in input order; `workers` processes (one means in this process)."""
    global _engine
    _engine = engine
    if engine.recognizer.embedder is not None:  # the same answers whatever the number of workers
        engine.recognizer.embedder.load()  # before the fork: the workers share the weights
    if workers <= 1:
        yield from map(answer, lines)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(answer, lines, chunksize=CHUNK)
