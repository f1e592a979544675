"""Evaluation of the engine on labelled JSON Lines: intent, language and hand-off metrics."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from proxy.engine import Engine
from proxy.nlp.corpus import Example
from proxy.nlp.metrics import ece

NONE = "(abstain)"


def prf(gold: Sequence[str], pred: Sequence[str], label: str) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and support of one label."""
    tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp + fn


TAXONOMY_HANDOFF = ("refund", "damaged_defective", "complaint")  # the measure's gold, not the seller's rules


def gold_handoff(ex: Example, sensitive: Iterable[str] = TAXONOMY_HANDOFF) -> bool:
    """A labelled message needs a person when it has a sensitive intent or a negative tone."""
    return ex.negative or bool(set(ex.intents) & set(sensitive))


def predict_rows(engine: Engine, examples: Iterable[Example], batch: int = 64) -> list[dict[str, Any]]:
    """Per-example predictions needed by `report`, recognised `batch` at a time (`examples` may be a
    progress bar)."""
    rows = []
    it = iter(examples)
    while chunk := list(itertools.islice(it, batch)):
        found = engine.recognise_many([ex.text for ex in chunk], [ex.site for ex in chunk])
        rows += [
            {
                "example": ex,
                "lang": r.language.code,
                "locale": r.language.locale,
                "intents": [i.id for i in r.intents],
                "score": r.confidence,
                "handoff": r.handoff.required,
                "handoff_score": r.handoff.score,
                "embedded": r.embedded,
            }
            for ex, r in zip(chunk, found, strict=True)
        ]
    return rows


def recall_precision(gold: Sequence[bool], said: Sequence[bool]) -> tuple[float | None, float | None]:
    """Recall and precision of a yes/no decision (None where undefined)."""
    tp = sum(g and s for g, s in zip(gold, said, strict=True))
    return (round(tp / sum(gold), 4) if sum(gold) else None, round(tp / sum(said), 4) if sum(said) else None)


def two_intents(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Two-intent messages answered with both intents (recall), two-intent answers both right (precision)."""
    gold = [len(r["example"].intents) == 2 for r in rows]
    said = [len(r["intents"]) == 2 for r in rows]
    right = [set(r["intents"]) == set(r["example"].intents) for r in rows]
    recall = sum(g and s and ok for g, s, ok in zip(gold, said, right, strict=True))
    precision = sum(
        s and set(r["intents"]) <= set(r["example"].intents) for s, r in zip(said, rows, strict=True)
    )
    return {
        "recall": round(recall / sum(gold), 4) if sum(gold) else None,
        "precision": round(precision / sum(said), 4) if sum(said) else None,
    }


def report(rows: list[dict[str, Any]], sensitive: Iterable[str] = TAXONOMY_HANDOFF) -> dict[str, Any]:
    """Main-intent accuracy, macro-F1, per-intent table, confusions, language and hand-off figures."""
    sensitive = list(sensitive)
    gold = [r["example"].intents[0] for r in rows]
    pred = [r["intents"][0] if r["intents"] else NONE for r in rows]
    labels = sorted(set(gold))
    per_intent = {}
    for label in labels:
        p, r, f, n = prf(gold, pred, label)
        per_intent[label] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "support": n}
    answered = [(g, p) for g, p in zip(gold, pred, strict=True) if p != NONE]
    gh = [gold_handoff(r["example"], sensitive) for r in rows]
    ph = [r["handoff"] for r in rows]
    handoff_recall, handoff_precision = recall_precision(gh, ph)
    by_lang = {
        lang: dict(zip(("recall", "precision"), recall_precision(*zip(*pairs, strict=True)), strict=True))
        for lang in sorted({r["example"].lang for r in rows if r["example"].lang})
        if (pairs := [(g, p) for g, p, r in zip(gh, ph, rows, strict=True) if r["example"].lang == lang])
    }
    conf = np.array([r["score"] for r in rows])
    correct = np.array([g == p for g, p in zip(gold, pred, strict=True)])
    any_hit = sum(bool(set(r["intents"]) & set(r["example"].intents)) for r in rows)
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    lang_rows = [r for r in rows if r["example"].lang]
    return {
        "n": len(rows),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows), 4),
        "macro_f1": round(sum(v["f1"] for v in per_intent.values()) / len(per_intent), 4),
        "any_intent_match": round(any_hit / len(rows), 4),
        "abstain_rate": round(1 - len(answered) / len(rows), 4),
        "accuracy_when_answered": round(sum(g == p for g, p in answered) / len(answered), 4)
        if answered
        else 0.0,
        "language_accuracy": round(sum(r["lang"] == r["example"].lang for r in lang_rows) / len(lang_rows), 4)
        if lang_rows
        else None,
        "locale_accuracy": round(
            sum(r["locale"] == r["example"].locale for r in lang_rows if r["example"].locale)
            / max(1, sum(1 for r in lang_rows if r["example"].locale)),
            4,
        ),
        "handoff_recall": handoff_recall,
        "handoff_precision": handoff_precision,
        "handoff_by_language": by_lang,
        "two_intents": two_intents(rows),
        "ece": round(ece(conf, correct), 4),
        "embedding_share": round(sum(bool(r.get("embedded")) for r in rows) / len(rows), 4),
        "per_intent": per_intent,
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(15)],
    }


def format_report(rep: dict[str, Any]) -> str:
    """Human-readable summary for the terminal."""
    lines = [
        f"messages            {rep['n']}",
        f"main-intent accuracy {rep['accuracy']:.4f}   macro-F1 {rep['macro_f1']:.4f}",
        f"abstain rate        {rep['abstain_rate']:.4f}   "
        f"accuracy when answered {rep['accuracy_when_answered']:.4f}",
        f"language accuracy   {rep['language_accuracy']}   locale accuracy {rep['locale_accuracy']}",
        f"hand-off recall     {rep['handoff_recall']}   precision {rep['handoff_precision']}   "
        + "  ".join(f"{k}: {v['recall']}/{v['precision']}" for k, v in rep["handoff_by_language"].items()),
        f"two intents recall  {rep['two_intents']['recall']}   precision {rep['two_intents']['precision']}",
        f"calibration ECE     {rep['ece']}   sentence encoder read {rep['embedding_share']:.1%}",
        "",
        f"{'intent':20s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'n':>5s}",
    ]
    for label, v in rep["per_intent"].items():
        lines.append(f"{label:20s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['support']:5d}")
    lines.append("")
    lines.append("top confusions (gold -> predicted):")
    lines += [f"  {c['gold']} -> {c['predicted']}: {c['count']}" for c in rep["confusions"]]
    return "\n".join(lines)
