"""Personal data written with words: e-mails (also "juan arroba gmail punto com", "(at)", spaces around @),
labelled document numbers, postal codes (CEP), street addresses (with or without a street word), the
buyer's name. Every pattern runs in linear time: RE2 where a run is unbounded, Python's re only with
bounded repetitions tried from word starts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import re2

from proxy.nlp.normalize import fold

_L = r"[\p{L}\p{N}_-]+"  # a label (RE2: Python's \w spelled out)
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*(?:dot|punto|ponto)\s*[\)\]\}>]\s*|\s+(?:dot|punto|ponto)\s+)"
_AT = r"(?:\s*@\s*|\s*[\(\[\{<]\s*(?:at|arroba)\s*[\)\]\}>]\s*|\s+arroba\s+)"
_TLD = (
    r"(?:com|net|org|edu|gov|info|biz|io|me|co|br|mx|ar|cl|es|us|uk|pt|pe|uy|py|bo|ec|ve|cr|gt|hn|sv|ni|pa|do|"
    r"ca|de|fr|it|cn|app|dev|online|shop|store|xyz)"
)
_PROVIDERS = (
    r"(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|icloud|me|aol|proton(?:mail)?|uol|bol|"
    r"terra|ig|globo|zoho|gmx|yandex)"
)
EMAILS = [
    re2.compile(r"[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+"),
    re2.compile(
        rf"(?i)[\p{{L}}\p{{N}}_+-]+(?:{_DOT}{_L}){{0,4}}(?:{_AT}{_L}(?:{_DOT}{_L}){{0,3}}|\s+at\s+{_PROVIDERS}"
        rf"(?:{_DOT}{_L}){{0,2}}){_DOT}{_TLD}\b"
    ),
]

_ID_LABEL = (
    r"dni|d\.n\.i\.?|documento(?:\s+(?:de\s+identidad|nacional))?|doc\.|c[eé]dula(?:\s+de\s+(?:ciudadan[ií]a|"
    r"identidad))?|c\.c\.?|cc|c\.i\.?|rg|rne|run|identidad|identifica[cç][aã]o|pasaporte|passaporte|passport|"
    r"ine|ife|ssn|n[uú]mero\s+de\s+documento|nro\.?\s+de\s+documento"
)
LABELLED_ID = re.compile(
    rf"(?i)(?<!\w)(?:{_ID_LABEL})(?!\w)[\s:nº°.#-]{{0,6}}(?:(?:es|é|is|n[uú]mero)\s{{1,3}})?"
    r"(?:[a-z]{2}-?)?(?P<v>\d[\d.\s-]{4,16}\d(?:-?[\dkKxX])?)(?!\d)"
)
# Argentine DNI written with dots (30.123.456) is a DNI even unlabelled, unless money is around it.
DOTTED_DNI = re.compile(r"(?<![\d.,$])(?P<v>\d{1,2}\.\d{3}\.\d{3})(?![\d]|[.,]\d)")
_MONEY_BEFORE = re.compile(
    r"(?i)(?:\$|r\$|us\$|usd|mxn|ars|cop|clp|brl|precio|pre[cç]o|price|cuesta|vale)\s*$"
)
_MONEY_AFTER = re.compile(r"(?i)^\s*(?:pesos|reais|reales|d[oó]lares|dollars|usd|mxn|ars|cop|clp|mil)\b")
POSTAL = [
    re.compile(
        r"(?i)(?<!\w)(?:cep|c\.\s?p\.|cp|c[oó]digo\s+postal|zip(?:\s*code)?|postal\s+code)(?!\w)[\s:nº°.#-]{0,4}(?:(?:es|é|is)\s{1,3})?"
        r"(?P<v>\d{2}\.?\d{3}-?\d{3}|\d{4,7}|[a-z]\d{4}[a-z]{3})(?!\w)"
    ),
    re.compile(r"(?<![\d.,/-])(?P<v>\d{5}-\d{3})(?![\d-])"),  # CEP 01310-100, its shape is unique
]
_STREET = (
    r"calle|c/|avenida|av\.?|avda\.?|rua|r\.|travessa|tv\.|alameda|al\.|estrada|rodovia|rod\.|carrera|cra\.?|"
    r"kr\.?|cll\.?|cl\.|diagonal|dg\.?|transversal|pasaje|psje\.?|pje\.?|jir[oó]n|jr\.|calzada|camino|"
    r"prolongaci[oó]n|privada|cerrada|andador|callej[oó]n|pra[cç]a|largo|street|st\.|avenue|ave\.|road|rd\.|"
    r"boulevard|blvd\.?|lane|ln\.|drive|dr\.|court|ct\."
)
_HOUSE = r"(?:n[º°o.]?\s?|#\s?)?\d{1,5}[a-z]?(?:\s?[-#]\s?\d{1,4}){0,2}(?!\d)"
_MARKER = (
    r"col\.|colonia|depto\.?|dpto\.?|departamento|piso|apto\.?|ap\.|apartamento|bloco|bloque|casa|int\.|"
    r"interior|lote|mz\.?|manzana|barrio|bairro|esquina|esq\.|entre|comuna|cp|c\.p\.|cep|fraccionamiento|"
    r"fracc\.|villa|vila|sector|torre|conjunto|apt\.?|unit|suite|ste\.?"
)
_ADDRESS_LABEL = (
    r"direcci[oó]n|domicilio|endere[cç]o|address|moro\s+(?:na|no|em)|vivo\s+en|mi\s+casa\s+(?:es|queda\s+en)|"
    r"entregar\s+en|entregue\s+(?:na|no|em)|ship\s+(?:it\s+)?to|deliver\s+(?:it\s+)?to|env[ií](?:a|e|en)lo\s+a"
)
_CAP = r"[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ][^\W\d_]{0,30}"
ADDRESSES = [
    re.compile(rf"(?i)(?<!\w)(?P<v>(?:{_STREET})\s{{1,3}}[^\n,;:!?]{{2,40}}?,?\s{_HOUSE})"),
    re.compile(
        rf"(?i)(?<!\w)(?:{_ADDRESS_LABEL})\s{{0,3}}(?:es|é|is|:)?\s{{0,3}}(?P<v>[^\n;!?]{{0,50}}?\d{{1,5}}"
        rf"[a-z]?(?:\s?[-#]\s?\d{{1,4}}){{0,2}})(?!\d)"
    ),
    re.compile(rf"(?<!\w)(?P<v>(?:{_CAP}\s{{1,2}}){{1,4}}{_HOUSE})(?=,?\s{{1,3}}(?i:{_MARKER})(?!\w))"),
    re.compile(rf"(?<!\w)(?P<v>(?:{_CAP}\s{{1,2}}){{1,4}}(?:n[º°]\s?|#\s?)\d{{1,5}}[a-z]?)(?!\d)"),
    re.compile(  # 1600 Pennsylvania Avenue
        rf"(?<![\w.,])(?P<v>\d{{1,5}}\s{{1,2}}(?:{_CAP}\s{{1,2}}){{1,3}}(?i:street|st\.?|avenue|ave\.?|road|rd\.?|"
        r"boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|way|court|ct\.?|place|pl\.?)(?!\w))"
    ),
]

# The fewest digits a match of each digit-bearing pattern holds: a text with fewer is not searched with it
# (most messages hold few digits or none; the address patterns alone cost 110 µs a message).
# tests/test_redact.py checks every bound.
LEAST_DIGITS: dict[re.Pattern[str], int] = {
    LABELLED_ID: 2,
    DOTTED_DNI: 7,
    **{p: 4 for p in POSTAL},
    **{p: 1 for p in ADDRESSES},
}


def digit_count(text: str) -> int:
    """The text's digits by `str.isdigit`: every character the patterns' `\\d` reads as one, and a few more
    (such as ❶), so a bound is never applied to a text the pattern could match."""
    return sum(map(str.isdigit, text))


NAME_STOP = frozenset("de da do das dos del la las los y e van von di du le".split())
_ACCENTS = {"a": "aáàâãä", "e": "eéèêë", "i": "iíìîï", "o": "oóòôõö", "u": "uúùûü", "c": "cç", "n": "nñ"}
_WORDS = re.compile(r"[^\W\d_]{2,40}")
GREETED = re.compile(
    r"(?m)^[ \t]{0,10}(?i:hola|oi|ol[aá]|hi|hello|hey|dear|buen[oa]s?(?:\s(?:d[ií]as?|tardes|noches))?|"
    r"bom\sdia|boa\s(?:tarde|noite)|estimad[oa]|querid[oa]|prezad[oa]|car[oa])[ \t]{0,3},?[ \t]{1,3}"
    rf"(?P<v>{_CAP})"
)
NOT_NAMES = frozenset(
    "buenas buen buenos que qué muchas gracias tudo bom boa there thanks thank good amigo amiga estimado "
    "estimada querido querida team equipo cliente señor senor señora senora sr sra".split()
)


def name_tokens(name: str) -> list[str]:
    """The words of a name, folded (case and accents), without particles such as "de" or "da"."""
    return [t for t in re.findall(r"[^\W\d_]{2,40}", fold(name)) if t not in NAME_STOP]


def _letter(ch: str) -> str:
    return f"[{_ACCENTS[ch]}]" if ch in _ACCENTS else re.escape(ch)


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole words of the given names, any case, with or without accents."""
    tokens = sorted({t for n in names for t in name_tokens(n)}, key=len, reverse=True)
    if not tokens:
        return None
    alternatives = "|".join("".join(_letter(c) for c in t) for t in tokens)
    return re.compile(rf"(?i)(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])")


