"""PII redaction before anything is written or logged: e-mails, phones, CPF/CNPJ, RFC/CURP, CUIT/DNI,
RUT, card numbers and street addresses. Document numbers count only when their checksum is valid."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.mx import curp, rfc

REGIONS = ("MX", "BR", "AR", "CO", "CL", "US", "ES")


@dataclass(frozen=True)
class Finding:
    """One piece of PII in a text."""

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


# (kind, pattern, validator): checked in this order; earlier kinds win overlapping spans. A group named
# `v` marks the value when the pattern also matches a label ("DNI 30.123.456").
DOCUMENTS: list[tuple[str, re.Pattern[str], Callable[[str], bool]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), lambda v: True),
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
    ("cnpj", re.compile(r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b"), _valid(cnpj.validate)),
    ("cpf", re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), _valid(cpf.validate)),
    ("cuit", re.compile(r"\b\d{2}-?\d{8}-?\d\b"), _valid(cuit.validate)),
    ("rut", re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]\b"), _valid(rut.validate)),
    ("dni", re.compile(r"(?i)\bdni\b[\s:nº°.#]*(?P<v>\d{1,2}\.?\d{3}\.?\d{3})\b"), lambda v: True),
    ("card", re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), _valid(lambda v: luhn.validate(re.sub(r"\D", "", v)))),
]
ADDRESS = re.compile(
    r"(?i)\b(?:calle|avenida|av\.|avda\.?|rua|r\.|travessa|alameda|estrada|rodovia|carrera|cra\.?|"
    r"diagonal|transversal|pasaje|psje\.?|jir[oó]n|street|st\.|avenue|ave\.|road|rd\.|boulevard|blvd\.?)"
    r"\s+[^\n,;:!?]{2,40}?,?\s(?:n[º°o.]?\s?)?#?\s?\d{1,5}[a-z]?\b"
)


_DIGIT_TOKEN = re.compile(r"\+?\(?\d[\d().-]*")


def _valid_phone(candidate: str) -> bool:
    for region in REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _phones(text: str, taken: list[Finding]) -> Iterable[Finding]:
    for region in REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            yield Finding("phone", match.start, match.end, match.raw_string)
    # Numbers written back to back ("55 1234 5678 11 98765-4321") defeat the matcher: try runs of up to
    # five adjacent digit groups, longest first.
    tokens = [
        t
        for t in _DIGIT_TOKEN.finditer(text)
        if not any(f.start < t.end() and t.start() < f.end for f in taken)
    ]
    i = 0
    while i < len(tokens):
        for size in range(min(5, len(tokens) - i), 0, -1):
            group = tokens[i : i + size]
            gaps = [text[a.end() : b.start()] for a, b in zip(group, group[1:], strict=False)]
            if any(gap != " " for gap in gaps):
                continue
            start, end = group[0].start(), group[-1].end()
            digits = sum(ch.isdigit() for ch in text[start:end])
            if 8 <= digits <= 15 and _valid_phone(text[start:end]):
                yield Finding("phone", start, end, text[start:end])
                i += size - 1
                break
        i += 1


def find(text: str) -> list[Finding]:
    """Every PII span, longest first where spans overlap."""
    found: list[Finding] = []
    for kind, pattern, valid in DOCUMENTS:
        group = "v" if "v" in pattern.groupindex else 0
        for m in pattern.finditer(text):
            if valid(m.group(group)):
                found.append(Finding(kind, m.start(group), m.end(group), m.group(group)))
    found += [Finding("address", m.start(), m.end(), m.group()) for m in ADDRESS.finditer(text)]
    if sum(ch.isdigit() for ch in text) >= 7:  # no phone number has fewer digits; saves the slow matcher
        found += list(_phones(text, list(found)))
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def redact(text: str) -> str:
    """The text with every PII span replaced by `[kind]`."""
    out, last = [], 0
    for f in find(text):
        out += [text[last : f.start], f"[{f.kind}]"]
        last = f.end
    return "".join(out) + text[last:]


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
