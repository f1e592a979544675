"""Tone cues, disputes and the hand-off decision, on messages written for these tests."""

import random
import subprocess
import sys

import pytest

from proxy import paths
from proxy.engine import Engine
from proxy.nlp.corpus import read_corpus
from proxy.nlp.tone import ToneDetector, _shouting_in_full, shouting
from proxy.rules.loader import RuleSet

CUES = ToneDetector(
    {"es": ["pesimo"]},
    {"es": ["profeco"], "en": ["bbb", "1 star", "one star"]},
    {"es": ["gracias"]},
    {"es": ["la publicacion dice"]},
)


@pytest.mark.parametrize(
    ("text", "threats"),
    [
        ("me equivoqué, es el depto 4° B no 4° D", ()),
        ("el brasier copa B viene chico?", ()),
        ("reported you to the BBB", ("bbb",)),
        ("left a 5 star review, love it", ()),
        ("fix it or it's a 1 star review", ("1 star",)),
        ("one star, never again", ("one star",)),
        ("voy a ir a PROFECO", ("profeco",)),
    ],
)
def test_threat_phrases_match_whole_words_as_written(text: str, threats: tuple[str, ...]) -> None:
    assert CUES.detect(text).threats == threats


@pytest.mark.parametrize(
    ("text", "shouts"),
    [
        ("el celu se reinicia solo, ES NUEVO!!", True),
        ("dejó de funcionar, QUIERO MI DINERO", True),
        ("NO ME LLEGÓ NADA Y NADIE RESPONDE", True),
        ("pagué con PIX y lo mandan por DHL?", False),
        ("¿tienen el iPhone 15 PRO MAX?", False),
        ("la tele LG OLED trae control?", False),
        ("cable USB C de 2 metros", False),
    ],
)
def test_shouting_is_a_run_of_capitals_not_an_acronym(text: str, shouts: bool) -> None:
    assert shouting(text) is shouts
    assert ("shouting" in CUES.detect(text).cues) is shouts


# capitals, small letters, letters without case (中, ª), titlecase (ǅ), capitals that are not letters (Ⓐ) or
# are numbers (Ⅷ), a small modifier letter (ʰ), Deseret capital and small letters (beyond the BMP), marks
SHOUT_PIECES = [*"AbÉñ中ªǅⒶⅧʰ²𐐀𐐨😡", "\u0301", *" !1_-.", "ES", "NUEVO", "DHL", "Ok", "I", "ÑU", "A.B.C"]


def test_the_quick_test_of_shouting_never_changes_its_answer() -> None:
    """shouting() first looks for two capitals side by side (or with only non-letters between them): a
    message without them cannot be shouting. On random messages made of every kind of letter and mark its
    answers are those of the full test, and both answers occur."""
    pick = random.Random(7)
    answers = set()
    for _ in range(30_000):
        few = pick.sample(SHOUT_PIECES, pick.randint(2, 4))  # few kinds a message: long runs of each
        text = "".join(pick.choice(few) for _ in range(pick.randint(1, 30)))
        assert shouting(text) is _shouting_in_full(text), text
        answers.add(shouting(text))
    assert answers == {True, False}


def test_stacked_marks_count_only_beside_another_cue() -> None:
    assert CUES.detect("hola!! tienen en azul??").cues == ()
    assert CUES.detect("pesimo servicio!!").cues == ("pesimo", "!!")


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("no me quedó 😩 ¿lo cambio por una talla más?", "neutral"),  # weary, not angry
        ("ya intenté de todo y la cámara no se conecta al wifi", "negative"),
        ("tentei mil vezes e o fone não pareia", "negative"),
        ("tried everything in the manual, it still won't pair", "negative"),
        ("¿son de confianza? es mi primera compra con ustedes", "neutral"),
        ("perdí la confianza en esta tienda", "negative"),
        ("que isso, chegou super rápido, obrigada!", "positive"),
        ("the speaker sounds amazing, would buy again", "positive"),
        ("quedó espectacular en la sala, lo recomiendo", "positive"),
        ("chegou lindo, compraria de novo", "positive"),
        ("hermoso en la foto, horrible en persona", "negative"),  # a negative cue wins over praise
        ("¿es de buena calidad?", "neutral"),
        ("10/10 would recommend", "positive"),
        ("chegou rápido, nota 10", "positive"),
        ("a nota 100 era de outra loja", "neutral"),
    ],
)
def test_shipped_tone_cues(engine: Engine, text: str, sentiment: str) -> None:
    tone = engine.recognizer.tone.detect(text)
    assert (tone.sentiment, tone.negative) == (sentiment, sentiment == "negative")