def spans(text: str, names: Iterable[str] = (), digits: int | None = None) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every e-mail, labelled id, DNI, postal code, address and given name (`digits`:
    the text's `digit_count`, when the caller has it)."""
    out: list[tuple[str, int, int]] = []
    for pattern in EMAILS:
        out += [("email", m.start(), m.end()) for m in pattern.finditer(text)]
    digits = digit_count(text) if digits is None else digits
    for kind, patterns in (("id", [LABELLED_ID]), ("cep", POSTAL), ("address", ADDRESSES)):
        for p in patterns:
            if digits >= LEAST_DIGITS[p]:
                out += [(kind, m.start("v"), m.end("v")) for m in p.finditer(text)]
    for m in DOTTED_DNI.finditer(text) if digits >= LEAST_DIGITS[DOTTED_DNI] else ():
        if not _MONEY_BEFORE.search(text[max(0, m.start() - 12) : m.start()]) and not _MONEY_AFTER.match(
            text[m.end() : m.end() + 12]
        ):
            out.append(("dni", m.start(), m.end()))
    named = names_pattern(names)
    if named is not None:
        out += [("name", m.start(), m.end()) for m in named.finditer(text)]
    return out


def greeted_names(text: str) -> list[tuple[str, int, int]]:
    """The name right after a greeting that opens a line ("Hola Mariana, ..."): a reply's addressee."""
    return [
        ("name", m.start("v"), m.end("v"))
        for m in GREETED.finditer(text)
        if m.group("v").casefold() not in NOT_NAMES
    ]


def hashed_names(
    text: str, keys: set[str], hasher: Callable[[str], str | None]
) -> list[tuple[str, int, int]]:
    """Words whose keyed hash is one of `keys` (the buyer's name, known to the store only as hashes)."""
    if not keys:
        return []
    return [("name", m.start(), m.end()) for m in _WORDS.finditer(text) if hasher(fold(m.group())) in keys]
