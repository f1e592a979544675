"""Recognition in batches (`Engine.recognise_many`, `responde classify`, evaluation) reads every message as
the server reads it alone."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import SHARED
from live import cli

from proxy import batch
from proxy.engine import BATCH, Engine

SITES = [None, "mercadolibre.com.mx", "mercadolivre.com.br", "amazon.com", "shopee.com.br", "mercadolibre.cl"]
ODD = ["", "   ", "?!", "😭😭😭", "x" * 65536, "hola", "Obrigado!!", "a b c pero " * 6000, "Hi.\n\nWhere?"]


def messages() -> list[str]:
    """Dev messages, pairs of them (the cheap model is unsure of many, so the sentence encoder reads them,
    and many have two intents), and odd inputs."""
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    pick = random.Random(5)
    return texts[:300] + [f"{pick.choice(texts)} {pick.choice(texts)}" for _ in range(200)] + ODD


def test_a_batch_reads_each_message_as_it_is_read_alone(engine: Engine) -> None:
    # conftest's engine has its encoder loaded: the cascade's second stage runs, in batches and alone
    assert engine.recognizer.embedder is not None and engine.recognizer.embedder.ready
    texts = messages()
    sites = [SITES[i % len(SITES)] for i in range(len(texts))]
    locales = [None if i % 7 else "es-AR" for i in range(len(texts))]
    alone = [engine.recognise(t, s, loc) for t, s, loc in zip(texts, sites, locales, strict=True)]
    assert len(texts) > 2 * BATCH  # several batches, the last one short
    assert engine.recognise_many(texts, sites, locales) == alone
    # not vacuous: the batch held encoded messages, second intents, abstentions and hand-offs
    assert sum(r.embedded for r in alone) >= 20
    assert sum(len(r.intents) == 2 for r in alone) >= 20
    assert sum(not r.intents for r in alone) >= 3
    assert sum(r.handoff.required for r in alone) >= 20
    assert engine.recognise_many([]) == []


def test_classify_keeps_input_order_and_line_numbers_across_batches(models_dir: Path, tmp_path: Path) -> None:
    texts = messages()[:150]
    lines = [json.dumps({"id": n, "text": t}) if t.strip() else "{broken" for n, t in enumerate(texts)]
    lines[BATCH - 1] = lines[BATCH] = '{"id": "no text"}'  # bad lines on both sides of a batch boundary
    out = cli(["classify", "--workers", "2"], tmp_path, models_dir, "\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 1 and len(rows) == len(lines)
    for n, (line, row) in enumerate(zip(lines, rows, strict=True), 1):
        if line.startswith('{"id": "no text"') or line == "{broken":
            assert set(row) == {"line", "error"} and row["line"] == n
        else:
            assert row["id"] == json.loads(line)["id"] and row["intents"] is not None


def test_classify_reads_threads_in_its_batch_as_analyze_reads_them_alone(engine: Engine) -> None:
    """`responde classify`'s chunk reads each line's thread in the chunk's batch (`Engine.read`): the
    answers are those of `analyze` on each line alone, and some take their intent from the thread."""
    texts = messages()[:120]
    seller = ["Hola, ¿en qué te ayudo?", "Qual tamanho você quer?", "Could you send a photo?"]
    rows = []
    for n, text in enumerate(texts):
        thread = [{"author": "buyer", "text": texts[(n * 7 + 3) % len(texts)]}] if n % 2 else []
        thread += [{"author": "seller", "text": seller[n % 3]}] if n % 3 else []
        rows.append({"id": n, "text": text, "site": SITES[n % len(SITES)], "thread": thread})
    batch._engine = engine
    try:
        answers = [
            json.loads(line) for line, ok in batch.answer_chunk(list(enumerate(map(json.dumps, rows))))
        ]
    finally:
        batch._engine = None
    for row, answer in zip(rows, answers, strict=True):
        thread = [(m["author"], m["text"]) for m in row["thread"]]
        alone = engine.analyze(row["text"], row["site"], thread=thread)
        assert {k: v for k, v in answer.items() if k not in ("id", "trace_id", "setup_required")} == {
            **{k: v for k, v in alone.items() if k != "trace_id"},
            **({"suggestions": []} if engine.rules.needs_setup else {}),
        }
    assert sum(a["intent_source"] == "thread" for a in answers) >= 3
