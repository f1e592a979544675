"""Numbers a buyer writes however they like: digit groups joined by any light separator (space, NBSP, dot,
dash, slash, bullet...) or spelled out in es / pt / en words ("cinco cinco, doce, treinta y cuatro"). One
linear scan makes the groups; windows of adjacent groups are then checked as phone numbers
(`phonenumbers`, MX/BR/AR/CO/CL/US/ES), card numbers (issuer prefix and Luhn), CPF, CNPJ and CUIT
(checksums). Order ids and alphanumeric codes (tracking numbers) are never taken apart."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.ar import cuit
from stdnum.br import cnpj, cpf

from proxy.nlp.normalize import fold

REGIONS = ("MX", "BR", "AR", "CO", "CL", "US", "ES")
NATIONAL_LENGTHS = {
    "MX": {10},
    "BR": {10, 11},
    "AR": {10, 11, 12},
    "CO": {10},
    "CL": {9},
    "US": {10},
    "ES": {9},
}
COUNTRY_CODES = ("52", "55", "54", "57", "56", "1", "34")
_TOKEN = re.compile(r"\d+|[^\W\d_]+")  # digit runs and letter runs: disjoint classes, no backtracking
_LIGHT = frozenset(" \t-./\\_·•*|()+~")  # what may stand between the groups of one number
MAX_SEP = 3
MAX_DIGITS = 19
PHONE_CHECKS = 400  # phonenumbers calls per text; past that every phone-shaped window is redacted unchecked

UNITS = {
    **dict.fromkeys(("cero", "zero", "oh"), "0"),
    **dict.fromkeys(("uno", "una", "um", "uma", "one"), "1"),
    **dict.fromkeys(("dos", "dois", "duas", "two"), "2"),
    **dict.fromkeys(("tres", "three"), "3"),
    **dict.fromkeys(("cuatro", "quatro", "four"), "4"),
    **dict.fromkeys(("cinco", "five"), "5"),
    **dict.fromkeys(("seis", "meia", "six"), "6"),
    **dict.fromkeys(("siete", "sete", "seven"), "7"),
    **dict.fromkeys(("ocho", "oito", "eight"), "8"),
    **dict.fromkeys(("nueve", "nove", "nine"), "9"),
}
TEENS = {
    **dict.fromkeys(("diez", "dez", "ten"), "10"),
    **dict.fromkeys(("once", "onze", "eleven"), "11"),
    **dict.fromkeys(("doce", "doze", "twelve"), "12"),
    **dict.fromkeys(("trece", "treze", "thirteen"), "13"),
    **dict.fromkeys(("catorce", "catorze", "quatorze", "fourteen"), "14"),
    **dict.fromkeys(("quince", "quinze", "fifteen"), "15"),
    **dict.fromkeys(("dieciseis", "dezesseis", "dezasseis", "sixteen"), "16"),
    **dict.fromkeys(("diecisiete", "dezessete", "dezassete", "seventeen"), "17"),
    **dict.fromkeys(("dieciocho", "dezoito", "eighteen"), "18"),
    **dict.fromkeys(("diecinueve", "dezenove", "dezanove", "nineteen"), "19"),
    **dict.fromkeys(("veinte", "vinte", "twenty"), "20"),
    **dict.fromkeys(("treinta", "trinta", "thirty"), "30"),
    **dict.fromkeys(("cuarenta", "quarenta", "forty"), "40"),
    **dict.fromkeys(("cincuenta", "cinquenta", "fifty"), "50"),
    **dict.fromkeys(("sesenta", "sessenta", "sixty"), "60"),
    **dict.fromkeys(("setenta", "seventy"), "70"),
    **dict.fromkeys(("ochenta", "oitenta", "eighty"), "80"),
    **dict.fromkeys(("noventa", "ninety"), "90"),
}
VEINTI = {"veinti" + w: "2" + d for w, d in UNITS.items() if d != "0"}  # veintiuno ... veintinueve
CONNECTORS = frozenset({"y", "e", "and"})  # "treinta y cuatro", "trinta e quatro"
# Spelled digits are taken only in a run of at least this many number words ("dos" alone is a word).
MIN_WORDS = 3
CARD_PREFIXES = ("3", "4", "5", "6")  # Amex, Diners, JCB; Visa, Elo; Mastercard, Maestro; Discover, UnionPay


def _card_prefix(digits: str) -> bool:
    return digits.startswith(CARD_PREFIXES) or 2221 <= int(digits[:4]) <= 2720  # Mastercard 2-series


@dataclass(frozen=True)
class Group:
    """A digit group in the text: where it is and the digits it stands for."""

    start: int
    end: int
    digits: str
    spelled: bool = False


def _number_word(word: str) -> str | None:
    w = fold(word)
    return UNITS.get(w) or TEENS.get(w) or VEINTI.get(w)


def groups(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[list[Group]]:
    """Runs of digit groups that may form one number (adjacent, light separators between them)."""
    blocked = sorted(protected)
    runs: list[list[Group]] = []
    run: list[Group] = []
    pending_tens: Group | None = None
    b = 0
    for m in _TOKEN.finditer(text):
        start, end, tok = m.start(), m.end(), m.group()
        while b < len(blocked) and blocked[b][1] <= start:
            b += 1
        inside = b < len(blocked) and blocked[b][0] < end
        if tok[0].isdigit():
            near_letter = (start and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())
            group = None if inside or near_letter else Group(start, end, tok)
        elif (digits := _number_word(tok)) is not None and not inside:
            if (
                pending_tens
                and digits in UNITS.values()
                and len(digits) == 1
                and run
                and run[-1] is pending_tens
            ):
                joined = pending_tens.digits[0] + digits  # "treinta y cuatro" -> 34
                run[-1] = Group(pending_tens.start, end, joined, True)
                pending_tens = None
                continue
            group = Group(start, end, digits, True)
        elif fold(tok) in CONNECTORS and run and run[-1].spelled and run[-1].digits.endswith("0"):
            pending_tens = run[-1]
            continue
        else:
            group = None
        if group is None:
            if run:
                runs.append(run)
            run, pending_tens = [], None
            continue
        if run and not _joins(text, run[-1], group):
            runs.append(run)
            run = []
        if group.spelled and group.digits.endswith("0") and len(group.digits) == 2:
            pending_tens = group
        run.append(group)
    if run:
        runs.append(run)
    return runs


def _joins(text: str, left: Group, right: Group) -> bool:
    gap = text[left.end : right.start]
    if left.spelled or right.spelled:  # "cinco, cinco, uno" / "cinco cinco 1234"
        return len(gap) <= MAX_SEP and all(c in _LIGHT or c == "," for c in gap)
    return 0 < len(gap) <= MAX_SEP and all(c in _LIGHT for c in gap)


@functools.lru_cache(maxsize=8192)
def valid_phone(number: str) -> bool:
    """`number` is digits, with a leading '+' when the buyer wrote one: a valid number of our regions?"""
    candidates: list[tuple[str, str | None]] = []
    if number.startswith("+"):
        candidates.append((number, None))
    else:
        if number.startswith("00"):
            candidates.append(("+" + number[2:], None))
        candidates += [(number, r) for r in REGIONS if len(number) in NATIONAL_LENGTHS[r]]
        if 11 <= len(number) <= 13 and number.startswith(COUNTRY_CODES):
            candidates.append(("+" + number, None))
    for value, region in candidates:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _checked(check: object, value: str) -> bool:
    try:
        return bool(check.is_valid(value))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - stdnum raises several error types
        return False


def kind_of(digits: str) -> str | None:
    """The checksum-validated document or card these digits form, if any (phones are checked apart)."""
    n = len(digits)
    if n == 11 and _checked(cpf, digits):
        return "cpf"
    if n == 11 and digits[:2] in ("20", "23", "24", "27", "30", "33", "34") and _checked(cuit, digits):
        return "cuit"
    if n == 14 and _checked(cnpj, digits):
        return "cnpj"
    if 13 <= n <= 19 and _card_prefix(digits) and luhn.is_valid(digits):
        return "card"
    return None


@dataclass(frozen=True)
class NumberFinding:
    kind: str
    start: int
    end: int


def find_numbers(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[NumberFinding]:
    """Phones, cards, CPF/CNPJ/CUIT among the digit runs, longest window first at each position."""
    found: list[NumberFinding] = []
    checked: set[str] = set()
    for run in groups(text, protected):
        i = 0
        while i < len(run):
            best: tuple[int, str] | None = None  # (index of last group, kind)
            digits = ""
            spelled = 0
            for j in range(i, len(run)):
                digits += run[j].digits
                spelled += run[j].spelled
                if len(digits) > MAX_DIGITS:
                    break
                if spelled and spelled < MIN_WORDS:
                    continue
                plus = text[run[i].start - 1 : run[i].start] == "+"
                kind = None if plus else kind_of(digits)  # "+52 1 55..." is a phone, never a card
                if kind is None and 8 <= len(digits) <= 15:
                    number = ("+" if plus else "") + digits
                    if len(checked) < PHONE_CHECKS or number in checked:
                        checked.add(number)
                        kind = "phone" if valid_phone(number) else None
                    elif 9 <= len(digits) <= 13:
                        kind = "phone"  # out of checks (digit soup): redact rather than leak
                if kind:
                    best = (j, kind)
            if best is None:
                i += 1
                continue
            j, kind = best
            start = run[i].start
            while start > run[i].start - 2 and start and text[start - 1] in "+(":  # "+55", "(212)"
                start -= 1
            found.append(NumberFinding(kind, start, run[j].end))
            i = j + 1
    return found
