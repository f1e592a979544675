"""The hand-off stage: the stacked head decides from the cheap hand-off score, the intent model's
probabilities, the tone cues and the length, against the threshold set on held-out rows; the hard rules
stand beside it (`proxy/nlp/handoff.py`, `proxy/nlp/learn_handoff.py`)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
from conftest import SHARED

from proxy.engine import Engine
from proxy.nlp import metrics
from proxy.nlp.handoff import handoff_score, stack_features
from proxy.nlp.learn_handoff import STACK_PRECISION
from proxy.nlp.model import softmax
from proxy.nlp.pipeline import Recognizer, intent_probs, read_text, unsure_of_intent


def dev_texts() -> list[str]:
    """Pairs of dev messages: texts the model never trained on (dev itself is training data, its scores
    are far from any threshold)."""
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    pick = random.Random(6)
    return [f"{pick.choice(texts)} {pick.choice(texts)}" for _ in range(1500)]


def by_stage(r: Recognizer, texts: list[str]) -> list[tuple[float, float, bool]]:
    """Each message's cheap hand-off score, its stacked score and whether it was encoded, computed stage
    by stage, one message at a time, from the model's arrays."""
    m = r.model
    out = []
    for raw in texts:
        text = read_text(raw)
        x = m.featurizer.transform(text.normalized, text.clean)
        s, tone = m.score(x), r.tone.detect(text.clean, text.normalized)
        cheap = softmax(s.intent, m.thresholds.temperature)
        unsure = unsure_of_intent(m, cheap) and r.embedder is not None
        dense = r.embedder.encode([text.clean])[0] if unsure and r.embedder is not None else None
        probs = intent_probs(m, [x], [cheap], [dense])[0]
        h = handoff_score(m, s, tone)
        row = stack_features([h], probs, tone.vector(), [len(text.clean)])
        stacked = float((row @ m.handoff_stack.weights + m.handoff_stack.bias)[0, 0])
        out.append((h, stacked, unsure))
    return out


def learned(reasons: tuple[str, ...]) -> bool:
    return "model" in reasons or "tone:negative" in reasons


def test_the_stacked_score_decides_against_its_threshold(engine: Engine) -> None:
    r = engine.recognizer
    t = r.model.thresholds.handoff
    texts = dev_texts()
    parts = by_stage(r, texts)
    for reading, (_, stacked, unsure) in zip(r.read_many(texts), parts, strict=True):
        assert reading.handoff.score == round(stacked, 3) and learned(reading.handoff.reasons) is (
            stacked >= t
        )
        assert reading.embedded is unsure  # the encoder runs for the intent only
    # not vacuous: the words' score alone, cut to hand off as many messages, decides otherwise for some
    cheap = np.array([c for c, _, _ in parts])
    said = np.array([s >= t for _, s, _ in parts])
    alone = cheap >= np.sort(cheap)[::-1][int(said.sum()) - 1]
    assert int((said != alone).sum()) >= 20


def test_the_stacked_head_weighs_the_intent(engine: Engine) -> None:
    """The same cheap score, cues and length weigh more with a refund than with a shipping question."""
    m = engine.model
    k = len(m.intents)

    def score(intent: str) -> float:
        probs = np.zeros(k, np.float32)
        probs[m.intents.index(intent)] = 1.0
        row = stack_features([0.0], probs, [0.0] * 8, [80])
        return float((row @ m.handoff_stack.weights + m.handoff_stack.bias)[0, 0])

    assert score("refund") > score("shipping_info") + 1.0
    assert score("complaint") > score("product_info") + 1.0


def test_until_the_encoder_has_loaded_the_hand_off_still_reads_the_cheap_intent(engine: Engine) -> None:
    """A server answers before its sentence encoder has loaded: the stacked score then reads the cheap
    intent model's probabilities."""
    r = engine.recognizer
    alone = replace(r, embedder=None)
    texts = dev_texts()[:300]
    readings = alone.read_many(texts)
    assert [rd.handoff.score for rd in readings] == [round(s, 3) for _, s, _ in by_stage(alone, texts)]
    assert not any(rd.embedded for rd in readings)


def test_the_training_report_gives_the_decision_on_held_out_rows(engine: Engine) -> None:
    """The threshold keeps the whole decision (hard rules or head) at STACK_PRECISION on the held-out
    rows' cross-validated scores."""
    report = engine.model.report
    assert STACK_PRECISION <= float(report["handoff_precision"]) < STACK_PRECISION + 0.03  # type: ignore[arg-type]
    assert float(report["handoff_recall"]) > 0.9  # type: ignore[arg-type]


def test_the_decision_threshold_counts_the_forced_rows() -> None:
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    gold = np.array([True, True, False, True, False, False])
    forced = np.array([False, False, False, False, False, True])  # a false alarm of the hard rules
    assert metrics.threshold_for_decision(scores, gold, forced, 0.5) == 1.0
    assert metrics.threshold_for_decision(scores, gold, np.zeros(6, bool), 0.5) == 0.0
    assert metrics.threshold_for_decision(scores, gold, forced, 0.9) == 5.0  # none reaches it: the top
