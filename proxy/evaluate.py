"""Evaluation of the engine on labelled JSON Lines: intent, language and hand-off metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from proxy.engine import Engine
from proxy.nlp.corpus import Example

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


def predict_rows(engine: Engine, examples: Iterable[Example]) -> list[dict[str, Any]]:
    """Per-example predictions needed by `report`."""
    rows = []
    for ex in examples:
        found = engine.recognise(ex.text, ex.site, None)
        intents = found["intents"]
        rows.append(
            {
                "example": ex,
                "lang": found["language"].code,
                "locale": found["language"].locale,
                "intents": [i.id for i in intents],
                "score": intents[0].score if intents else 0.0,
                "handoff": engine.handoff(intents, found["tone"])["required"],
            }
        )
    return rows


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
    tp = sum(g and p for g, p in zip(gh, ph, strict=True))
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
        "handoff_recall": round(tp / sum(gh), 4) if sum(gh) else None,
        "handoff_precision": round(tp / sum(ph), 4) if sum(ph) else None,
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
        f"hand-off recall     {rep['handoff_recall']}   precision {rep['handoff_precision']}",
        "",
        f"{'intent':20s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'n':>5s}",
    ]
    for label, v in rep["per_intent"].items():
        lines.append(f"{label:20s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['support']:5d}")
    lines.append("")
    lines.append("top confusions (gold -> predicted):")
    lines += [f"  {c['gold']} -> {c['predicted']}: {c['count']}" for c in rep["confusions"]]
    return "\n".join(lines)
