import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.nlp.clean import _TABLE, clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pro\u200bfeco", "profeco"),  # zero-width space inside a threat word
        ("re\u00adclame a\u2060qui", "reclame aqui"),  # soft hyphen, word joiner
        ("\ufeffhola", "hola"),  # byte-order mark
        ("juan\uff20gmail\uff0ecom", "juan@gmail.com"),  # full-width @ and .
        ("4111\u00a01111\u202f1111", "4111 1111 1111"),  # NBSP and narrow NBSP between card groups
        ("\u202eodinetnoc\u202c ok", "odinetnoc ok"),  # right-to-left override is dropped
        ("\u2066Juan\u2069", "Juan"),  # bidi isolates
        ("ﬁ ½ ²", "fi 1⁄2 2"),  # compatibility forms
        ("linea\u2028otra\rfin", "linea\notra\nfin"),
        ("a\x00b\x07c", "a b c"),
        ("e\u200b\u0301", "é"),  # stripped first, then composed
        ("ya llegó 👍", "ya llegó 👍"),
        ("plain ascii stays", "plain ascii stays"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@given(st.text())
def test_clean_is_idempotent_and_leaves_no_invisible_characters(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert not any(ch in once for ch in "\u200b\u200c\u200d\u00ad\u2060\ufeff\u202a\u202b\u202c\u202d\u202e")


def test_a_message_without_invisible_characters_skips_the_table_and_loses_nothing() -> None:
    """clean() translates with its table only when one regex finds a character the table changes: each
    character of Unicode, between two letters, cleans as the full translation says."""
    every = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    for c in every:
        text = f"é{c}b"
        assert clean(text) == unicodedata.normalize("NFKC", text.translate(_TABLE)), hex(ord(c))
