"""Carry on or open another: whether a buyer's newest message is read with its conversation.

A newest message has two readings: its own, and the reading of the buyer's earlier messages joined to it
(`thread.buyer_context`). A learned head (`Model.carry`, logistic regression on the features below) says
which one answers. It is trained on conversations whose newest message is labelled as read with its thread
(`corpus/conversations/`), on those where exactly one of the two readings gets the main intent right.
Everything here is a function of readings the pipeline already makes; scikit-learn is imported to train
only."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from proxy import paths
from proxy.nlp.clean import clean
from proxy.nlp.corpus import CorpusError, Example
from proxy.nlp.model import Linear
from proxy.nlp.pipeline import Reading, Recognizer
from proxy.thread import (
    ANSWER_MAX_WORDS,
    CONTINUATIONS,
    FOLLOWUP_MAX_WORDS,
    PROGRESS,
    Message,
    buyer_context,
    last_buyer,
)

SHORT_WORDS = 3
BATCH = 64  # conversations read together in training (three readings each)
GENERIC = frozenset({"greeting", "other", "thanks"})  # intents that carry no request of their own
FEATURES = (
    "confidence alone",
    "confidence joined",
    "log(1 + words)",
    f"words <= {SHORT_WORDS}",
    f"words <= {FOLLOWUP_MAX_WORDS}",
    f"words <= {ANSWER_MAX_WORDS}",
    "asks (?)",
    "opens with a continuation word",
    "the seller wrote last",
    "the seller asked last",
    "alone: no request (greeting, other, thanks or none)",
    "alone: greeting",
    "alone: thanks",
    "alone: other",
    "alone: no intent",
    "joined: no request",
    "alone and joined agree",
    "alone names the joined topic",
    "the joined topic is an open case",
    "the buyer's last message reads as thanks",
    "praise",
    "hand-off alone",
    "alone: a progress question",
    "answers the seller's question",
)


@dataclass(frozen=True)
class Conversation:
    """A labelled newest message, the earlier (author, text) messages, and whether it carries on."""

    example: Example
    thread: tuple[Message, ...]
    kind: str  # "continues" | "new"


def read_conversations(path: Path, known_intents: Sequence[str]) -> Iterator[Conversation]:
    """Conversations in the JSON Lines format of `eval/threads/`, with clear errors per line."""
    known = set(known_intents)
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(raw)
            thread = tuple((m["author"], m["text"]) for m in row["thread"])
            example = Example(
                row["text"], row["lang"], tuple(row["intents"]), bool(row["negative"]),
                row.get("locale"), row.get("site"), row.get("id"),
            )  # fmt: skip
            kind = row["kind"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(
                f"{where}: each line needs text, lang, intents, negative, kind and thread "
                f"(author and text per message) ({exc!r})"
            ) from exc
        if not 1 <= len(example.intents) <= 2 or set(example.intents) - known:
            raise CorpusError(
                f"{where}: intents must be one or two of the taxonomy's ids, not {list(example.intents)}"
            )
        if kind not in ("continues", "new") or {a for a, _ in thread} - {"buyer", "seller"}:
            raise CorpusError(f"{where}: kind is continues or new, each author buyer or seller")
        if last_buyer(thread) is None:
            raise CorpusError(f"{where}: the thread needs at least one earlier message of the buyer")
        yield Conversation(example, thread, kind)


def features(
    alone: Reading,
    joined: Reading,
    last: Reading,
    thread: Sequence[Message],
    open_case: Callable[[str], bool],
) -> list[float]:
    """The head's inputs (named in FEATURES, in order): the two readings, the buyer's last earlier message
    (`last`), the seller's last word, and whether the joined reading's topic is an open case (`open_case`
    of an intent id)."""
    main, topic = alone.main, joined.main
    words = alone.text.words
    asks = "?" in alone.text.clean
    first = next((t for t in alone.text.normalized.split() if t[0].isalnum()), "")
    seller_last = bool(thread) and thread[-1][0] == "seller"
    seller_asks = seller_last and "?" in thread[-1][1]
    return [
        alone.confidence,
        joined.confidence,
        math.log1p(words),
        words <= SHORT_WORDS,
        words <= FOLLOWUP_MAX_WORDS,
        words <= ANSWER_MAX_WORDS,
        asks,
        first in CONTINUATIONS,
        seller_last,
        seller_asks,
        main is None or main in GENERIC,
        main == "greeting",
        main == "thanks",
        main == "other",
        main is None,
        topic is None or topic in GENERIC,
        main == topic,
        topic in [i.id for i in alone.intents],
        topic is not None and open_case(topic),
        last.main == "thanks",
        bool(alone.tone.praise),
        alone.handoff.required,
        main in PROGRESS,
        seller_asks and not asks and words <= ANSWER_MAX_WORDS,
    ]


def carries(head: Linear, x: Sequence[float]) -> bool:
    """The head's decision: the joined reading answers."""
    return float(head.bias[0] + head.tail(np.asarray(x, np.float32))[0]) >= 0.0


