"""The engine: recognition (`nlp/pipeline.py`), then the conversation, facts, urgency and checked replies."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from proxy.carry import Read, carries
from proxy.carry import features as carry_features
from proxy.carry import read as read_with_context
from proxy.facts import FactFinder
from proxy.models import ensure_model, open_case, recognizer, training_examples
from proxy.nlp.embed import Embedder
from proxy.nlp.handoff import Handoff
from proxy.nlp.language import LanguageDetector
from proxy.nlp.model import Model
from proxy.nlp.pipeline import Reading
from proxy.policy import check, marketplace_for, within_length
from proxy.replies import Reply, joined, render
from proxy.rules.loader import RuleSet, load_rules
from proxy.schedule import acknowledgement, deadline
from proxy.thread import Message, already_sent

BATCH = 64  # messages per `Recognizer.read_many` call
# Second intents that get no reply of their own: a greeting or thanks beside a request is answered by the
# request's reply, and `other` has nothing to say.
UNANSWERED = frozenset({"greeting", "thanks", "other"})


class Engine:
    """Rules, model and recognizer loaded once; `analyze` is pure and thread-safe."""

    def __init__(
        self, rules: RuleSet, model: Model, lid: LanguageDetector, embedder: Embedder | None = None
    ) -> None:
        self.rules = rules
        self.model = model
        self.recognizer = recognizer(rules, model, lid, embedder)
        self.facts = FactFinder(rules.facts)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests pin it

    def recognise(self, text: str, site: str | None = None, locale: str | None = None) -> Reading:
        """Language, intents, tone and hand-off of one message (no replies)."""
        return self.recognizer.read(text, site, locale)

    def recognise_many(
        self,
        texts: Sequence[str],
        sites: Sequence[str | None] | None = None,
        locales: Sequence[str | None] | None = None,
    ) -> list[Reading]:
        """`recognise` of several messages, BATCH at a time (the same readings, at a lower cost each; a
        bounded batch keeps the sentence encoder's memory small)."""
        n = len(texts)
        sites, locales = sites or [None] * n, locales or [None] * n
        return [
            reading
            for i in range(0, n, BATCH)
            for reading in self.recognizer.read_many(
                texts[i : i + BATCH], sites[i : i + BATCH], locales[i : i + BATCH]
            )
        ]

    def read(
        self,
        texts: Sequence[str],
        sites: Sequence[str | None],
        locales: Sequence[str | None],
        threads: Sequence[Sequence[Message]],
    ) -> list[Read]:
        """Each newest message's reading and, when the buyer wrote earlier in its thread, the two readings
        the thread head weighs (`carry.read`): all of them in the same batches (`recognise_many`); none
        beside it without a thread head."""
        if self.model.carry is None:
            threads = [()] * len(texts)
        return read_with_context(self.recognise_many, texts, sites, locales, threads)

    def with_thread(self, read: Read, thread: Sequence[Message]) -> tuple[Reading, str]:
        """The newest message read alone, or with the buyer's earlier messages joined to it, as the thread
        head decides (`carry.py`): a follow-up ("¿y en talla M?", "e aí?"), an answer to the seller's
        question ("la G porfa") or a progress question about an open case takes its intents from the
        conversation, a new request keeps its own. Its own tone and hand-off cues still count."""
        reading = read.reading
        if read.context is None or self.model.carry is None:
            return reading, "message"
        joined, last = read.context
        if joined.main is None:
            return reading, "message"
        x = carry_features(reading, joined, last, thread, lambda topic: open_case(self.rules, topic))
        if not carries(self.model.carry, x):
            return reading, "message"
        reasons = tuple(dict.fromkeys(reading.handoff.reasons + joined.handoff.reasons))
        handoff = Handoff(bool(reasons), reasons, max(reading.handoff.score, joined.handoff.score))
        return Reading(
            reading.text,
            reading.language,
            joined.intents,
            joined.confidence,
            reading.tone,
            handoff,
            reading.embedded or joined.embedded,
        ), "thread"

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
        read: Read | None = None,
    ) -> dict[str, Any]:
        """The full `/v1/analyze` answer for one buyer message and the earlier (author, text) messages;
        `read`: the message's `read([text], [site], [locale], [thread])` when it was read in a batch
        already."""
        read = read or self.read([text], [site], [locale], [thread])[0]
        reading, source = self.with_thread(read, thread)
        language, intents, tone = reading.language, reading.intents, reading.tone
        urgent = reading.handoff.required or any(self.rules.intents[i.id].urgent for i in intents)
        reply_locale = locale if locale and locale.startswith(language.code + "-") else language.locale
        buyer_said = [text, *(body for author, body in reversed(thread) if author == "buyer")]
        facts = self.facts.find(
            buyer_said, language.code, reply_locale, context or {}, {text: reading.text.normalized}
        )
        ctx = facts.values
        market = marketplace_for(self.rules.policies, site)
        known = [v for k, v in ctx.items() if k in ("order_id", "tracking_code") and v]
        conversation = "\n".join([text, *(body for _, body in thread), *(v for v in ctx.values() if v)])

        def suggestion(
            template_id: str, text: str, gloss_zh: str, missing: Sequence[str], answers: Sequence[str]
        ) -> dict[str, Any]:
            policy = check(text, market, known, conversation).as_dict()
            return {
                "template_id": template_id,
                "answers": list(answers),
                "text": text,
                "locale": reply_locale,
                "gloss_zh": gloss_zh,
                "missing": list(missing),
                "policy": policy,
            }

        main = intents[0].id if intents else "other"

        def replies_of(intent: str, opening: bool = True, brief: bool = False) -> list[Reply]:
            return render(self.rules, intent, reply_locale, ctx, facts.zh, market, opening, brief)

        replies = replies_of(main)
        second = intents[1].id if len(intents) > 1 and intents[1].id not in UNANSWERED else None
        if second is not None:  # first a reply to both (the second's full or brief answer); else its own
            briefs = replies_of(second, opening=False, brief=True)
            fits = partial(within_length, market=market)
            both = joined(replies, replies_of(second, opening=False) + briefs, fits)
            if both is not None:
                replies = [both, *replies]
            else:  # the two brief answers under one greeting, if they fit; then each intent's own reply
                both = joined(replies_of(main, brief=True), briefs, fits)
                own = replies_of(second)[:1]
                replies = [*([both] if both else []), *replies[:1], *own, *replies[1:]]
        suggestions = [
            suggestion(r.template_id, r.text, r.gloss_zh, r.missing, r.intents)
            for r in replies
            if not already_sent(r.text, thread)
        ]
        handoff = {"required": reading.handoff.required, "reasons": list(reading.handoff.reasons)}
        moment = now or self.clock()
        ack = None if handoff["required"] else acknowledgement(self.rules, reply_locale, moment)
        if ack is not None:  # last, after the two best answers: the answer itself comes first
            suggestions[2:] = [suggestion(f"off_hours.{reply_locale}", ack["text"], ack["gloss_zh"], (), ())]
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


def build_engine(
    rules_dir: Path, corpus_dir: Path, models_dir: Path, embedder: Embedder | None = None
) -> Engine:
    """Load rules, train or reuse the model, load lid.176: a ready engine. The sentence encoder answers
    only once loaded (`Embedder.load`: the server loads it in the background); until then, without
    `embedder` given loaded, the cheap heads answer alone."""
    rules = load_rules(rules_dir)
    path = ensure_model(training_examples(rules, corpus_dir), rules, models_dir)
    return Engine(rules, Model.load(path), LanguageDetector(), embedder or Embedder())
