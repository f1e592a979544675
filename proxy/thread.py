"""Conversation context: the buyer's earlier messages, the cues of the thread head and replies the seller
already sent. Pure functions over (author, text) pairs, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from proxy.nlp.normalize import normalize

Message = tuple[str, str]  # (author: "buyer" | "seller", text)
CONTEXT_MESSAGES = 3
# Cues of the thread head (`carry.py`), which decides whether a newest message is read with its thread:
# a short message opening with one of these may continue the conversation ("¿y en talla M?", "e na cor
# azul?", "and in black?");
CONTINUATIONS = frozenset({"y", "e", "and", "o", "ou", "or", "tambien", "tambem", "also", "ademas", "alem"})
# a short message asking how things stand ("any update?", "ya lo mandaron?") or saying something has not come
# ("ya pasó una semana y nada") may ask about the conversation's open case;
PROGRESS = frozenset({"order_status", "not_received"})
FOLLOWUP_MAX_WORDS = 6
# a short message without a question of its own, right after the seller asked one, may answer it ("la G
# porfa" after "¿qué talla necesita?", "12.345.678/0001-90" after "me passa o CNPJ?").
ANSWER_MAX_WORDS = 8


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
