"""PII redaction before anything is written or logged. Text is first cleaned (NFKC, no zero-width, format
or bidi characters: `proxy.nlp.clean`), so a full-width ＠, an NBSP inside a card number or a zero-width
space inside an e-mail changes nothing. Then: e-mails (also spelled out: "arroba", "punto", "(at)"),
phone numbers (digits or es/pt/en number words, any separators), card numbers (issuer prefix and Luhn),
CPF, CNPJ, CUIT, RUT, RFC, CURP (checksums), labelled ID numbers (DNI, cédula, RG...), Argentine DNI
with dots, CEP and labelled postal codes, street addresses, and the buyer's name when it is known.
Every detector runs in linear time (see tests/test_patterns.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.mx import curp, rfc

from proxy.nlp.clean import clean
from proxy.pii import text as words
from proxy.pii.numbers import find_numbers
from proxy.pii.text import name_tokens

__all__ = ["Finding", "find", "name_tokens", "redact", "redact_names", "redact_logs", "RedactingFilter"]


@dataclass(frozen=True)
class Finding:
    """One piece of PII in a (cleaned) text."""

    kind: str
    start: int
    end: int
    value: str


def _valid(check: Callable[[str], object]) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            check(value)
        except Exception:  # noqa: BLE001 - stdnum raises several ValidationError subclasses
            return False
        return True

    return ok


# Alphanumeric documents, checksum-validated (bounded patterns: linear). Digit-only documents (CPF, CNPJ,
# CUIT) and cards are found by proxy.pii.numbers whatever their separators.
DOCUMENTS: list[tuple[str, re.Pattern[str], Callable[[str], bool]]] = [
    (
        "curp",
        re.compile(r"\b[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z\d]\d\b", re.I),
        _valid(lambda v: curp.validate(v.upper())),
    ),
    (
        "rfc",
        re.compile(r"\b[A-ZÑ&]{3,4}-?\d{6}-?[A-Z\d]{3}\b", re.I),
        _valid(lambda v: rfc.validate(v.upper())),
    ),
    ("rut", re.compile(r"\b\d{1,2}[.\s]?\d{3}[.\s]?\d{3}\s?-\s?[\dkK]\b"), _valid(rut.validate)),
    # written in their usual shape, these are taken first, so that the number scanner never joins them
    ("cnpj", re.compile(r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b"), _valid(cnpj.validate)),
    ("cpf", re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), _valid(cpf.validate)),
    ("cuit", re.compile(r"\b\d{2}-?\d{8}-?\d\b"), _valid(cuit.validate)),
]
AMAZON_ORDER = re.compile(r"(?<!\d)\d{3}-\d{7}-\d{7}(?!\d)")  # never taken for a phone and a card
# The fewest digits a match holds (as `words.LEAST_DIGITS`): a text with fewer is not searched with it.
LEAST_DIGITS = {"curp": 7, "rfc": 6, "rut": 7, "cnpj": 14, "cpf": 11, "cuit": 11, "amazon": 17}


PRIORITY = {
    k: n for n, k in enumerate("email card cpf cnpj cuit rut rfc curp dni phone cep id address".split())
}


def _merge(found: list[tuple[str, int, int]], text: str) -> list[Finding]:
    """Overlapping spans become one (redacting their union); the earliest, longest span names it."""
    merged: list[Finding] = []
    for kind, start, end in sorted(found, key=lambda f: (f[1], -(f[2] - f[1]), PRIORITY.get(f[0], 99))):
        if start >= end:
            continue
        if merged and start < merged[-1].end:
            last = merged[-1]
            if end > last.end:
                merged[-1] = Finding(last.kind, last.start, end, text[last.start : end])
            continue
        merged.append(Finding(kind, start, end, text[start:end]))
    return merged


def spans(text: str, names: Iterable[str] = ()) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every detector's finding in an already cleaned text (may overlap)."""
    found: list[tuple[str, int, int]] = []
    digits = words.digit_count(text)
    for kind, pattern, valid in DOCUMENTS:
        if digits >= LEAST_DIGITS[kind]:
            found += [(kind, m.start(), m.end()) for m in pattern.finditer(text) if valid(m.group())]
    orders = AMAZON_ORDER.finditer(text) if digits >= LEAST_DIGITS["amazon"] else ()
    protected = [(m.start(), m.end()) for m in orders] + [(s, e) for _, s, e in found]
    found += words.spans(text, names, digits)
    if digits >= 7 or re.search(r"[^\W\d_]{3}", text):
        found += [(f.kind, f.start, f.end) for f in find_numbers(text, protected)]
    return found


def find(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Every PII span of clean(text) (positions and values refer to the cleaned text)."""
    cleaned = clean(text)
    return _merge(spans(cleaned, names), cleaned)


def _apply(text: str, findings: list[Finding]) -> str:
    out, last = [], 0
    for f in findings:
        out += [text[last : f.start], f"[{f.kind}]"]
        last = f.end
    return "".join(out) + text[last:]


def redact(text: str, names: Iterable[str] = ()) -> str:
    """clean(text) with every PII span (and every word of the given names) replaced by `[kind]`."""
    cleaned = clean(text)
    return _apply(cleaned, _merge(spans(cleaned, names), cleaned))


def redact_names(text: str, keys: set[str], hasher: Callable[[str], str | None]) -> str:
    """An agent's reply (already redacted) without the buyer's name: the words whose keyed hash is a word
    of the buyer's name, and the name greeted at the start of a line ("Hola Mariana,")."""
    cleaned = clean(text)
    found = words.hashed_names(cleaned, keys, hasher) + words.greeted_names(cleaned)
    return _apply(cleaned, _merge(found, cleaned))


class RedactingFilter(logging.Filter):
    """Rewrites each log record with PII redacted, tracebacks included (attach it to every handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Install the filter on every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(RedactingFilter())
