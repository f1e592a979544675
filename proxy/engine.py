"""The recognition engine: language, intents, tone, hand-off, urgency and checked replies."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from proxy.facts import FactFinder
from proxy.nlp.corpus import Example, read_corpus
from proxy.nlp.intent_model import IntentModel, ModelFiles, fingerprint, prune, train_models
from proxy.nlp.keywords import KeywordMatcher
from proxy.nlp.language import Language, LanguageDetector
from proxy.nlp.normalize import normalize
from proxy.nlp.tone import Tone, ToneDetector
from proxy.policy import check, marketplace_for
from proxy.replies import render
from proxy.rules.loader import RuleSet, load_rules
from proxy.schedule import acknowledgement, deadline
from proxy.thread import already_sent, buyer_context, is_followup

KEYWORD_WEIGHT = 0.3
SECOND_MIN = 0.45
AMBIGUITY_GAP = 0.02
GREETING_MAX_WORDS = 6
WRAPPERS = ("greeting", "thanks")
LONG_MESSAGE_WORDS = 12  # from this many words, sentences are also scored one by one
SENTENCE_WEIGHT = 0.5
_SENTENCE = re.compile(r"(?<=[.?!\n])\s+")
_FIRST_CLAUSE = re.compile(  # each run is tried from its start only (look-behinds): linear time
    r"(?<![?.!\n])[?.!\n]+\s+|(?<!\s)\s+(?:y|e|and|ademas|tambien|also)\s+", re.IGNORECASE
)


@dataclass(frozen=True)
class IntentScore:
    """One recognised intent."""

    id: str
    score: float


def decide_intents(
    fused: Mapping[str, float], thresholds: Mapping[str, float], words: int = 0
) -> list[IntentScore]:
    """Main intent (or none: abstain) plus an optional second one, from fused scores."""
    ranked = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][0] == "greeting" and words > GREETING_MAX_WORDS:
        ranked = ranked[1:] + ranked[:1]  # a long message is more than a greeting
    (top, top_s), (second, second_s) = ranked[0], ranked[1]
    rival_s = second_s
    if top in WRAPPERS and second not in WRAPPERS + ("other",) and second_s >= 0.3:
        (top, top_s), (second, second_s) = (second, second_s), (top, top_s)
        rival_s = next((s for i, s in ranked[2:] if i not in WRAPPERS), 0.0)  # the wrapper is no rival
    if top_s < thresholds.get(top, 0.35) or (top_s - rival_s < AMBIGUITY_GAP and top_s < 0.5):
        return []
    out = [IntentScore(top, round(top_s, 3))]
    if (
        second_s >= SECOND_MIN
        and second != "other"
        and top != "other"
        and not (second == "greeting" and top != "greeting")
    ):
        out.append(IntentScore(second, round(second_s, 3)))
    return out


class Engine:
    """Models and rules loaded once; `analyze` is pure and thread-safe."""

    def __init__(self, rules: RuleSet, model: IntentModel, lid: LanguageDetector) -> None:
        self.rules = rules
        self.model = model
        self.lid = lid
        self.keywords = KeywordMatcher({i: f.keywords.model_dump() for i, f in rules.intents.items()})
        self.tone = ToneDetector(
            rules.tone.negative.model_dump(),
            rules.tone.threats.model_dump(),
            rules.tone.positive.model_dump(),
            rules.tone.disputes.model_dump(),
        )
        self.thresholds = {i: f.threshold for i, f in rules.intents.items()}
        self.facts = FactFinder(rules.facts)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests pin it

    def language(self, text: str, normalized: str, site: str | None, locale: str | None) -> Language:
        """Language and locale of a message."""
        return self.lid.detect(text, site, locale, self.model.languages(normalized))

    def fuse(self, probs: Mapping[str, float], kw: Mapping[str, float]) -> dict[str, float]:
        """Model probability plus keyword evidence, per intent."""
        return {i: min(1.0, probs.get(i, 0.0) + KEYWORD_WEIGHT * kw.get(i, 0.0)) for i in self.rules.intents}

    def fused_scores(
        self, normalized: str, lang: str, kw: Mapping[str, float] | None = None
    ) -> dict[str, float]:
        """Fused scores of one normalized text (its keyword scores may be given, already computed)."""
        probs = self.model.intents(normalized) if normalized else {}
        return self.fuse(probs, self.keywords.scores(normalized, lang) if kw is None else kw)

    def best_sentence(self, text: str) -> dict[str, float]:
        """Each intent's best model probability over the message's sentences (empty for one sentence)."""
        parts = [n for part in _SENTENCE.split(text) if len((n := normalize(part)).split()) >= 3]
        if len(parts) < 2:
            return {}
        per = [self.model.intents(part) for part in parts]
        return {i: max(s.get(i, 0.0) for s in per) for i in self.rules.intents}

    def recognise(self, text: str, site: str | None = None, locale: str | None = None) -> dict[str, Any]:
        """Language, intents, tone, hand-off and urgency of one message (no replies)."""
        normalized = normalize(text)
        language = self.language(text, normalized, site, locale)
        words = sum(tok[0].isalnum() or tok[0] == "<" for tok in normalized.split())  # not "?" or emoji
        kw = self.keywords.scores(normalized, language.code)
        fused = self.fused_scores(normalized, language.code, kw)
        wrapped = max(fused, key=fused.__getitem__) in WRAPPERS  # "llegó bien, gracias! ¿tienen en rosa?"
        best = self.best_sentence(text) if words >= LONG_MESSAGE_WORDS or wrapped else {}
        if best:  # in a long story the request is one sentence: blend in its score
            alone = self.fuse(best, kw)
            fused = {i: (1 - SENTENCE_WEIGHT) * fused[i] + SENTENCE_WEIGHT * alone[i] for i in fused}
        intents = decide_intents(fused, self.thresholds, words)
        if len(intents) == 2 and intents[1].id not in WRAPPERS:
            intents = self.order_by_position(text, language.code, intents)
        tone = self.tone.detect(text, normalized)
        return {"language": language, "intents": intents, "tone": tone, "words": words}

    def order_by_position(self, text: str, lang: str, intents: list[IntentScore]) -> list[IntentScore]:
        """Two requests: the one asked first in the message is the main one."""
        head = normalize(_FIRST_CLAUSE.split(text.strip(), maxsplit=1)[0])
        if not head or head == normalize(text):
            return intents
        scores = self.fused_scores(head, lang)
        first, second = intents
        return [second, first] if scores[second.id] > scores[first.id] + 0.1 else intents

    def handoff(self, intents: list[IntentScore], tone: Tone) -> dict[str, Any]:
        """A person must answer sensitive intents and negative or threatening tone."""
        files = [self.rules.intents[i.id] for i in intents]
        calm = tone.asks and not tone.negative
        reasons = [
            f"intent:{f.id}"
            for n, f in enumerate(files)
            if f.handoff and not (f.handoff_unless_asked and calm) and (n == 0 or f.handoff_when_second)
        ]
        reasons += [f"threat:{t}" for t in tone.threats]
        if tone.negative and not tone.threats:
            reasons.append("tone:negative")
        if tone.disputes and files and files[0].handoff_on_dispute:
            reasons.append(f"dispute:{tone.disputes[0]}")
        return {"required": bool(reasons), "reasons": reasons}

    def analyze(
        self,
        text: str,
        site: str | None = None,
        locale: str | None = None,
        context: Mapping[str, str | None] | None = None,
        ui_lang: str = "en",
        thread: Sequence[tuple[str, str]] = (),
        received_at: datetime | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The full `/v1/analyze` answer for one buyer message and the earlier (author, text) messages."""
        found = self.recognise(text, site, locale)
        source = "message"
        main = found["intents"][0] if found["intents"] else None
        earlier = buyer_context(thread)
        if earlier and is_followup(main and main.id, main.score if main else 0.0, found["words"]):
            joined = self.recognise(f"{earlier}\n{text}", site, locale)
            if joined["intents"] and joined["intents"][0].id not in ("greeting", "other"):
                found, source = {**joined, "tone": found["tone"]}, "thread"
        language: Language = found["language"]
        intents: list[IntentScore] = found["intents"]
        tone: Tone = found["tone"]
        urgent = tone.negative or any(self.rules.intents[i.id].urgent for i in intents)
        reply_locale = locale if locale and locale.startswith(language.code + "-") else language.locale
        buyer_said = [text, *(body for author, body in reversed(thread) if author == "buyer")]
        facts = self.facts.find(buyer_said, language.code, reply_locale, context or {})
        ctx = facts.values
        market = marketplace_for(self.rules.policies, site)
        known = [v for k, v in ctx.items() if k in ("order_id", "tracking_code") and v]
        conversation = "\n".join([text, *(body for _, body in thread), *(v for v in ctx.values() if v)])

        def suggestion(template_id: str, text: str, gloss_zh: str, missing: Sequence[str]) -> dict[str, Any]:
            policy = check(text, market, known, conversation).as_dict()
            return {
                "template_id": template_id,
                "text": text,
                "locale": reply_locale,
                "gloss_zh": gloss_zh,
                "missing": list(missing),
                "policy": policy,
            }

        suggestions = [
            suggestion(r.template_id, r.text, r.gloss_zh, r.missing)
            for r in render(
                self.rules, intents[0].id if intents else "other", reply_locale, ctx, facts.zh, market
            )
            if not already_sent(r.text, thread)
        ]
        handoff = self.handoff(intents, tone)
        moment = now or self.clock()
        ack = None if handoff["required"] else acknowledgement(self.rules, reply_locale, moment)
        if ack is not None:  # last: the answer itself comes first when there is one
            suggestions.append(suggestion(f"off_hours.{reply_locale}", ack["text"], ack["gloss_zh"], ()))
        labels = self.rules.intents
        return {
            "language": {"code": language.code, "locale": language.locale, "confidence": language.confidence},
            "intents": [
                {
                    "id": i.id,
                    "score": i.score,
                    "label": getattr(labels[i.id].label, ui_lang.replace("-", "_"), labels[i.id].label.en),
                    "label_zh": labels[i.id].label.zh_CN,
                }
                for i in intents
            ],
            "abstained": not intents,
            "intent_source": source,
            "sentiment": tone.sentiment,
            "urgency": "high" if urgent else "normal",
            "handoff": handoff,
            "suggestions": suggestions[:3],
            "deadline": deadline(market, self.rules, received_at, moment),
            "marketplace": market.name if market else None,
            "trace_id": uuid.uuid4().hex,
        }


def corpus_examples(rules: RuleSet, corpus_dir: Path, extra: list[Example] | None = None) -> list[Example]:
    """The shipped corpus plus any extra labelled examples."""
    return read_corpus(corpus_dir, rules.intents) + list(extra or [])


def ensure_model(examples: list[Example], models_dir: Path, force: bool = False) -> ModelFiles:
    """Train the models for these examples unless a cached copy with the same fingerprint exists."""
    files = ModelFiles.for_key(models_dir, fingerprint(examples))
    if force or not files.exist():
        train_models(examples, files)
        prune(models_dir)
    return files


def build_engine(rules_dir: Path, corpus_dir: Path, models_dir: Path) -> Engine:
    """Load rules, train or reuse the intent model, load lid.176: a ready engine."""
    rules = load_rules(rules_dir)
    files = ensure_model(corpus_examples(rules, corpus_dir), models_dir)
    return Engine(rules, IntentModel(files), LanguageDetector())
