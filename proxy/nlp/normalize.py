"""The one text normalizer used by keyword rules, model features and training alike."""

from __future__ import annotations

import functools
import re
import unicodedata

import re2

from proxy.nlp.charclass import char_class

# Chat abbreviations seen in es / pt / en buyer messages, mapped to one canonical spelling.
ABBREVIATIONS: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "pk": "porque",
    "porq": "porque",
    "xk": "porque",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfi": "por favor",
    "xfa": "por favor",
    "xfavor": "por favor",
    "pf": "por favor",
    "pfv": "por favor",
    "pfvr": "por favor",
    "plis": "please",
    "pls": "please",
    "plz": "please",
    "plss": "please",
    "vc": "voce",
    "vcs": "voces",
    "ce": "voce",
    "tb": "tambien",
    "tmb": "tambien",
    "tbm": "tambem",
    "tmbn": "tambien",
    "obg": "obrigado",
    "obgd": "obrigado",
    "obgda": "obrigada",
    "brigado": "obrigado",
    "brigada": "obrigada",
    "hj": "hoje",
    "qdo": "quando",
    "qnd": "quando",
    "qndo": "quando",
    "qto": "quanto",
    "qnto": "cuanto",
    "cmg": "comigo",
    "mt": "muito",
    "mto": "muito",
    "mta": "muita",
    "td": "tudo",
    "tds": "todos",
    "blz": "beleza",
    "vdd": "verdade",
    "dps": "depois",
    "aki": "aqui",
    "n": "nao",
    "naum": "nao",
    "ñ": "nao",
    "nd": "nada",
    "msg": "mensaje",
    "msj": "mensaje",
    "tmj": "tamo junto",
    "pra": "para",
    "d": "de",
    "x": "por",
    "xa": "para",
    "tons": "entonces",
    "ntons": "entonces",
    "sta": "esta",
    "toy": "estoy",
    "tas": "estas",
    "bn": "bien",
    "grax": "gracias",
    "graxias": "gracias",
    "grs": "gracias",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thank you",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pkg": "package",
    "pckg": "package",
    "plz,": "please",
    "b4": "before",
    "2day": "today",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "rn": "right now",
    "idk": "i dont know",
    "wk": "week",
    "wks": "weeks",
    "info": "informacion",
    "dlls": "dolares",
    "pz": "pieza",
    "pzs": "piezas",
    "cel": "celular",
    "celu": "celular",
    "wsp": "whatsapp",
    "wpp": "whatsapp",
    "zap": "whatsapp",
}

_WORD = re.compile(r"[a-z0-9ñ]+|[?!]|[^\sa-z0-9]", re.UNICODE)
_REPEAT = re.compile(r"([a-z])\1{2,}")
_URL = re.compile(r"(https?://\S+|www\.\S+)")
# RE2 (linear time): with Python's re this pattern backtracks quadratically ("a@" * 32768 took minutes).
# Python's \S and \w, spelled out for RE2, whose shorthands are ASCII-only.
_EMAIL = re2.compile(r"[^\s\x1c-\x1f\x85\p{Z}]+@[^\s\x1c-\x1f\x85\p{Z}]+\.[\p{L}\p{N}_]+")
_DIGITS = re.compile(r"\d+")
_LAUGH = re.compile(r"^(?:(?:ja|je|ji|ha|he|ka|rs|js|jaj|kk)+[a-z]?|k{3,}|rsrs\w*)$")
_PUNCT_KEEP = {"?", "!"}
_MARK_RUN = re.compile(r"([?!])(?: \1)+")  # linear: a run of one literal token


# Runs of combining marks of the Basic Multilingual Plane, as one character class of ranges (three times
# faster than str.translate with a table of every mark; built at import, in a few milliseconds, so a forked
# worker never builds it again).
_MARKS = re.compile(char_class(cp for cp in range(0x10000) if unicodedata.combining(chr(cp))) + "+")


def fold(text: str) -> str:
    """Lowercase and strip accents (ñ becomes n), keeping everything else."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


@functools.lru_cache(maxsize=1 << 16)
def _token(tok: str) -> str:
    if tok.isdigit():
        return "<num>" if len(tok) < 6 else "<id>"
    if len(tok) > 3 and _LAUGH.match(tok):
        return "<laugh>"
    tok = _REPEAT.sub(r"\1", tok)
    return ABBREVIATIONS.get(tok, tok)


@functools.lru_cache(maxsize=1 << 16)
def _piece(raw: str) -> str:
    """What one match of _WORD adds to the normalized text: its tokens, space-separated, or "" for none."""
    if raw.isalnum():
        if raw == "urltoken":
            return "<url>"
        if raw == "emailtoken":
            return "<email>"
        return " ".join(_token(raw).split())
    if raw in _PUNCT_KEEP or (not raw.isascii() and unicodedata.category(raw[0]).startswith("S")):
        return raw
    return ""


def normalize(text: str) -> str:
    """One-line normalized form of a message, used everywhere text is matched or learned: folded,
    de-elongated, abbreviations expanded, numbers and links classed, a run of one mark ("???") kept once.

    Each match of _WORD maps to its piece through a cache, joined at C speed: "?" and "!" are the only
    pieces that are marks, each a whole token, so the runs are found in the joined text."""
    if "http" in text or "www." in text:
        text = _URL.sub(" <url> ", text)
    if "@" in text:
        text = _EMAIL.sub(" <email> ", text)
    folded = fold(text).replace("<url>", " urltoken ").replace("<email>", " emailtoken ")
    joined = " ".join(filter(None, map(_piece, _WORD.findall(folded))))
    if "? ?" in joined or "! !" in joined:
        joined = _MARK_RUN.sub(r"\1", joined)
    return joined


def tokens(text: str) -> list[str]:
    """The normalized tokens of a message (normalize(), split)."""
    return normalize(text).split()


def has_digits(text: str) -> bool:
    """True when the text contains a digit."""
    return bool(_DIGITS.search(text))
