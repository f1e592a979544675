"""The first stage for every buyer-controlled string: one clean form that redaction, keywords, tone and the
model all see, so an invisible character cannot hide a word from one of them and not from another."""

from __future__ import annotations

import re
import unicodedata

from proxy.nlp.charclass import char_class

# Every format character (zero-width space and joiners, soft hyphen, word joiner, BOM, bidi embeddings,
# overrides and isolates, tag characters) is removed; other control characters and Unicode line or
# paragraph separators become plain whitespace.
_KEEP = {"\n", "\t"}


# Planes that hold format or control characters (BMP, SMP, and the tags in plane 14): scanning only these
# keeps the import fast.
_PLANES = (range(0x20000), range(0xE0000, 0xE1000))


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (cp for plane in _PLANES for cp in plane):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Cf":
            table[cp] = None
        elif cat == "Cc" and ch not in _KEEP:
            table[cp] = "\n" if ch in "\r\x0b\x0c\x1c\x1d\x1e\x85" else " "
        elif cat in ("Zl", "Zp"):
            table[cp] = "\n"
    return table


_TABLE = _table()
# found at C speed: most messages hold none of the table's characters, and skip the translation
_CHANGED = re.compile(char_class(sorted(_TABLE)))


def clean(text: str) -> str:
    """NFKC (full-width ＠ becomes @, NBSP a space, ligatures letters), then no format or control characters.

    Idempotent, and never longer than NFKC's output."""
    if text.isascii():
        return text if text.isprintable() else text.translate(_TABLE)
    # Strip first, then compose: "e<ZWSP><U+0301>" must end as one "é", as it would on a second pass.
    return unicodedata.normalize("NFKC", text.translate(_TABLE) if _CHANGED.search(text) else text)
