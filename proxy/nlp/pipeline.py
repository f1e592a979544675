"""Recognition as a pipeline of small stages, each a function of the previous stages' output:

    clean -> normalize -> tone cues -> features -> the heads' sparse scores -> language -> cheap hand-off
    score -> sentence embedding (only where the intent or the hand-off is unsure) -> intent (cascade)
    -> keywords -> second intent (with the message's sentences) -> hand-off (`handoff.py`)

`Recognizer.read_many` only composes them, each stage over a batch of messages (`read` is a batch of
one): a batch shares the models' fixed costs, the sentence encoder's above all. Pure: no I/O, no aiohttp,
safe to call from worker processes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from proxy.nlp.clean import clean
from proxy.nlp.embed import Embedder
from proxy.nlp.features import Featurizer, Sparse, split_rows
from proxy.nlp.handoff import Handoff, handoff, handoff_score, near_threshold
from proxy.nlp.keywords import KeywordMatcher
from proxy.nlp.language import Language, LanguageDetector
from proxy.nlp.metrics import softmax_rows
from proxy.nlp.model import Linear, Model, Scores, Vector, scores_many, softmax
from proxy.nlp.normalize import normalize
from proxy.nlp.segments import SEGMENT_WEIGHT, segments
from proxy.nlp.tone import Tone, ToneDetector

NOT_SECOND = ("greeting", "other")


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
class Reading:
    """Everything recognition says about one message."""

    text: Text
    language: Language
    intents: list[IntentScore]
    confidence: float  # calibrated probability of the main intent (also when abstaining)
    tone: Tone
    handoff: Handoff
    embedded: bool  # the sentence encoder read the message (for the intent, the hand-off or both)

    @property
    def main(self) -> str | None:
        """The main intent's id; None when abstaining."""
        return self.intents[0].id if self.intents else None


def read_text(raw: str) -> Text:
    """Clean (NFKC, no invisible characters) and normalize once; count the words."""
    cleaned = clean(raw)
    normalized = normalize(cleaned)
    words = sum(tok[0].isalnum() or tok[0] == "<" for tok in normalized.split())
    return Text(cleaned, normalized, words)


def features(model: Model, texts: Sequence[Text]) -> list[Sparse]:
    """Each message's TF-IDF features, computed for all of them at once."""
    if len(texts) == 1:  # the server's case: the same values without the batch's bookkeeping
        return [model.featurizer.transform(texts[0].normalized, texts[0].clean)]
    batch = model.featurizer.transform_many([(t.normalized, t.clean) for t in texts])
    return split_rows(batch, len(texts))


def language_probs(model: Model, s: Scores) -> dict[str, float]:
    """Corpus-language probabilities (es/pt/en), the learned vote beside lid.176."""
    return dict(zip(model.languages, softmax(s.language, 1.0).tolist(), strict=True))


def languages(
    lid: LanguageDetector,
    model: Model,
    texts: Sequence[Text],
    ss: Sequence[Scores],
    sites: Sequence[str | None],
    locales: Sequence[str | None],
) -> list[Language]:
    """Each message's language: lid.176, the site prior and the corpus vote."""
    votes = lid.lid_many([t.clean for t in texts])
    return [
        lid.detect(t.clean, site, locale, language_probs(model, s), t.normalized, vote)
        for t, s, site, locale, vote in zip(texts, ss, sites, locales, votes, strict=True)
    ]


def unsure_of_intent(model: Model, cheap: Vector) -> bool:
    """The cheap intent model's calibrated probabilities are too low to answer alone: the cascade's second
    stage (the sentence embedding) decides."""
    return bool(cheap.max() < model.thresholds.cascade)


def wants_embedding(model: Model, cheap: Vector, handoff: float) -> bool:
    """The message is worth the sentence encoder's cost: the cheap intent model is unsure of it (`cheap`:
    its calibrated probabilities), or its cheap hand-off score is near the threshold."""
    return unsure_of_intent(model, cheap) or near_threshold(model, handoff)


def embeddings(
    embedder: Embedder | None, texts: Sequence[Text], wanted: Sequence[bool]
) -> list[Vector | None]:
    """The sentence embedding of each wanted message (all in one batch), None for the others, and for all
    until the embedder has loaded (the cheap heads then answer alone)."""
    out: list[Vector | None] = [None] * len(texts)
    rows = [i for i, w in enumerate(wanted) if w]
    if rows and embedder is not None and embedder.ready:
        for i, dense in zip(rows, embedder.encode([texts[i].clean for i in rows]), strict=True):
            out[i] = dense
    return out


def intent_probs(
    model: Model, xs: Sequence[Sparse], cheap: Sequence[Vector], dense: Sequence[Vector | None]
) -> list[Vector]:
    """Calibrated intent probabilities of each message: the cheap model's (`cheap`), or the embedding
    model's where the cheap one is unsure and the message has its embedding."""
    return [
        softmax(model.intent_full.scores(x, d), model.thresholds.temperature_full)
        if d is not None and unsure_of_intent(model, p)
        else p
        for x, p, d in zip(xs, cheap, dense, strict=True)
    ]


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