def context_texts(cleaned: str, thread: Sequence[Message]) -> list[str]:
    """What is read beside a newest message (`cleaned`: its clean text) for the head: the buyer's earlier
    messages joined to it, and the buyer's last earlier message; nothing when the buyer wrote nothing
    earlier (the message is then read alone)."""
    last = last_buyer(thread)
    return [] if last is None else [f"{buyer_context(thread)}\n{cleaned}", last]


class Read(NamedTuple):
    """A newest message's reading, and the two the head weighs beside it (`context_texts`: its thread
    joined to it, and the buyer's last earlier message), or None when it is read alone."""

    reading: Reading
    context: tuple[Reading, Reading] | None


ReadMany = Callable[[list[str], list[str | None], list[str | None]], list[Reading]]


def read(
    read_many: ReadMany,
    texts: Sequence[str],
    sites: Sequence[str | None],
    locales: Sequence[str | None],
    threads: Sequence[Sequence[Message]],
) -> list[Read]:
    """Each newest message's reading and, when the buyer wrote earlier in its thread, the two readings the
    head weighs: every reading of every message in one call of `read_many` (texts, sites, locales)."""
    wanted = [context_texts(clean(t), thread) for t, thread in zip(texts, threads, strict=True)]
    extra = [(t, site, locale) for w, site, locale in zip(wanted, sites, locales, strict=True) for t in w]
    readings = read_many(
        [*texts, *(t for t, _, _ in extra)],
        [*sites, *(s for _, s, _ in extra)],
        [*locales, *(loc for _, _, loc in extra)],
    )
    context = iter(readings[len(texts) :])
    return [
        Read(reading, (next(context), next(context)) if w else None)
        for reading, w in zip(readings[: len(texts)], wanted, strict=True)
    ]


def train(
    recognizer: Recognizer, conversations: Sequence[Conversation], open_case: Callable[[str], bool]
) -> Linear:
    """The head, on the conversations where exactly one reading gets the main intent right (a logistic
    regression, C = 1: the decision is a weighing of a few cues, not a vocabulary). Each conversation's
    three readings are made in batches of BATCH conversations."""
    from sklearn.linear_model import LogisticRegression

    rows, targets = [], []
    for at in range(0, len(conversations), BATCH):
        chunk = conversations[at : at + BATCH]
        reads = read(
            recognizer.read_many,
            [c.example.text for c in chunk],
            [c.example.site for c in chunk],
            [None] * len(chunk),
            [c.thread for c in chunk],
        )
        for c, (alone, context) in zip(chunk, reads, strict=True):
            assert context is not None  # read_conversations: every thread has an earlier buyer message
            joined, last = context
            right = [r.main == c.example.intents[0] for r in (alone, joined)]
            if right[0] != right[1]:
                rows.append(features(alone, joined, last, c.thread, open_case))
                targets.append(right[1])
    if len(set(targets)) < 2:
        raise CorpusError(f"{paths.CONVERSATIONS_DIR}: too few labelled conversations for the thread head")
    fitted = LogisticRegression(C=1.0, max_iter=5000).fit(np.asarray(rows, np.float64), targets)
    return Linear(fitted.coef_.T.astype(np.float32).copy(), fitted.intercept_.astype(np.float32))
