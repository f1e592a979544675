import random
import unicodedata

import pytest

from proxy.nlp import normalize as normalizer
from proxy.nlp.normalize import fold, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Holaaa!! q onda", "hola ! que onda"),
        ("¿Cuándo LLEGA?", "cuando llega ?"),
        ("xq no llega", "porque no llega"),
        ("porfa", "por favor"),
        ("vc tem? obg", "voce tem ? obrigado"),
        ("tb lo quiero", "tambien lo quiero"),
        ("pls cancel", "please cancel"),
        ("pedido 2000005873412", "pedido <id>"),
        ("talla 32", "talla <num>"),
        ("kkkkk jajaja", "<laugh> <laugh>"),
        ("mira www.example.com", "mira <url>"),
        ("escribe a juan@mail.com", "escribe a <email>"),
        ("  espacios\n\ty saltos  ", "espacios y saltos"),
        ("no llega 😡", "no llega 😡"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_fold_strips_accents_and_case() -> None:
    assert fold("Ñandú Ação") == "nandu acao"


def _fold_by_definition(text: str) -> str:
    """Lowercase, compatibility decomposition, every combining mark of the BMP removed, one by one."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not (ord(c) < 0x10000 and unicodedata.combining(c)))


def test_fold_is_its_definition_on_every_character() -> None:
    """fold() removes the marks with one regex of ranges (built once); each character of Unicode, alone
    and after a letter, folds as the definition says."""
    every = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    for i in range(0, len(every), 64):
        chunk = "".join(every[i : i + 64])
        assert fold(chunk) == _fold_by_definition(chunk), hex(ord(every[i]))
    assert all(fold("a" + c) == _fold_by_definition("a" + c) for c in every[:0x10000])


def _normalize_token_by_token(text: str) -> str:
    """normalize() as it was written first: one token at a time, a repeated ? or ! dropped as it comes."""
    if "http" in text or "www." in text:
        text = normalizer._URL.sub(" <url> ", text)
    if "@" in text:
        text = normalizer._EMAIL.sub(" <email> ", text)
    folded = fold(text).replace("<url>", " urltoken ").replace("<email>", " emailtoken ")
    out: list[str] = []
    for raw in normalizer._WORD.findall(folded):
        if raw.isalnum():
            names = {"urltoken": "<url>", "emailtoken": "<email>"}
            out.extend([names[raw]] if raw in names else normalizer._token(raw).split())
        elif raw in "?!":
            if not out or out[-1] != raw:
                out.append(raw)
        elif not raw.isascii() and unicodedata.category(raw[0]).startswith("S"):
            out.append(raw)
    return " ".join(out)


def test_normalize_joins_cached_pieces_as_the_token_loop_did() -> None:
    """normalize() maps each word to its cached piece and drops repeated marks in the joined text; on
    random messages of words, abbreviations, marks, links, e-mails, numbers and symbols it gives what the
    token-by-token loop gave."""
    pieces = [
        "Holaaa",
        "q",
        "xq",
        "?",
        "!",
        "¿",
        "¡",
        ".",
        ",",
        " ",
        "\n",
        "😡",
        "€",
        "jajaja",
        "kkkk",
        "2000005873412",
    ]
    pieces += [
        "32",
        "www.x.com",
        "http://a.b/c",
        "juan@mail.com",
        "urltoken",
        "<url>",
        "Ação",
        "ñ",
        "e\u0301",
        "_",
    ]
    pick = random.Random(11)
    for _ in range(20_000):
        few = pick.sample(pieces, pick.randint(2, 5))
        text = "".join(pick.choice(few) + pick.choice(["", " "]) for _ in range(pick.randint(0, 30)))
        assert normalize(text) == _normalize_token_by_token(text), text