def segment_probs(model: Model, texts: Sequence[Text | None]) -> list[Vector | None]:
    """Per message, per intent, its best calibrated probability in any one sentence of the message (the
    cheap model on each sentence; the sentences of all messages in one batch), or None for a one-sentence
    message or a None in `texts` (not asked)."""
    pieces = [segments(t.clean) if t is not None else [] for t in texts]
    flat = [(normalize(s), s) for p in pieces if len(p) >= 2 for s in p]
    if not flat:
        return [None] * len(texts)
    scores = scores_many(model.intent, model.featurizer.transform_many(flat), len(flat))
    probs = softmax_rows(scores, model.thresholds.temperature)
    out: list[Vector | None] = []
    at = 0
    for p in pieces:
        if len(p) < 2:
            out.append(None)
            continue
        best: Vector = probs[at : at + len(p)].max(axis=0)  # float64, as the threshold was chosen with
        out.append(best)
        at += len(p)
    return out


def second_candidates(
    model: Model, s: Scores, cues: list[float], main: str, fused: Mapping[str, float]
) -> tuple[Vector, list[int]] | None:
    """The one-vs-rest label scores and the intents allowed as a second one, or None when not even a
    sentence of its own could lift one over the threshold (the sentences' cost is then skipped)."""
    scores = s.labels + model.labels.tail(np.array(cues, np.float32))
    allowed = [j for j, i in enumerate(model.intents) if i != main and i not in NOT_SECOND and i in fused]
    if not allowed or scores[allowed].max() + SEGMENT_WEIGHT < model.thresholds.second:
        return None
    return scores, allowed


def second_intent(
    model: Model,
    candidates: tuple[Vector, list[int]],
    per_sentence: Vector | None,
    fused: Mapping[str, float],
) -> IntentScore | None:
    """A second intent: the best allowed one-vs-rest label, its score raised by SEGMENT_WEIGHT times the
    intent's best probability in a sentence of its own, when that clears its threshold."""
    scores, allowed = candidates
    if per_sentence is not None:
        scores = scores + SEGMENT_WEIGHT * per_sentence
    best = max(allowed, key=lambda j: scores[j])
    if scores[best] < model.thresholds.second:
        return None
    return IntentScore(model.intents[best], round(fused[model.intents[best]], 3))


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

    def read(self, raw: str, site: str | None = None, locale: str | None = None) -> Reading:
        """All stages for one message."""
        return self.read_many([raw], [site], [locale])[0]

    def read_many(
        self,
        raws: Sequence[str],
        sites: Sequence[str | None] | None = None,
        locales: Sequence[str | None] | None = None,
    ) -> list[Reading]:
        """All stages for several messages, each stage over all of them (the same readings as one by one;
        batches share the models' fixed costs: `responde classify`, evaluation)."""
        m, n = self.model, len(raws)
        texts = [read_text(raw) for raw in raws]
        tones = [self.tone.detect(t.clean, t.normalized) for t in texts]
        xs = features(m, texts)
        ss = [m.score(x) for x in xs]
        langs = languages(self.lid, m, texts, ss, sites or [None] * n, locales or [None] * n)
        cheap_probs = [softmax(s.intent, m.thresholds.temperature) for s in ss]
        cheap = [handoff_score(m, s, tone) for s, tone in zip(ss, tones, strict=True)]
        dense = embeddings(
            self.embedder, texts, [wants_embedding(m, p, h) for p, h in zip(cheap_probs, cheap, strict=True)]
        )
        probs = intent_probs(m, xs, cheap_probs, dense)
        fused = [
            with_keywords(m, p, self.keywords.scores(t.normalized, lang.code), self.intents)
            for p, t, lang in zip(probs, texts, langs, strict=True)
        ]
        mains = [max(f.items(), key=lambda kv: kv[1]) for f in fused]
        floor = m.thresholds.abstain
        claimed = [conf >= floor and bool(t.normalized) for (_, conf), t in zip(mains, texts, strict=True)]
        candidates = [
            second_candidates(m, s, tone.vector(), main, f) if ok else None
            for s, tone, (main, _), f, ok in zip(ss, tones, mains, fused, claimed, strict=True)
        ]
        sentences = segment_probs(m, [t if c else None for t, c in zip(texts, candidates, strict=True)])
        readings = []
        for i, text in enumerate(texts):
            (main, confidence), cand = mains[i], candidates[i]
            intents = [IntentScore(main, round(confidence, 3))] if claimed[i] else []
            second = second_intent(m, cand, sentences[i], fused[i]) if cand else None
            intents += [second] if second else []
            main_id = intents[0].id if intents else None
            decision = handoff(m, xs[i], cheap[i], dense[i], tones[i], main_id, self.handoff_intents)
            readings.append(
                Reading(
                    text, langs[i], intents, round(confidence, 3), tones[i], decision, dense[i] is not None
                )
            )
        return readings