def test_no_calm_corpus_line_before_a_sale_sounds_angry(rules: RuleSet) -> None:
    """Tone cues must not fire on plain questions: every pre-sale and relationship line of the corpus."""
    calm = [
        ex
        for ex in read_corpus(paths.CORPUS_DIR, set(rules.intents))
        if not ex.negative and rules.intents[ex.intents[0]].group in ("pre-sale", "relationship", "other")
    ]
    detector = ToneDetector(
        rules.tone.negative.model_dump(), rules.tone.threats.model_dump(), rules.tone.positive.model_dump()
    )
    assert len(calm) > 1500
    assert [ex.text for ex in calm if detector.detect(ex.text).negative] == []


def handoff_of(engine: Engine, locale: str, text: str) -> tuple[bool, tuple[str, ...]]:
    """The engine's hand-off decision on one message."""
    found = engine.recognise(text, locale=locale).handoff
    return found.required, found.reasons


# The taxonomy's hand-off: refund, damaged_defective, complaint, or a negative tone (messages written here).
# "¿cuánto demora el envío a Pereira?" (es-CO) was handed off with the fourth corpus round's model (its score
# 0.013 over the threshold) and left out; since the fifth round it is not, and it is pinned again.
HANDOFF = [
    (
        "es-MX",
        "ya pasaron dos semanas de la fecha y mi paquete no aparece por ningún lado, nadie me responde",
        True,
    ),
    ("es-AR", "me vino la pava eléctrica con el mango partido", True),
    ("es-CL", "quiero que me devuelvan la plata, ya mandé el producto de vuelta", True),
    ("pt-BR", "vou abrir reclamação no procon se não resolverem hoje", True),
    ("en-US", "you people are scammers, i'm disputing the charge", True),
    ("es-AR", "me mandaron otro color?? qué falta de respeto", True),
    ("pt-BR", "chegou rapidinho e funciona muito bem, mas depois de duas semanas parou de carregar", True),
    (
        "en-US",
        "the delivery guy threw the box over the fence, the lamp survived but come on, seriously",
        True,
    ),
    ("es-CO", "me llegó la camisa en talla S y pedí M, ¿cómo hacemos el cambio?", False),
    ("en-US", "got the blue one instead of the green one, can I swap it?", False),
    ("es-MX", "hola, ¿tienen la funda en color rojo?", False),
    ("es-CO", "¿cuánto demora el envío a Pereira?", False),
    ("pt-BR", "qual tamanho pra quem veste 40?", False),
    ("en-US", "does it come with batteries?", False),
    ("pt-BR", "chegou antes do prazo, funciona perfeitamente, obrigada!", False),
]


@pytest.mark.parametrize(("locale", "text", "required"), HANDOFF)
def test_handoff_decision(engine: Engine, locale: str, text: str, required: bool) -> None:
    assert handoff_of(engine, locale, text)[0] is required


def test_threats_hand_off_by_rule_whatever_the_model_says(engine: Engine) -> None:
    required, reasons = handoff_of(
        engine, "pt-BR", "o produto é ótimo, mas se não mandarem a nota vou no procon"
    )
    assert required and "threat:procon" in reasons
    required, reasons = handoff_of(
        engine, "es-MX", "voy a ir a pro\u200bfeco"
    )  # invisible characters don't hide it
    assert required and "threat:profeco" in reasons


def test_a_handoff_intent_hands_off_as_the_main_intent(engine: Engine) -> None:
    required, reasons = handoff_of(engine, "es-MX", "¿cuándo me regresan mi dinero? ya cancelé")
    assert required and reasons[0] == "intent:refund"


def test_the_table_built_on_first_use_is_built_with_the_detector() -> None:
    """The server's workers are forked from the process that loaded the engine (and forked again once the
    sentence encoder loads): a table built on a first message was built again in every worker after every
    fork, about 40 ms each (`server_bench`: p99 of the first 10 s 79-96 ms, against 7-8 ms once built with
    the detector). In a fresh interpreter, building a ToneDetector builds shouting()'s table (fold()'s is
    built at import)."""
    code = (
        "from proxy.nlp import normalize, tone\n"
        "built = lambda: (tone._capital_pair.cache_info().currsize, hasattr(normalize, '_MARKS'))\n"
        "assert built() == (0, True)\n"
        "tone.ToneDetector({}, {}, {})\n"
        "print(*built())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout == "1 True\n"
