"""Tone cues, disputes and the hand-off decision, on messages written for these tests."""

from typing import Any

import pytest

from proxy import paths
from proxy.engine import Engine, IntentScore
from proxy.nlp.corpus import read_corpus
from proxy.nlp.tone import ToneDetector, shouting
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
    tone = engine.tone.detect(text)
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


def handoff_of(engine: Engine, locale: str, text: str) -> dict[str, Any]:
    """The engine's hand-off decision on one message."""
    found = engine.recognise(text, locale=locale)
    return engine.handoff(found["intents"], found["tone"])


DISPUTES = [
    ("es-AR", "me cobraron $32.000 de aduana y en la publicación dice envío nacional", True),
    ("pt-BR", "veio a versão antiga, o anúncio diz 2024", True),
    ("en-US", "this is listed as brand new but the box was opened and taped", True),
    ("es-MX", "la publicación dice que es de acero, ¿es inoxidable?", False),
    ("pt-BR", "o anúncio diz últimas unidades, ainda tem?", False),
]


@pytest.mark.parametrize(("locale", "text", "required"), DISPUTES)
def test_quoting_the_listing_hands_off_once_there_is_an_order(
    engine: Engine, locale: str, text: str, required: bool
) -> None:
    reasons = handoff_of(engine, locale, text)["reasons"]
    assert any(r.startswith("dispute:") for r in reasons) is required


HANDOFF = [
    ("es-MX", "ya pasaron dos semanas de la fecha y mi paquete no aparece por ningún lado", True),
    ("es-AR", "me vino la pava eléctrica con el mango partido", True),
    ("es-CL", "quiero que me devuelvan la plata, ya mandé el producto de vuelta", True),
    ("pt-BR", "vou abrir reclamação no procon se não resolverem hoje", True),
    ("pt-BR", "consta como entregue mas aqui não chegou nada", True),
    ("en-US", "you people are scammers, i'm disputing the charge", True),
    ("es-MX", "me mandaron el control de otro modelo, el mío es el XR-200", True),
    ("pt-BR", "pedi o kit com 6 e vieram 4, quero as que faltam", True),
    ("es-CO", "me llegó la camisa en talla S y pedí M, ¿cómo hacemos el cambio?", False),
    ("en-US", "got the blue one instead of the green one, can I swap it?", False),
    ("es-AR", "me mandaron otro color?? qué falta de respeto", True),
    ("es-MX", "hola, ¿tienen la funda en color rojo?", False),
    ("es-CO", "¿cuánto demora el envío a Pereira?", False),
    ("pt-BR", "qual tamanho pra quem veste 40?", False),
    ("en-US", "does it come with batteries?", False),
]


@pytest.mark.parametrize(("locale", "text", "required"), HANDOFF)
def test_handoff_decision(engine: Engine, locale: str, text: str, required: bool) -> None:
    assert handoff_of(engine, locale, text)["required"] is required


def test_a_late_delivery_hands_off_only_as_the_main_intent(engine: Engine) -> None:
    calm = engine.tone.detect("¿ya salió mi pedido? la fecha dice entre el 3 y el 5")
    ask = [IntentScore("order_status", 0.9), IntentScore("not_received", 0.6)]
    assert engine.handoff(ask, calm) == {"required": False, "reasons": []}
    late = [IntentScore("not_received", 0.9), IntentScore("order_status", 0.6)]
    assert engine.handoff(late, calm) == {"required": True, "reasons": ["intent:not_received"]}
    refund = [IntentScore("cancel_order", 0.9), IntentScore("refund", 0.6)]
    assert engine.handoff(refund, calm) == {"required": True, "reasons": ["intent:refund"]}
