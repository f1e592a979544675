"""The hand-off stage's two steps: the cheap score decides, unless it lies near its threshold; there the
score with the sentence embedding decides, against its own threshold (`proxy/nlp/handoff.py`)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
from conftest import SHARED

from proxy.engine import Engine
from proxy.nlp.choose import HANDOFF_BAND
from proxy.nlp.features import Sparse
from proxy.nlp.handoff import handoff_score, near_threshold
from proxy.nlp.model import Scores, softmax
from proxy.nlp.pipeline import Recognizer, Text, read_text, unsure_of_intent
from proxy.nlp.tone import Tone


def dev_texts() -> list[str]:
    """Pairs of dev messages: texts the model never trained on (dev itself is training data, its scores
    are far from any threshold)."""
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    pick = random.Random(6)
    return [f"{pick.choice(texts)} {pick.choice(texts)}" for _ in range(1500)]


def stages(r: Recognizer, texts: list[str]) -> list[tuple[Text, Sparse, Scores, Tone]]:
    """Each message read, its features, its heads' sparse scores and its tone, computed stage by stage."""
    out = []
    for raw in texts:
        text = read_text(raw)
        x = r.model.featurizer.transform(text.normalized, text.clean)
        out.append((text, x, r.model.score(x), r.tone.detect(text.clean, text.normalized)))
    return out


def cheap_scores(r: Recognizer, texts: list[str]) -> list[float]:
    """Each message's cheap hand-off score."""
    return [handoff_score(r.model, s, tone) for _, _, s, tone in stages(r, texts)]


def scores(r: Recognizer, texts: list[str]) -> list[tuple[float, float]]:
    """Each message's hand-off scores without and with its sentence embedding."""
    assert r.embedder is not None
    parts = stages(r, texts)
    encoded = r.embedder.encode([text.clean for text, _, _, _ in parts])
    out = []
    for (_, x, s, tone), dense in zip(parts, encoded, strict=True):
        full = r.model.handoff_full.scores(x, np.array(tone.vector(), np.float32), dense)
        out.append((handoff_score(r.model, s, tone), float(full[0])))
    return out


def test_the_embedding_decides_near_the_threshold_and_only_there(engine: Engine) -> None:
    r = engine.recognizer
    t = r.model.thresholds
    assert t.handoff_band == HANDOFF_BAND
    texts = dev_texts()
    changed = near = 0
    for reading, (cheap, full) in zip(r.read_many(texts), scores(r, texts), strict=True):
        learned = "model" in reading.handoff.reasons or "tone:negative" in reading.handoff.reasons
        if abs(cheap - t.handoff) < t.handoff_band:  # near: the score with the embedding, its own threshold
            assert reading.embedded and reading.handoff.score == round(full, 3)
            assert learned is (full >= t.handoff_full)
            near += 1
            changed += (full >= t.handoff_full) != (cheap >= t.handoff)
        else:  # far: the cheap score, against the cheap threshold
            assert reading.handoff.score == round(cheap, 3) and learned is (cheap >= t.handoff)
    assert near >= 20 and changed >= 3  # not vacuous: the embedding changed some decisions


def test_a_message_near_the_hand_off_threshold_is_encoded_though_its_intent_is_sure(engine: Engine) -> None:
    r = engine.recognizer
    m = r.model
    texts = dev_texts()
    for raw, (_, _, s, tone) in zip(texts, stages(r, texts), strict=True):
        cheap = softmax(s.intent, m.thresholds.temperature)
        if near_threshold(m, handoff_score(m, s, tone)) and not unsure_of_intent(m, cheap):
            assert r.read(raw).embedded
            return
    raise AssertionError("no dev message near the hand-off threshold with a sure intent")


def test_until_the_encoder_has_loaded_the_cheap_score_decides_alone(engine: Engine) -> None:
    """A server answers before its sentence encoder has loaded: every message then gets the cheap score."""
    r = engine.recognizer
    alone = replace(r, embedder=None)
    texts = dev_texts()
    readings = alone.read_many(texts)
    assert [rd.handoff.score for rd in readings] == [round(c, 3) for c in cheap_scores(r, texts)]
    assert not any(rd.embedded for rd in readings)


def test_the_training_report_gives_the_two_step_decision(engine: Engine) -> None:
    """Thresholds and figures from held-out scores: the two steps together keep held-out precision at 0.80
    or more, and the embedding decides for a minority of the messages."""
    report = engine.model.report
    assert 0.80 <= float(report["handoff_precision"]) < 0.85  # type: ignore[arg-type]
    assert 0.03 < float(report["handoff_embedding_share"]) < 0.25  # type: ignore[arg-type]
