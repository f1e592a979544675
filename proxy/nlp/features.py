"""Features of a message: TF-IDF of word 1-2-grams of its normalized form and of character 2-5-grams inside
the words as written (lowercased: accents, digits and punctuation kept — on held-out dev messages these beat
character n-grams of the normalized form).

One implementation serves training (a sparse matrix for scikit-learn) and serving (index and value arrays
for one message, no scikit-learn import), so the two can never drift apart. Linear in the text's length."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

CHAR_MIN, CHAR_MAX = 2, 5
MAX_WORD_CHARS = 40  # a longer "word" is noise (a pasted link, a key mash): its char n-grams are capped
MIN_DF = 2  # an n-gram seen in one training message only is not kept
WORD_CACHE = 100_000


def word_grams(words: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams."""
    return [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]


def char_grams(words: Sequence[str]) -> list[str]:
    """Character n-grams of each word padded with spaces (" hola " -> " h", "ho", ..., "la ")."""
    out: list[str] = []
    for word in words:
        padded = f" {word[:MAX_WORD_CHARS]} "
        size = len(padded)
        for n in range(CHAR_MIN, min(CHAR_MAX, size) + 1):
            out += [padded[i : i + n] for i in range(size - n + 1)]
    return out


def grams(normalized: str, cleaned: str) -> tuple[list[str], list[str]]:
    """(word grams of the normalized text, char grams of the cleaned text as written, lowercased)."""
    return word_grams(normalized.split()), char_grams(cleaned.lower().split())


Sparse = tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]


Batch = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float32]]  # row, column, value


def runs(ordered: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Where each run of equal values of a sorted, non-empty array starts, and its length."""
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    lengths = np.empty(len(starts), np.intp)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = len(ordered) - starts[-1]
    return starts, lengths


def _counted(keys: npt.NDArray[np.integer]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The distinct values, sorted, and how often each occurs (type kept): np.unique(return_counts=True)
    without its Python-level overhead (it was half the cost of a short message's features)."""
    ordered = np.sort(keys)
    if not len(ordered):
        return ordered, np.zeros(0, np.intp)
    starts, lengths = runs(ordered)
    return ordered[starts], lengths


def split_rows(batch: Batch, n: int) -> list[Sparse]:
    """A `Featurizer.transform_many` batch of n texts as each text's (columns, values), as `transform`
    gives them (views, no copies)."""
    rows, cols, vals = batch
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    return [(cols[a:b], vals[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


@dataclass(frozen=True)
class Featurizer:
    """Vocabulary and inverse document frequencies of both blocks (words first, then characters)."""

    words: dict[str, int]  # word gram -> column
    chars: dict[str, int]  # char gram -> column (after the word columns)
    idf: npt.NDArray[np.float32]
    # word as written -> the columns of its char grams: words repeat, their n-grams need not be rebuilt
    _by_word: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dim(self) -> int:
        """Number of columns."""
        return len(self.idf)

    @classmethod
    def fit(cls, documents: Iterable[Sequence[tuple[str, str]]], min_df: int = MIN_DF) -> Featurizer:
        """Learn the vocabulary of training documents (smooth idf, as scikit-learn's). A document is one
        message in one or more forms, (normalized, cleaned) each: an n-gram counts once per document
        whichever forms hold it, so a message and its training copy (`augment.py`) are one document."""
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        n = 0
        for forms in documents:
            seen_words: set[str] = set()
            seen_chars: set[str] = set()
            for normalized, cleaned in forms:
                w, c = grams(normalized, cleaned)
                seen_words.update(w)
                seen_chars.update(c)
            word_df.update(seen_words)
            char_df.update(seen_chars)
            n += 1
        words = sorted(g for g, df in word_df.items() if df >= min_df)
        chars = sorted(g for g, df in char_df.items() if df >= min_df)
        dfs = [word_df[g] for g in words] + [char_df[g] for g in chars]
        idf = np.array([math.log((1 + n) / (1 + df)) + 1 for df in dfs], dtype=np.float32)
        return cls({g: i for i, g in enumerate(words)}, {g: len(words) + i for i, g in enumerate(chars)}, idf)

    def _block(self, found: list[int]) -> Sparse:
        cols, counts = _counted(np.array(found, dtype=np.int32))
        vals = (1.0 + np.log(counts)) * self.idf[cols]
        norm = float(np.sqrt(vals @ vals)) or 1.0
        return cols.astype(np.int32), (vals / norm).astype(np.float32)

    def _char_columns(self, word: str) -> tuple[int, ...]:
        cols = self._by_word.get(word)
        if cols is None:
            if len(self._by_word) >= WORD_CACHE:  # bounded: a buyer chooses the words
                self._by_word.clear()
            chars = self.chars
            found = (chars.get(g) for g in char_grams([word]))
            cols = self._by_word[word] = tuple(i for i in found if i is not None)
        return cols

    def _columns(self, normalized: str, cleaned: str) -> tuple[list[int], list[int]]:
        """The columns of a text's word grams and of its char grams, repeats kept (the counts)."""
        words = self.words
        w = [i for g in word_grams(normalized.split()) if (i := words.get(g)) is not None]
        return w, [i for word in cleaned.lower().split() for i in self._char_columns(word)]

    def transform(self, normalized: str, cleaned: str) -> Sparse:
        """Column indices and values of one message: each block sublinear TF-IDF, L2-normalised."""
        w, c = self._columns(normalized, cleaned)
        wc, wv = self._block(w)
        cc, cv = self._block(c)
        return np.concatenate([wc, cc]), np.concatenate([wv, cv])

    def transform_many(self, texts: Sequence[tuple[str, str]]) -> Batch:
        """`transform` of several (normalized, cleaned) texts at once, as (row, column, value) triples sorted
        by row: the same values, with a fixed number of array operations whatever the number of texts."""
        groups: list[int] = []
        found: list[int] = []
        for row, (normalized, cleaned) in enumerate(texts):
            w, c = self._columns(normalized, cleaned)
            groups += [2 * row] * len(w) + [2 * row + 1] * len(c)  # a block of a text is a group
            found += w + c
        if not found:
            empty = np.zeros(0, np.int32)
            return empty, empty, np.zeros(0, np.float32)
        distinct, counts = _counted(np.array(groups, np.int64) * self.dim + np.array(found, np.int64))
        group, cols = np.divmod(distinct, self.dim)
        vals = (1.0 + np.log(counts)) * self.idf[cols]
        starts, lengths = runs(group)
        norms = np.sqrt(np.add.reduceat(vals * vals, starts))
        norms[norms == 0] = 1.0
        vals = vals / np.repeat(norms, lengths)
        return (group // 2).astype(np.int32), cols.astype(np.int32), vals.astype(np.float32)

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """What `save` stores: the vocabulary in column order, idf and the block split."""
        return {
            "word_grams": np.array(sorted(self.words, key=self.words.__getitem__), dtype=np.str_),
            "char_grams": np.array(sorted(self.chars, key=self.chars.__getitem__), dtype=np.str_),
            "idf": self.idf,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]]) -> Featurizer:
        """The inverse of `to_arrays`."""
        words: list[str] = arrays["word_grams"].tolist()
        chars: list[str] = arrays["char_grams"].tolist()
        return cls(
            {g: i for i, g in enumerate(words)},
            {g: len(words) + i for i, g in enumerate(chars)},
            arrays["idf"].astype(np.float32),
        )
