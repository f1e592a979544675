"""Tone cues, the learned tone model and the hand-off decision, on messages written for these tests."""

import pytest

from proxy.engine import Engine
from proxy.nlp.tone import ToneDetector

CUES = ToneDetector(
    {"es": ["pesimo"]},
    {"es": ["profeco"], "en": ["bbb", "1 star", "one star"]},
    {"es": ["gracias"]},
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


def test_tone_model_cue_only_above_threshold() -> None:
    assert CUES.detect("hola", negativity=0.49).cues == ()
    assert CUES.detect("hola", negativity=0.5).cues == ("tone model",)


HANDOFF = [
    ("es-MX", "ya pasaron dos semanas de la fecha y mi paquete no aparece por ningún lado", True),
    ("es-AR", "me vino la pava eléctrica con el mango partido", True),
    ("es-CL", "quiero que me devuelvan la plata, ya mandé el producto de vuelta", True),
    ("pt-BR", "vou abrir reclamação no procon se não resolverem hoje", True),
    ("pt-BR", "consta como entregue mas aqui não chegou nada", True),
    ("en-US", "you people are scammers, i'm disputing the charge", True),
    ("es-MX", "hola, ¿tienen la funda en color rojo?", False),
    ("es-CO", "¿cuánto demora el envío a Pereira?", False),
    ("pt-BR", "qual tamanho pra quem veste 40?", False),
    ("en-US", "does it come with batteries?", False),
]


@pytest.mark.parametrize(("locale", "text", "required"), HANDOFF)
def test_handoff_decision(engine: Engine, locale: str, text: str, required: bool) -> None:
    found = engine.recognise(text, locale=locale)
    assert engine.handoff(found["intents"], found["tone"])["required"] is required
