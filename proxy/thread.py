"""Conversation context: follow-ups that carry no intent of their own and replies the seller already
sent. Pure functions over (author, text) pairs, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from proxy.nlp.normalize import normalize

Message = tuple[str, str]  # (author: "buyer" | "seller", text)
FOLLOWUP_MAX_WORDS = 5
CONTEXT_MESSAGES = 3


def is_followup(intent: str | None, score: float, words: int) -> bool:
    """A message to read with its thread: no intent, only a greeting or chit-chat, or short and unsure."""
    return intent is None or intent in ("greeting", "other") or (words <= FOLLOWUP_MAX_WORDS and score < 0.6)


def buyer_context(thread: Sequence[Message]) -> str:
    """The buyer's last few earlier messages, oldest first, one per line."""
    return "\n".join([text for author, text in thread if author == "buyer"][-CONTEXT_MESSAGES:])


def already_sent(reply: str, thread: Sequence[Message], threshold: float = 90.0) -> bool:
    """Whether the seller already sent (nearly) this reply in the thread."""
    mine = normalize(reply)
    return any(
        author == "seller" and fuzz.ratio(mine, normalize(body)) >= threshold for author, body in thread
    )
