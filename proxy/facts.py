"""What the buyer already told in the conversation (order id, tracking code, colour, size, city), to fill
reply placeholders. Pure: compiled once from rules/facts.yaml, then applied to the buyer's messages."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import re2

from proxy.nlp.clean import clean
from proxy.nlp.normalize import fold, normalize
from proxy.rules.schema import FactsFile

ORDER_ID = re.compile(r"\b(\d{3}-\d{7}-\d{7}|2\d{9,15}|\d{6}[A-Z0-9]{8})\b")
# A parcel's code in a shape no other number has: UPU S10 (Correios, China Post, Correos de México...: two
# letters, nine digits, the country), UPS, Amazon Logistics, Cainiao.
TRACKING_SHAPE = re.compile(r"\b([A-Z]{2}\d{9}[A-Z]{2}|1Z[0-9A-Z]{16}|TBA\d{12}|LP\d{14})\b")
# Any other code right after a word that names it ("mi guía es 7891234567", "tracking number: 9400...",
# "código de rastreio BR2412..."): RE2, linear whatever the buyer repeats; the code must hold a digit.
TRACKING_AFTER_CUE = re2.compile(
    r"(?i)\b(?:gu[ií]a|rastreio|rastreo|rastreamento|seguimiento|tracking|track)"
    r"(?:\s+(?:de|do|da|del|el|o|number|n[uú]mero|nro\.?|num\.?|code|c[oó]digo|id|n[º°o]\.?|es|é|e|is|was|:|#))*"
    r"\s*[:#]?\s*([A-Za-z-]{0,8}\d[A-Za-z0-9-]{0,33})\b"
)
TRACKING_CHARS = (8, 34)
AMBIGUOUS_CAPS = {"P", "G", "U"}  # "en P", "na G": too often not a size without a cue word


def order_id_in(text: str, but: str | None = None) -> str | None:
    """An order id written in the text (Mercado Libre, Amazon or Shopee shape), if any; not `but` (the
    tracking code, which may have an order id's shape)."""
    return next((m.group(1) for m in ORDER_ID.finditer(text) if m.group(1) != but), None)


def tracking_code_in(text: str) -> str | None:
    """A parcel's tracking code written in the text: a known carrier's shape, or a code of 8 to 34 letters,
    digits and hyphens right after a word that names it."""
    if found := TRACKING_SHAPE.search(text):
        return found.group(1)
    for match in TRACKING_AFTER_CUE.finditer(text):
        code: str = match.group(1).strip("-")
        if TRACKING_CHARS[0] <= len(code) <= TRACKING_CHARS[1]:
            return code.upper()
    return None


@dataclass(frozen=True)
class Facts:
    """Values for the reply (buyer's language) and for its Chinese gloss."""

    values: dict[str, str]
    zh: dict[str, str]


def _spaced(text: str) -> str:
    """The text as recognition normalizes it (cleaned first: an invisible character splits no colour or
    city), padded with spaces for whole-word needles."""
    return f" {normalize(clean(text))} "


class FactFinder:
    """Finds colour, size, city, order id and tracking code in buyer messages, newest first."""

    def __init__(self, spec: FactsFile) -> None:
        self._size_word = spec.size_word
        self._colours: dict[str, list[tuple[str, str, str]]] = {}
        for colour in spec.colours.values():
            for lang in ("es", "pt", "en"):
                for word in getattr(colour, lang):
                    self._colours.setdefault(lang, []).append((_spaced(word), word, colour.zh))
        for entries in self._colours.values():
            entries.sort(key=lambda e: -len(e[0]))  # "azul marino" before "azul"
        self._not_colours = [_spaced(p) for p in spec.not_colours]
        self._cities = sorted(
            ((_spaced(alias), name) for name, aliases in spec.cities.items() for alias in (name, *aliases)),
            key=lambda e: -len(e[0]),
        )
        self._sizes = {fold(s): s for s in spec.sizes}
        cues = "|".join(
            sorted({re.escape(fold(c)) for c in spec.size_cues.es + spec.size_cues.pt + spec.size_cues.en})
        )
        names = "|".join(sorted(map(re.escape, self._sizes), key=len, reverse=True))
        self._size_after_cue = re.compile(
            rf"\b(?:{cues})\s*[:.]?\s+(?:(?:de|da|do|en|em|el|la|o|a)\s+)?({names}|\d{{1,2}}(?:[.,]5)?)\b"
        )
        caps = "|".join(
            sorted((s for s in spec.sizes if s.isupper() and s not in AMBIGUOUS_CAPS), key=len)[::-1]
        )
        self._size_alone = re.compile(rf"\b(?:en|na|no|in|em)\s+({caps})\b")

    def colour(self, spaced: str, lang: str) -> tuple[str, str] | None:
        """(as the buyer wrote it, Chinese name) of the colour named in a `_spaced()` text, if any."""
        for phrase in self._not_colours:
            spaced = spaced.replace(phrase, " ")
        for needle, word, zh in self._colours.get(lang, []):
            if needle in spaced:
                return word, zh
        return None

    def size(self, text: str) -> str | None:
        """A size written after a cue word ("talla M", "tam 42") or as a capital after en/na/in."""
        found = self._size_after_cue.search(fold(text))
        if found:
            return self._sizes.get(found.group(1), found.group(1).replace(",", "."))
        alone = self._size_alone.search(text)
        return alone.group(1) if alone else None

    def city(self, spaced: str) -> str | None:
        """A known city named in a `_spaced()` text, by its full name."""
        return next((name for needle, name in self._cities if needle in spaced), None)

    def find(
        self,
        texts: Sequence[str],
        lang: str,
        locale: str,
        given: Mapping[str, str | None],
        normalized: Mapping[str, str] | None = None,
    ) -> Facts:
        """Facts from the page (`given`) or else from the buyer's `texts`, newest first. `normalized`: texts
        the recognition stages already normalized (cleaned first, as `_spaced` does), not normalized again."""
        values = {k: v for k, v in given.items() if v}
        zh: dict[str, str] = {}
        for text in texts:
            cleaned = clean(text)  # every fact is read from the clean form: no invisible character hides one
            known = normalized.get(text) if normalized else None
            spaced = f" {known if known is not None else normalize(cleaned)} "  # for colours and cities
            if "tracking_code" not in values and (code := tracking_code_in(cleaned)):
                values["tracking_code"] = code
            if "order_id" not in values and (order := order_id_in(cleaned, values.get("tracking_code"))):
                values["order_id"] = order
            if "size" not in values and (size := self.size(cleaned)):
                values["size"] = size
            if "city" not in values and (city := self.city(spaced)):
                values["city"] = city
            if "color" not in values and (colour := self.colour(spaced, lang)):
                values["color"], zh["color"] = colour
        if "color" in values and "color" not in zh:
            named = self.colour(_spaced(values["color"]), lang)
            zh["color"] = named[1] if named else values["color"]
        parts, parts_zh = [], []
        if "color" in values:
            parts.append(values["color"])
            parts_zh.append(zh["color"])
        if "size" in values:
            parts.append(f"{self._size_word[locale]} {values['size']}")
            parts_zh.append(f"{self._size_word['zh-CN']} {values['size']}")
        if parts:
            values["option"], zh["option"] = ", ".join(parts), "，".join(parts_zh)
        return Facts(values, zh)
