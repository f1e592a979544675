"""Recognition as a pipeline of small stages, each a function of the previous stages' output:

    clean -> normalize -> tone cues -> features -> the heads' sparse scores -> language -> intent (cascade)
    -> keywords -> second intent (with the message's sentences) -> hand-off

`Recognizer.read` only composes them. Pure: no I/O, no aiohttp, safe to call from worker processes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from proxy.nlp.clean import clean
from proxy.nlp.embed import Embedder
from proxy.nlp.features import Featurizer, Sparse
from proxy.nlp.keywords import KeywordMatcher
from proxy.nlp.language import Language, LanguageDetector
from proxy.nlp.metrics import softmax_rows
from proxy.nlp.model import Linear, Model, Scores, Vector, scores_many, softmax
from proxy.nlp.normalize import normalize
from proxy.nlp.segments import SEGMENT_WEIGHT, segments
from proxy.nlp.tone import Tone, ToneDetector

NOT_SECOND = ("greeting", "other")
WRAPPERS = ("thanks", "greeting")


@dataclass(frozen=True)
class IntentScore:
    """One recognised intent and its calibrated probability."""

    id: str
    score: float


@dataclass(frozen=True)
class Text:
    """Stage 1-2: the buyer's text as every later stage sees it."""

    clean: str
    normalized: str
    words: int


@dataclass(frozen=True)
class Handoff:
    """Whether a person must answer, and why."""

    required: bool
    reasons: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Reading:
    """Everything recognition says about one message."""

    text: Text
    language: Language
    intents: list[IntentScore]
    confidence: float  # calibrated probability of the main intent (also when abstaining)
    tone: Tone
    handoff: Handoff
    embedded: bool  # the sentence-embedding model was consulted


def read_text(raw: str) -> Text:
    """Clean (NFKC, no invisible characters) and normalize once; count the words."""
    cleaned = clean(raw)
    normalized = normalize(cleaned)
    words = sum(tok[0].isalnum() or tok[0] == "<" for tok in normalized.split())
    return Text(cleaned, normalized, words)


def language_probs(model: Model, s: Scores) -> dict[str, float]:
    """Corpus-language probabilities (es/pt/en), the learned vote beside lid.176."""
    return dict(zip(model.languages, softmax(s.language, 1.0).tolist(), strict=True))


def intent_probs(
    model: Model, x: Sparse, s: Scores, text: Text, embedder: Embedder | None
) -> tuple[Vector, bool]:
    """Calibrated intent probabilities: the cheap model, or the embedding model when the cheap one is unsure
    (and the embedder is loaded: until then the cheap model answers alone)."""
    t = model.thresholds
    probs = softmax(s.intent, t.temperature)
    if probs.max() >= t.cascade or embedder is None or not embedder.ready:
        return probs, False
    dense = embedder.encode([text.clean])[0]
    return softmax(model.intent_full.scores(x, dense), t.temperature_full), True


def with_keywords(
    model: Model, probs: Vector, keyword_scores: Mapping[str, float], intents: Collection[str]
) -> dict[str, float]:
    """Seller keyword rules override the model: an intent whose keyword matches (score 1.0 for an exact
    phrase, less for a fuzzy one) gets at least that probability — also an intent the model has never seen,
    added by the seller without retraining — and the other intents share the rest."""
    out = {i: float(p) for i, p in zip(model.intents, probs, strict=True) if i in intents}
    hits = {i: s for i, s in keyword_scores.items() if i in intents and s > 0}
    if not hits:
        return out
    top = max(hits, key=hits.__getitem__)
    floor = max(hits[top], out.get(top, 0.0))
    rest = sum(p for i, p in out.items() if i != top) or 1.0
    return {i: p / rest * (1.0 - floor) for i, p in out.items() if i != top} | {top: floor}


def sentence_scores(head: Linear, featurizer: Featurizer, cleaned: str) -> Vector | None:
    """The head's raw scores of each sentence of a message, a row each (all sentences in one batch), or
    None for a one-sentence message. Training scores its held-out messages with this too."""
    pieces = segments(cleaned)
    if len(pieces) < 2:
        return None
    return scores_many(head, featurizer.transform_many([(normalize(s), s) for s in pieces]), len(pieces))


