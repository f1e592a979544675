"""Tone of a buyer message: negative cues and threats (consumer agencies, fraud, lawyers, reviews)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from proxy.nlp.normalize import fold, normalize

ANGRY_EMOJI = frozenset("😡😤🤬😠🙄🙃😑😒💩🤡")  # not 😩/😫: "no me quedó 😩" is weary, not angry
_MULTI = re.compile(r"[!?]{2,}")
_WORD = re.compile(r"\w+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
SHOUT_LETTERS = 7  # a run of capitalised words this long is shouting ("ES NUEVO", "QUIERO MI DINERO")


@dataclass(frozen=True)
class Tone:
    """Sentiment label plus the cues that decided it."""

    sentiment: str
    negative: bool
    threats: tuple[str, ...]
    cues: tuple[str, ...]
    disputes: tuple[str, ...] = ()  # "the listing said…": a dispute once the order exists
    asks: bool = False  # the message asks something ("?")
    praise: bool = False  # a praise or thanks cue

    def vector(self) -> list[float]:
        """The cues as features of the hand-off model (CUE_FEATURES, in order)."""
        return [
            min(len(self.cues), 3) / 3,
            float(bool(self.threats)),
            float("shouting" in self.cues),
            float("angry emoji" in self.cues),
            float("!!" in self.cues),
            float(self.praise),
            float(self.asks),
            float(bool(self.disputes)),
        ]


CUE_FEATURES = ("anger", "threat", "shouting", "angry_emoji", "stacked_marks", "praise", "asks", "dispute")


def shouting(text: str) -> bool:
    """Mostly capitals, or a run of capitalised words ("ES NUEVO"; an acronym such as "DHL" is not)."""
    letters = _NOT_LETTER.sub("", text)
    if len(letters) >= 10 and sum(map(str.isupper, letters)) / len(letters) > 0.6:
        return True
    run: list[str] = []
    for word in [*_WORD.findall(text), ""]:
        if len(word) >= 2 and word.isalpha() and word.isupper():
            run.append(word)
            continue
        if len(run) >= 2 and sum(map(len, run)) >= SHOUT_LETTERS and max(map(len, run)) >= 4:
            return True
        run = []
    return False


def _literal(phrase: str) -> bool:
    """Digits ("1 star") and letter runs ("bbb") must match as written, not as <num> or "b"."""
    return any(ch.isdigit() for ch in phrase) or bool(re.search(r"(\w)\1\1", phrase))


class _Cues:
    """One cue list: matched on normalize()d text, or as written where normalize() would change it."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        phrases = [p for per_lang in table.values() for p in per_lang]
        self.normalized = sorted({normalize(p) for p in phrases if not _literal(p)} - {""})
        # phrases by their first token: a message is scanned once, token by token
        self._by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for phrase in self.normalized:
            toks = tuple(phrase.split())
            self._by_first.setdefault(toks[0], []).append((phrase, toks))
        literal = sorted({fold(p) for p in phrases if _literal(p)})
        self.literal = [(p, re.compile(rf"(?<!\w){re.escape(p)}(?!\w)")) for p in literal]

    def find(self, padded: str, folded: str) -> list[str]:
        """Phrases present: `padded` is the normalized message in spaces, `folded` the message as written."""
        toks = padded.split()
        hits = {
            phrase
            for i, tok in enumerate(toks)
            for phrase, want in self._by_first.get(tok, ())
            if tuple(toks[i : i + len(want)]) == want
        }
        found = sorted(hits)
        return found + [p for p, pattern in self.literal if pattern.search(folded)]


class ToneDetector:
    """Lexicon and typography cues, language-independent (cue lists of all languages apply)."""

    def __init__(
        self,
        negative: Mapping[str, Sequence[str]],
        threats: Mapping[str, Sequence[str]],
        positive: Mapping[str, Sequence[str]],
        disputes: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._negative = _Cues(negative)
        self._threats = _Cues(threats)
        self._positive = _Cues(positive)
        self._disputes = _Cues(disputes or {})

    def detect(self, text: str, normalized: str | None = None) -> Tone:
        """Negative on a threat, an anger word, shouting, angry emoji or stacked !!/?? next to another cue."""
        norm = normalized if normalized is not None else normalize(text)
        padded = f" {norm} "
        folded = fold(text)
        threats = self._threats.find(padded, folded)
        cues = self._negative.find(padded, folded)
        praise = bool(self._positive.find(padded, folded))
        if shouting(text) and (cues or threats or not praise):  # "MUITO BOM, RECOMENDO" is joy
            cues.append("shouting")
        if any(ch in ANGRY_EMOJI for ch in text):
            cues.append("angry emoji")
        if _MULTI.search(text) and (cues or threats):
            cues.append("!!")
        negative = bool(threats or cues)
        sentiment = "negative" if negative else "positive" if praise else "neutral"
        disputes = self._disputes.find(padded, folded)
        return Tone(sentiment, negative, tuple(threats), tuple(cues), tuple(disputes), "?" in text, praise)
