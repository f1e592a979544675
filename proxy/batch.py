"""`responde classify`: JSON Lines of messages in, analyze answers out, in input order, on every core
(worker processes forked once the engine is loaded, so they share its models). Each worker reads a chunk
of lines at a time and recognises its messages, with what their threads add, in one batch (`Engine.read`)."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from proxy.api_models import ClassifyLine
from proxy.engine import Engine

CHUNK = 64  # lines per batch: enough for the sentence encoder to batch the messages it reads
_engine: Engine | None = None  # set before the workers fork; each worker reads its inherited copy


def _error(n: int, exc: ValidationError) -> str:
    problem = exc.errors()[0]
    return json.dumps({"line": n, "error": f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}"})


def answer_chunk(chunk: Sequence[tuple[int, str]]) -> list[tuple[str, bool]]:
    """The output lines for input lines (number, text), and whether each was read."""
    assert _engine is not None
    rows: list[ClassifyLine | str] = []
    for n, line in chunk:
        try:
            rows.append(ClassifyLine.model_validate_json(line))
        except ValidationError as exc:
            rows.append(_error(n, exc))
    valid = [row for row in rows if isinstance(row, ClassifyLine)]
    threads = [[(m.author, m.text) for m in r.thread] for r in valid]
    reads = iter(
        _engine.read([r.text for r in valid], [r.site for r in valid], [r.locale for r in valid], threads)
    )
    out: list[tuple[str, bool]] = []
    for row in rows:
        if isinstance(row, str):
            out.append((row, False))
            continue
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
                read=next(reads),
            )
        )
        result["setup_required"] = _engine.rules.needs_setup  # as the server answers: no demo store's replies
        if _engine.rules.needs_setup:
            result["suggestions"] = []
        out.append((json.dumps(result, ensure_ascii=False), True))
    return out


def _chunks(lines: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    it = iter(lines)
    while chunk := list(itertools.islice(it, CHUNK)):
        yield chunk


def classify(engine: Engine, lines: Iterable[tuple[int, str]], workers: int) -> Iterator[tuple[str, bool]]:
    """Answers in input order; `workers` processes (one means in this process)."""
    global _engine
    _engine = engine
    if engine.recognizer.embedder is not None:  # the same answers whatever the number of workers
        engine.recognizer.embedder.load()  # before the fork: the workers share the weights
    if workers <= 1:
        for chunk in _chunks(lines):
            yield from answer_chunk(chunk)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for answers in pool.imap(answer_chunk, _chunks(lines)):
            yield from answers
