"""Tone of a buyer message: negative cues and threats (consumer agencies, fraud, lawyers, reviews)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from proxy.nlp.normalize import normalize

ANGRY_EMOJI = frozenset("😡😤🤬😠🙄🙃😑😒💩🤡😩😫")
_MULTI = re.compile(r"[!?]{2,}")


@dataclass(frozen=True)
class Tone:
    """Sentiment label plus the cues that decided it."""

    sentiment: str
    negative: bool
    threats: tuple[str, ...]
    cues: tuple[str, ...]


def _phrases(table: Mapping[str, Sequence[str]]) -> list[str]:
    return sorted({normalize(p) for phrases in table.values() for p in phrases if normalize(p)})


class ToneDetector:
    """Lexicon and typography cues, language-independent (cue lists of all languages apply)."""

    def __init__(
        self,
        negative: Mapping[str, Sequence[str]],
        threats: Mapping[str, Sequence[str]],
        positive: Mapping[str, Sequence[str]],
    ) -> None:
        self._negative = _phrases(negative)
        self._threats = _phrases(threats)
        self._positive = _phrases(positive)

    @staticmethod
    def _found(phrases: list[str], padded: str) -> list[str]:
        return [p for p in phrases if f" {p} " in padded]

    def detect(self, text: str, normalized: str | None = None) -> Tone:
        """Negative when a threat, an anger word, shouting, angry emoji or stacked !!/?? appear."""
        norm = normalized if normalized is not None else normalize(text)
        padded = f" {norm} "
        threats = self._found(self._threats, padded)
        cues = self._found(self._negative, padded)
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
            cues.append("shouting")
        if any(ch in ANGRY_EMOJI for ch in text):
            cues.append("angry emoji")
        if _MULTI.search(text) and (cues or threats):
            cues.append("!!")
        negative = bool(threats or cues)
        if negative:
            sentiment = "negative"
        elif self._found(self._positive, padded):
            sentiment = "positive"
        else:
            sentiment = "neutral"
        return Tone(sentiment, negative, tuple(threats), tuple(cues))
