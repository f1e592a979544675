"""Regex character classes built from Unicode's own tables, for the tests a stage does at C speed."""

from __future__ import annotations

from collections.abc import Iterable


def char_class(codes: Iterable[int]) -> str:
    """A regex character class of these code points (in ascending order), as ranges. Keep a class to the
    Basic Multilingual Plane where it is searched often: Python's `re` tests a character against a BMP
    class in one lookup, but against ranges beyond it one range at a time."""
    spans: list[list[int]] = []
    for cp in codes:
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in spans) + "]"
