"""PII redaction: checksum-valid documents, phones, e-mails, cards and addresses; no false positives."""

import logging
import re

import pytest

from proxy.policy import check, foreign_pii
from proxy.redact import RedactingFilter, find, redact

# Fake but checksum-valid identifiers (none belongs to a real buyer of ours).
PII = [
    ("mi CPF é 529.982.247-25", "mi CPF é [cpf]"),
    ("CPF 52998224725 pra nota", "CPF [cpf] pra nota"),
    ("CNPJ da empresa 11.222.333/0001-81", "CNPJ da empresa [cnpj]"),
    ("factura a mi RFC GODE561231GR8 porfa", "factura a mi RFC [rfc] porfa"),
    ("mi CURP es BOXW310820HNERXN09", "mi CURP es [curp]"),
    ("CUIT 20-12345678-6 para la factura A", "CUIT [cuit] para la factura A"),
    ("mi DNI 30.123.456", "mi DNI [dni]"),
    ("RUT 12.345.678-5, boleta por favor", "RUT [rut], boleta por favor"),
    ("llamame al 55 1234 5678", "llamame al [phone]"),
    ("meu zap 11 98765-4321", "meu zap [phone]"),
    ("whatsapp +54 9 11 2345-6789", "whatsapp [phone]"),
    ("call me at (212) 555-0143", "call me at [phone]"),
    ("escribime a ana.perez+ml@gmail.com", "escribime a [email]"),
    ("paguei com o cartão 4111 1111 1111 1111", "paguei com o cartão [card]"),
    ("envíenlo a Calle Fresno 123, col. Centro", "envíenlo a [address], col. Centro"),
    ("entrega na Rua das Flores, 45 apto 2", "entrega na [address] apto 2"),
]
NOT_PII = [
    "venta 2000004417731, guía LB123456789CN",
    "order 114-3958201-7741022",
    "mido 1.70 y peso 70, ¿talla 32 o 34?",
    "cuesta $3,299 y llega el 15/05",
    "RFC XXXX000000XXX",
]


@pytest.mark.parametrize(("text", "redacted"), PII)
def test_redacts(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize("text", NOT_PII)
def test_leaves_order_ids_sizes_prices_and_invalid_checksums(text: str) -> None:
    assert find(text) == [] and redact(text) == text


def test_a_cpf_with_a_wrong_check_digit_is_no_cpf() -> None:
    assert [f.kind for f in find("CPF 529.982.247-24")] != ["cpf"]


def test_log_records_are_redacted_with_their_tracebacks() -> None:
    record = logging.LogRecord(
        "responde", logging.ERROR, __file__, 1, "buyer %s wrote", ("529.982.247-25",), None
    )
    try:
        raise ValueError("ana.perez@gmail.com")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert record.getMessage() == "buyer [cpf] wrote"
    assert "ana.perez@gmail.com" not in (record.exc_text or "") and "[email]" in (record.exc_text or "")


def test_a_reply_never_brings_personal_data_from_outside_the_conversation() -> None:
    reply = "Hola, te llamamos al 55 1234 5678 o escribinos a ventas@tienda.com"
    assert foreign_pii(reply, "hola, me llaman? mi cel es 55-1234-5678") == ["email"]
    assert foreign_pii(reply, "nada") == ["email", "phone"]
    result = check(reply, None, (), "nada")
    assert result.violations == (
        "personal data not from this conversation: email",
        "personal data not from this conversation: phone",
    )
    assert not result.ok


# A text that each digit-bearing pattern matches (`LEAST_DIGITS` of proxy/pii/text.py and proxy/redact.py).
MATCHED = PII + [
    ("order 114-3958201-7741022 llegó", ""),
    ("mi CEP é 01310-100", ""),
    ("código postal 06700, CDMX", ""),
    ("mi dirección es Fresno 123", ""),
    ("vivo en Av Juárez # 45", ""),
    ("ship to 1600 Pennsylvania Avenue", ""),
    # the fewest digits each shape allows (the patterns' matches; no checksum needed here)
    ("DNI 1 .. . 2", ""),
    ("CURP BOXW310820HNERXNA9", ""),
    ("RFC GODE561231GRA", ""),
    ("RUT 9.876.543-K", ""),
]


def _least() -> list[tuple[str, re.Pattern[str], int]]:
    from proxy import redact as r
    from proxy.pii import text as words

    kinds = {words.LABELLED_ID: "id", words.DOTTED_DNI: "dni", **{p: "cep" for p in words.POSTAL}}
    found = [(kinds.get(p, "address"), p, n) for p, n in words.LEAST_DIGITS.items()]
    found += [(kind, p, r.LEAST_DIGITS[kind]) for kind, p, _ in r.DOCUMENTS]
    return [*found, ("amazon", r.AMAZON_ORDER, r.LEAST_DIGITS["amazon"])]


@pytest.mark.parametrize(("kind", "pattern", "least"), _least())
def test_a_pattern_is_skipped_only_on_texts_it_could_not_match(
    kind: str, pattern: re.Pattern[str], least: int
) -> None:
    """A digit-bearing pattern is not run on a text with fewer digits than its bound: every match holds
    that many (each pattern matches an example, and still holds that many digits when no digit more can be
    dropped with the pattern still matching; random strings of digits, separators and letters never match
    with fewer)."""
    import random

    from proxy.nlp.clean import clean
    from proxy.pii.text import digit_count

    examples = [clean(text) for text, _ in MATCHED if pattern.search(clean(text))]
    assert examples, kind
    for text in examples:  # drop digits, one at a time, while the pattern still matches
        dropped = True
        while dropped:
            dropped = False
            for i in (i for i, ch in enumerate(text) if ch.isdigit()):
                if pattern.search(text[:i] + text[i + 1 :]):
                    text, dropped = text[:i] + text[i + 1 :], True
                    break
        assert digit_count(text) >= least, (kind, text)
    rng = random.Random(kind)
    pieces = [*"0123456789", *".-/ #:°" * 3, " DNI ", " CEP ", " calle ", " Rua ", "Ab", "HM", "Kk", "n° "]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        for m in pattern.finditer(text):
            assert digit_count(m.group()) >= least, (kind, text)


def test_the_digit_count_counts_every_character_the_patterns_read_as_a_digit() -> None:
    """A bound of `LEAST_DIGITS` holds only if `digit_count` misses no `\\d` of any script."""
    import sys

    from proxy.pii.text import digit_count

    digits = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if re.match(r"\d", ch))
    assert digit_count(digits) == len(digits) and digit_count("❶ dos") == 1
