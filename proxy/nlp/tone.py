"""Tone of a buyer message: negative cues and threats (consumer agencies, fraud, lawyers, reviews)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress

from proxy.nlp.charclass import char_class
from proxy.nlp.normalize import fold, normalize

ANGRY_EMOJI = frozenset("😡😤🤬😠🙄🙃😑😒💩🤡")  # not 😩/😫: "no me quedó 😩" is weary, not angry
_MULTI = re.compile(r"[!?]{2,}")
_WORD = re.compile(r"\w+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
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


@functools.cache
def _capital_pair() -> re.Pattern[str]:
    """What both tests of shouting() need, found at C speed. "Mostly capitals" (over 60 % of 10 letters or
    more) has two capitals with only non-letters between them; a capitalised word of two letters or more
    has a capital beside a letter that is a capital or has no case ("ES", "ÑU"). The classes are those of
    the Basic Multilingual Plane (built on first use, in about 40 ms); any character beyond it (an emoji,
    a Deseret capital) lets the message on to the full test."""
    chars = "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000)
    letters = _LETTER.findall(chars)
    cased = set(compress(letters, map(str.islower, letters))) | set(
        compress(letters, map(str.istitle, letters))
    )
    capital = char_class(map(ord, compress(letters, map(str.isupper, letters))))
    caseless = char_class(ord(c) for c in letters if c not in cased)
    return re.compile(
        rf"{capital}[\W\d_]*{capital}|{capital}{caseless}|{caseless}{capital}|[\U00010000-\U0010ffff]"
    )


def shouting(text: str) -> bool:
    """Mostly capitals, or a run of capitalised words ("ES NUEVO"; an acronym such as "DHL" is not)."""
    if text == text.lower():  # no capital at all: the common case, decided at C speed
        return False
    if _capital_pair().search(text) is None:
        return False  # sentence capitals only: most messages stop here
    return _shouting_in_full(text)


def _shouting_in_full(text: str) -> bool:
    """shouting() without its quick test (which never changes the answer: `test_tone`)."""
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
    """The cue lists (negative, threats, praise, disputes), matched in one pass over the message's tokens:
    on normalize()d text, or as written where normalize() would change a phrase."""

    KINDS = ("negative", "threats", "positive", "disputes")

    def __init__(self, tables: Sequence[Mapping[str, Sequence[str]]]) -> None:
        # phrases by their first token, for every list at once: a message is scanned once, token by token
        self._by_first: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
        self.literal: list[tuple[int, str, re.Pattern[str]]] = []
        for kind, table in enumerate(tables):
            phrases = [p for per_lang in table.values() for p in per_lang]
            for phrase in sorted({normalize(p) for p in phrases if not _literal(p)} - {""}):
                toks = tuple(phrase.split())
                self._by_first.setdefault(toks[0], []).append((kind, phrase, toks))
            for lit in sorted({fold(p) for p in phrases if _literal(p)}):
                self.literal.append((kind, lit, re.compile(rf"(?<!\w){re.escape(lit)}(?!\w)")))

    def find(self, normalized: str, folded: str) -> list[list[str]]:
        """Phrases present, per list: `normalized` is the normalized message, `folded` the message as
        written (lowercase, no accents)."""
        hits: list[set[str]] = [set() for _ in self.KINDS]
        toks = normalized.split()
        by_first = self._by_first
        for i, tok in enumerate(toks):
            if tok in by_first:
                for kind, phrase, want in by_first[tok]:
                    if len(want) == 1 or tuple(toks[i : i + len(want)]) == want:
                        hits[kind].add(phrase)
        found = [sorted(h) for h in hits]
        for kind, lit, pattern in self.literal:
            if lit in folded and pattern.search(folded):  # the substring test first: a C-speed filter
                found[kind].append(lit)
        return found


class ToneDetector:
    """Lexicon and typography cues, language-independent (cue lists of all languages apply)."""

    def __init__(
        self,
        negative: Mapping[str, Sequence[str]],
        threats: Mapping[str, Sequence[str]],
        positive: Mapping[str, Sequence[str]],
        disputes: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._cues = _Cues([negative, threats, positive, disputes or {}])
        # Built here, in the process that loads the engine, not on a first message: the server's workers
        # are forked from it (twice: again once the sentence encoder loads), and each paid about 40 ms on
        # its first message after each fork (`server_bench`: p99 in the first 10 s 79-96 ms; 7-8 ms so).
        _capital_pair()

    def detect(self, text: str, normalized: str | None = None) -> Tone:
        """Negative on a threat, an anger word, shouting, angry emoji or stacked !!/?? next to another cue."""
        norm = normalized if normalized is not None else normalize(text)
        cues, threats, positive, disputes = self._cues.find(norm, fold(text))
        praise = bool(positive)
        if (cues or threats or not praise) and shouting(text):  # "MUITO BOM, RECOMENDO" is joy
            cues.append("shouting")
        if not ANGRY_EMOJI.isdisjoint(text):
            cues.append("angry emoji")
        if (cues or threats) and _MULTI.search(text):
            cues.append("!!")
        negative = bool(threats or cues)
        sentiment = "negative" if negative else "positive" if praise else "neutral"
        return Tone(sentiment, negative, tuple(threats), tuple(cues), tuple(disputes), "?" in text, praise)
