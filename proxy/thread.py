"""Conversation context: follow-ups that carry no intent of their own and replies the seller already
sent. Pure functions over (author, text) pairs, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from proxy.nlp.normalize import normalize
from proxy.nlp.pipeline import Text

Message = tuple[str, str]  # (author: "buyer" | "seller", text)
FOLLOWUP_MAX_WORDS = 6
UNSURE = 0.6
CONTEXT_MESSAGES = 3
# A short message opening with one of these continues the conversation ("¿y en talla M?", "e na cor azul?",
# "and in black?"): it asks about the thread's topic, not a new one.
CONTINUATIONS = frozenset({"y", "e", "and", "o", "ou", "or", "tambien", "tambem", "also", "ademas", "alem"})
# A short message asking how things stand ("any update?", "ya lo mandaron?") or saying something has not come
# ("ya pasó una semana y nada") asks about the conversation's open case when there is one.
PROGRESS = frozenset({"order_status", "not_received"})
# A short message without a question of its own, right after the seller asked one, answers it ("la G porfa"
# after "¿qué talla necesita?", "12.345.678/0001-90" after "me passa o CNPJ?"): it carries on the topic.
ANSWER_MAX_WORDS = 8


def is_followup(intent: str | None, confidence: float, text: Text) -> bool:
    """A message to read with its thread: no intent, only a greeting or chit-chat, or short and either
    unsure or opening with a continuation word."""
    if intent is None or intent in ("greeting", "other"):
        return True
    first = next((t for t in text.normalized.split() if t[0].isalnum()), "")
    return text.words <= FOLLOWUP_MAX_WORDS and (confidence < UNSURE or first in CONTINUATIONS)


def asks_progress(intent: str | None, text: Text) -> bool:
    """Short, and read alone as a question about an order's progress or as an order that has not come."""
    return intent in PROGRESS and text.words <= FOLLOWUP_MAX_WORDS


def answers_seller(thread: Sequence[Message], text: Text, closing: bool = False) -> bool:
    """The seller's message is the last before this one and asks something; this one is short, asks nothing
    and is not a `closing` thanks ("no, muchas gracias" after "¿algo más?"): an answer, not a new request."""
    if closing or not thread or thread[-1][0] != "seller" or "?" not in thread[-1][1]:
        return False
    return "?" not in text.clean and text.words <= ANSWER_MAX_WORDS


def last_buyer(thread: Sequence[Message]) -> str | None:
    """The buyer's last earlier message, if any."""
    return next((text for author, text in reversed(thread) if author == "buyer"), None)


def buyer_context(thread: Sequence[Message]) -> str:
    """The buyer's last few earlier messages, oldest first, one per line."""
    return "\n".join([text for author, text in thread if author == "buyer"][-CONTEXT_MESSAGES:])


def already_sent(reply: str, thread: Sequence[Message], threshold: float = 90.0) -> bool:
    """Whether the seller already sent (nearly) this reply in the thread."""
    sent = [body for author, body in thread if author == "seller"]
    if not sent:
        return False
    mine = normalize(reply)
    return any(fuzz.ratio(mine, normalize(body)) >= threshold for body in sent)
