"""Fuzzy keyword rules: seller-editable phrases per intent and language, matched with rapidfuzz."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

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
        entries = self._by_lang.get(lang, [])
        out: dict[str, float] = {}
        padded = f" {normalized} "

        def keep(intent: str, score: float) -> None:
            if score > out.get(intent, 0.0):
                out[intent] = score

        fuzzy: list[int] = []
        for n, (intent, phrase, exact) in enumerate(entries):
            if exact or len(normalized) < len(phrase):
                # partial_ratio would find a short message inside the phrase ("hi" in "is this ..."):
                # a phrase longer than the message can only match whole.
                if f" {phrase} " in padded:
                    keep(intent, 1.0)
            else:
                fuzzy.append(n)
        choices = [entries[n][1] for n in fuzzy]
        for _, ratio, i in process.extract(
            normalized, choices, scorer=fuzz.partial_ratio, score_cutoff=MIN_RATIO, limit=None
        ):
            keep(entries[fuzzy[i]][0], (ratio - MIN_RATIO) / (100.0 - MIN_RATIO))
        return out
