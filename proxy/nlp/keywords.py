"""Fuzzy keyword rules: seller-editable phrases per intent and language, matched with rapidfuzz."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz

from proxy.nlp.normalize import normalize

MIN_RATIO = 88.0


class KeywordMatcher:
    """Scores every intent in [0, 1] by its best keyword match against a normalized message."""

    def __init__(self, keywords: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        """`keywords[intent][lang]` is a list of phrases; they are normalized once here."""
        self._by_lang: dict[str, list[tuple[str, str, bool]]] = {}
        for intent, per_lang in keywords.items():
            for lang, phrases in per_lang.items():
                for phrase in phrases:
                    norm = normalize(phrase)
                    if norm:
                        exact = len(norm) < 6
                        self._by_lang.setdefault(lang, []).append((intent, norm, exact))

    def scores(self, normalized: str, lang: str) -> dict[str, float]:
        """Best match per intent: 1.0 for an exact phrase, down to 0 at MIN_RATIO similarity."""
        out: dict[str, float] = {}
        padded = f" {normalized} "
        for intent, phrase, exact in self._by_lang.get(lang, ()):
            if exact or len(normalized) < len(phrase):
                # partial_ratio would find a short message inside the phrase ("hi" in "is this ..."):
                # a phrase longer than the message can only match whole.
                score = 1.0 if f" {phrase} " in padded else 0.0
            else:
                ratio = fuzz.partial_ratio(phrase, normalized, score_cutoff=MIN_RATIO)
                score = (ratio - MIN_RATIO) / (100.0 - MIN_RATIO) if ratio else 0.0
            if score > out.get(intent, 0.0):
                out[intent] = score
        return out