def segment_probs(model: Model, text: Text) -> Vector | None:
    """Per intent, its best calibrated probability in any one sentence of the message (the cheap model on
    each sentence), or None for a one-sentence message."""
    scores = sentence_scores(model.intent, model.featurizer, text.clean)
    if scores is None:
        return None
    best: Vector = softmax_rows(scores, model.thresholds.temperature).max(axis=0)
    return best


def second_intent(
    model: Model, s: Scores, cues: list[float], main: str, fused: Mapping[str, float], text: Text
) -> IntentScore | None:
    """A second intent: the best one-vs-rest label besides the main one, its score raised by SEGMENT_WEIGHT
    times the intent's best probability in a sentence of its own, when that clears its threshold."""
    scores = s.labels + model.labels.tail(np.array(cues, np.float32))
    allowed = [j for j, i in enumerate(model.intents) if i != main and i not in NOT_SECOND and i in fused]
    if not allowed or scores[allowed].max() + SEGMENT_WEIGHT < model.thresholds.second:
        return None  # not even a sentence of its own could lift one over the threshold: skip that cost
    per_sentence = segment_probs(model, text)
    if per_sentence is not None:
        scores = scores + SEGMENT_WEIGHT * per_sentence
    best = max(allowed, key=lambda j: scores[j])
    if scores[best] < model.thresholds.second:
        return None
    return IntentScore(model.intents[best], round(fused[model.intents[best]], 3))


def handoff(
    model: Model, s: Scores, tone: Tone, intents: list[IntentScore], handoff_intents: Collection[str]
) -> Handoff:
    """The learned decision (trained on negative tone and the hand-off intents, threshold set by
    cross-validation), plus two hard rules: a threat (Procon, Profeco, chargeback...) and a main intent the
    seller marks `handoff: true`."""
    score = float((s.handoff + model.handoff.tail(np.array(tone.vector(), np.float32)))[0])
    reasons = [f"intent:{intents[0].id}"] if intents and intents[0].id in handoff_intents else []
    reasons += [f"threat:{t}" for t in tone.threats]
    if score >= model.thresholds.handoff:
        reasons.append("tone:negative" if tone.negative else "model")
    return Handoff(bool(reasons), tuple(reasons), round(score, 3))


@dataclass(frozen=True)
class Recognizer:
    """The stages' resources (model, lid.176, keyword and tone lists, embedder), loaded once."""

    model: Model
    lid: LanguageDetector
    keywords: KeywordMatcher
    tone: ToneDetector
    intents: tuple[str, ...]  # the intents of the rules (the model may know fewer: seller-added ones)
    handoff_intents: frozenset[str]
    embedder: Embedder | None = None
    request_first: bool = True  # the taxonomy: "arrived, thanks! do you have it in black?" is the request

    def read(self, raw: str, site: str | None = None, locale: str | None = None) -> Reading:
        """All stages for one message."""
        text = read_text(raw)
        tone = self.tone.detect(text.clean, text.normalized)
        x = self.model.featurizer.transform(text.normalized, text.clean)
        s = self.model.score(x)
        language = self.lid.detect(text.clean, site, locale, language_probs(self.model, s), text.normalized)
        probs, embedded = intent_probs(self.model, x, s, text, self.embedder)
        fused = with_keywords(
            self.model, probs, self.keywords.scores(text.normalized, language.code), self.intents
        )
        main, confidence = max(fused.items(), key=lambda kv: kv[1])
        intents: list[IntentScore] = []
        if confidence >= self.model.thresholds.abstain and text.normalized:
            intents.append(IntentScore(main, round(confidence, 3)))
            second = second_intent(self.model, s, tone.vector(), main, fused, text)
            intents += [second] if second else []
            if self.request_first and second and main in WRAPPERS and second.id not in WRAPPERS:
                intents.reverse()
        decision = handoff(self.model, s, tone, intents, self.handoff_intents)
        return Reading(text, language, intents, round(confidence, 3), tone, decision, embedded)
