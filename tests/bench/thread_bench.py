"""Conversations (`eval/threads*/`): the buyer's newest message as the server reads it with the earlier
messages of its conversation, against the same message read alone. Prints a Markdown table per set; --json
OUT."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from nlp_bench import shipped_engine  # noqa: E402

from proxy.carry import read_conversations  # noqa: E402
from proxy.engine import Engine  # noqa: E402
from proxy.evaluate import gold_handoff, report  # noqa: E402
from proxy.nlp.corpus import Example  # noqa: E402

# eval/<name>/<name>.jsonl, each with its README (the rule it judged by)
SETS = ("threads", "threads2", "threads3", "threads4")
SECOND = "second-annotator.json"  # beside a set: another reader's labels of its newest messages
KINDS = ("continues", "new")  # the newest message carries on the pending topic, or opens another
Conversation = tuple[Example, list[tuple[str, str]], str]  # the newest message, the earlier ones, its kind


def conversations(path: Path, intents: Sequence[str]) -> list[Conversation]:
    """(the newest message as a labelled example, the earlier (author, text) messages, its kind)."""
    return [(c.example, list(c.thread), c.kind) for c in read_conversations(path, intents)]


def readings(engine: Engine, convs: list[Conversation], with_thread: bool) -> list[dict[str, Any]]:
    """`evaluate.report`'s rows from full `/v1/analyze` answers, with or without the earlier messages."""
    rows = []
    for ex, thread, kind in convs:
        answer = engine.analyze(ex.text, ex.site, thread=thread if with_thread else ())
        intents = [i["id"] for i in answer["intents"]]
        rows.append(
            {
                "example": ex,
                "kind": kind,
                "lang": answer["language"]["code"],
                "locale": answer["language"]["locale"],
                "intents": intents,
                "score": answer["intents"][0]["score"] if intents else 0.0,
                "handoff": answer["handoff"]["required"],
                "from_thread": answer["intent_source"] == "thread",
            }
        )
    return rows


def second_reader(convs: list[Conversation], path: Path) -> list[dict[str, Any]]:
    """The other annotator's labels as answers, the author's as gold: how far a careful reader lands."""
    labels = {d["id"]: d for d in json.loads(path.read_text(encoding="utf-8"))}
    rows = []
    for ex, _, kind in convs:
        theirs = labels[ex.id]
        said = gold_handoff(Example(ex.text, ex.lang, tuple(theirs["intents"]), theirs["negative"]))
        row = {
            "example": ex,
            "kind": kind,
            "lang": ex.lang,
            "locale": ex.locale,
            "intents": theirs["intents"],
        }
        rows.append(row | {"score": 1.0, "handoff": said, "from_thread": False})
    return rows


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Main intent, hand-off, the two kinds apart and the share of intents taken from the thread."""
    rep = report(rows)
    keys = ("n", "accuracy", "macro_f1", "handoff_recall", "handoff_precision")
    out: dict[str, Any] = {k: rep[k] for k in keys}
    for kind in KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        right = sum(bool(r["intents"]) and r["intents"][0] == r["example"].intents[0] for r in mine)
        out[kind] = round(right / len(mine), 4) if mine else None
    out["from_thread"] = round(sum(r["from_thread"] for r in rows) / len(rows), 4)
    return out


def table(engine: Engine, name: str) -> dict[str, Any]:
    """Print one set's table: its newest messages read with their thread, alone, and by a second reader."""
    path = REPO / "eval" / name / f"{name}.jsonl"
    convs = conversations(path, list(engine.rules.intents))
    counts = {kind: sum(k == kind for _, _, k in convs) for kind in KINDS}
    readings(engine, convs[:20], True)  # warm up
    took: dict[bool, list[float]] = {}
    rows: dict[bool, list[dict[str, Any]]] = {}  # each reading's rows, from its last timed pass
    for with_thread in (True, False, True, False):  # alternating: the machine's load falls on both
        start = time.perf_counter()
        rows[with_thread] = readings(engine, convs, with_thread)
        took.setdefault(with_thread, []).append((time.perf_counter() - start) * 1000 / len(convs))
    results = {"with its thread (shipped)": figures(rows[True]), "alone": figures(rows[False])}
    if (path.parent / SECOND).exists():
        results["by a second annotator (labels only)"] = figures(second_reader(convs, path.parent / SECOND))
    print(
        f"\n| the newest message of a conversation (`eval/{name}/`, {len(convs)}: {counts['continues']} "
        f"carry on the topic, {counts['new']} open another) | accuracy (carry on / open another) | macro-F1 "
        "| hand-off recall / precision | intent taken from the thread |\n|---|---|---|---|---|"
    )
    for label, f in results.items():
        print(
            f"| read {label} | {f['accuracy']:.3f} ({f['continues']:.3f} / {f['new']:.3f}) "
            f"| {f['macro_f1']:.3f} | {f['handoff_recall']} / {f['handoff_precision']} "
            f"| {100 * f['from_thread']:.1f} % |",
            flush=True,
        )
    cost = {"with_thread_ms": min(took[True]), "alone_ms": min(took[False])}
    print(
        f"\nCost per newest message (a whole `analyze`, the best of two passes each, alternating): with its "
        f"thread {cost['with_thread_ms']:.2f} ms, alone {cost['alone_ms']:.2f} ms "
        f"(ratio {cost['with_thread_ms'] / cost['alone_ms']:.2f})."
    )
    return results | {"cost": cost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--set", choices=SETS, action="append", help="only this set (repeatable)")
    args = parser.parse_args()
    engine = shipped_engine()
    results = {name: table(engine, name) for name in args.set or SETS}
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
