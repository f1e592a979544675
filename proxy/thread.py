"""Conversation context: follow-ups that carry no intent of their own, facts the buyer already gave, and
replies the seller already sent. Pure functions over (author, text) pairs, oldest first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from proxy.nlp.normalize import normalize

Message = tuple[str, str]  # (author: "buyer" | "seller", text)
FOLLOWUP_MAX_WORDS = 5
CONTEXT_MESSAGES = 3
ORDER_ID = re.compile(r"\b(\d{3}-\d{7}-\d{7}|2\d{9,15}|\d{6}[A-Z0-9]{8})\b")


def is_followup(intent: str | None, score: float, words: int) -> bool:
    """A message to read with its thread: no intent, only a greeting or chit-chat, or short and unsure."""
    return intent is None or intent in ("greeting", "other") or (words <= FOLLOWUP_MAX_WORDS and score < 0.6)


def buyer_context(thread: Sequence[Message]) -> str:
    """The buyer's last few earlier messages, oldest first, one per line."""
    return "\n".join([text for author, text in thread if author == "buyer"][-CONTEXT_MESSAGES:])


def order_id_from(thread: Sequence[Message], text: str) -> str | None:
    """An order id the buyer already wrote (newest first), if any."""
    for _, body in reversed([*thread, ("buyer", text)]):
        found = ORDER_ID.search(body)
        if found:
            return found.group(1)
    return None


def already_sent(reply: str, thread: Sequence[Message], threshold: float = 90.0) -> bool:
    """Whether the seller already sent (nearly) this reply in the thread."""
    mine = normalize(reply)
    return any(
        author == "seller" and fuzz.ratio(mine, normalize(body)) >= threshold for author, body in thread
    )
