"""Training copies (without punctuation, wrapped in openers and sign-offs): what they are, and what they
change in the trained model."""

from dataclasses import replace

import numpy as np
import pytest

from proxy import models, paths
from proxy.engine import Engine
from proxy.nlp import augment
from proxy.nlp.corpus import Example
from proxy.nlp.features import Featurizer
from proxy.rules.loader import RuleSet


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Llegó? ya!! 😡", "Llegó ya 😡"),  # emoji carry tone: they stay
        ("pedido 114-3958201-7741022, R$ 50,00 (urgente)...", "pedido 114 3958201 7741022 R$ 50 00 urgente"),
        ("don't   «never»\n again…", "don t never again"),
        ("?!.,;", ""),
        ("sin puntos ni nada", "sin puntos ni nada"),
    ],
)
def test_unpunctuated(text: str, expected: str) -> None:
    assert augment.unpunctuated(text) == expected


def test_unpunctuated_is_linear_on_adversarial_text() -> None:
    for attack in ("?!" * 32768, "a." * 32768, "😡" * 16384, " " * 65536):
        assert len(augment.unpunctuated(attack)) <= len(attack)


def test_a_copy_for_every_example_with_punctuation_to_lose() -> None:
    examples = [
        Example("¿Tienen stock?", "es", ("availability",), id="dev-1"),
        Example("tem estoque", "pt", ("availability",)),
        Example("WHERE IS MY ORDER!!!", "en", ("order_status",), negative=True, locale="en-US"),
    ]
    assert augment.copies(examples) == [
        (0, Example("Tienen stock", "es", ("availability",))),  # no id: not a labelled message of its own
        (2, Example("WHERE IS MY ORDER", "en", ("order_status",), negative=True, locale="en-US")),
    ]


def test_a_message_and_its_copy_are_one_document_for_the_vocabulary() -> None:
    """An n-gram must be seen in two messages to be kept: a message and its copy are one message (counted
    apart, they nearly doubled the vocabulary with n-grams of a single message)."""
    message_and_copy = [("zapato rojo ?", "zapato rojo?"), ("zapato rojo", "zapato rojo")]
    featurizer = Featurizer.fit([message_and_copy, [("zapato azul", "zapato azul")]])
    assert sorted(featurizer.words) == ["zapato"]
    assert "roj" not in featurizer.chars and "zap" in featurizer.chars
    assert featurizer.idf[featurizer.words["zapato"]] == pytest.approx(1.0)  # in both of the 2 documents


def test_the_fingerprint_names_the_recipe(rules: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model trained without the copies (or with other ones) is retrained, not loaded."""
    examples = models.training_examples(rules, paths.CORPUS_DIR)[:50]
    before = models.fingerprint(examples, rules)
    monkeypatch.setattr(models, "RECIPE", "another-recipe")
    assert models.fingerprint(examples, rules) != before


# Calm buyers (written for this test), punctuated as a careful writer would.
CALM = [
    "Hola, buenas tardes. Quería saber si el envío a Monterrey tarda más de una semana. Gracias.",
    "Buen día. ¿Tienen la funda en color verde? Es para regalo.",
    "Hola! Me llegó el pedido ayer, todo perfecto. ¿Cómo hago para pedir la factura?",
    "Buenas, ¿el precio incluye el cargador? ¿Y hacen envíos a Córdoba?",
    "Oi, tudo bem? Queria saber se o carregador serve no modelo antigo. Obrigada!",
    "Boa noite. Comprei dois itens, dá pra juntar no mesmo frete? Valeu.",
    "Olá, o pedido chegou certinho. Vocês têm o tamanho G também?",
    "Oi! Vcs emitem nota fiscal? Preciso pra empresa.",
    "Hi, quick question: does this case fit the 2022 model? Thanks.",
    "Hello. My order says shipped but the tracking hasn't updated since Monday. Any idea when it will move?",
    "Hi there, I got the lamp today, works great. Do you sell the replacement bulbs?",
    "Hello, can I change the shipping address? I moved last week.",
]


# Since the seventh corpus round (2026-12-05) the lamp message is read as `damaged_defective` with `thanks`,
# with its punctuation or without, and so handed off by its intent: praise, then a question about spare
# parts (a known kind of miss, README *Accuracy*). Pinned so that a change either way is seen.
MISREAD = {"Hi there, I got the lamp today, works great. Do you sell the replacement bulbs?"}


def test_a_buyer_who_does_not_punctuate_is_read_as_one_who_does(engine: Engine) -> None:
    """Without the copies the hand-off score rose in 11 of these 12 messages once their punctuation was
    gone (by 0.32 on average), and one was flagged for a person."""
    written = [engine.recognise(t) for t in CALM]
    bare = [engine.recognise(augment.unpunctuated(t)) for t in CALM]
    rise = np.mean([b.handoff.score - w.handoff.score for w, b in zip(written, bare, strict=True)])
    assert rise < 0.15
    flagged = [t in MISREAD for t in CALM]
    assert [w.handoff.required for w in written] == flagged
    assert [b.handoff.required for b in bare] == flagged


def test_wrapped_copies_of_every_request() -> None:
    """Two copies of each example with a request, wrapped in an opener, a sign-off or both, the second
    without punctuation; same labels, no id, the original's row. Greetings, thanks and `other` are not
    wrapped, nor a language without pieces."""
    pieces = {"es": (["Hola, buenas."], ["Saludos!"]), "pt": (["Oi."], ["Abraço."])}
    examples = [
        Example("¿Tienen stock?", "es", ("availability",), id="dev-1"),
        Example("hola buenas", "es", ("greeting",)),
        Example("chegou quebrado!!", "pt", ("damaged_defective",), negative=True),
        Example("Do you ship to Texas?", "en", ("shipping_info",)),
    ]
    got = augment.wrapped(examples, pieces)
    assert [row for row, _ in got] == [0, 0, 2, 2]
    assert [ex.text for _, ex in got] == [
        "Hola, buenas. ¿Tienen stock? Saludos!",
        "Tienen stock Saludos",
        "Oi. chegou quebrado!!",
        "Oi chegou quebrado",
    ]
    assert all(ex.id is None for _, ex in got)
    assert [(ex.lang, ex.intents, ex.negative) for _, ex in got] == [
        ("es", ("availability",), False),
        ("es", ("availability",), False),
        ("pt", ("damaged_defective",), True),
        ("pt", ("damaged_defective",), True),
    ]


def test_the_fingerprint_names_the_wrappers(rules: RuleSet) -> None:
    """Editing rules/wrappers.yaml retrains the model."""
    examples = models.training_examples(rules, paths.CORPUS_DIR)[:50]
    before = models.fingerprint(examples, rules)
    es = rules.wrappers.es.model_copy(update={"open": [*rules.wrappers.es.open, "qué más, veci"]})
    edited = replace(rules, wrappers=rules.wrappers.model_copy(update={"es": es}))
    assert models.fingerprint(examples, edited) != before


# Short requests and wrappers written for this test (none of the wrappers is in rules/wrappers.yaml).
REQUESTS = [
    ("¿tienen la mochila en gris?", "variant", "es"),
    ("cuánto tarda en llegar a Guadalajara", "shipping_info", "es"),
    ("me llegó rota la tapa", "damaged_defective", "es"),
    ("quiero cancelar la compra", "cancel_order", "es"),
    ("me pueden mandar la factura", "invoice", "es"),
    ("aceptan pago en oxxo?", "payment", "es"),
    ("tem pronta entrega?", "availability", "pt"),
    ("o meu pedido ainda não chegou e já passou do prazo", "not_received", "pt"),
    ("vocês emitem nota fiscal?", "invoice", "pt"),
    ("faz um desconto se eu levar dois?", "price_offer", "pt"),
    ("does it come with the charger?", "product_info", "en"),
    ("has my order shipped yet?", "order_status", "en"),
    ("the screen arrived cracked", "damaged_defective", "en"),
    ("how do I pair it with my phone", "usage_help", "en"),
]
WRAPS = {
    "es": ("Buenas noches, disculpen la hora, les escribo rapidito.", "Un saludo a todo el equipo, gracias."),
    "pt": ("Oi, boa tarde, tudo certo por aí?", "Valeu pela atenção, abraço."),
    "en": ("Hi guys, good afternoon.", "Thanks so much, have a lovely evening!"),
}


# From the fourth corpus round (2026-12-04) to the retirement of the eleven looked-at sets into training
# (2026-12-05), one answer was another request, not the wrapper: the grey backpack read as `availability`,
# not `variant`, with both pieces and then with the opener alone. Mended since; kept here, empty, so that a
# change that brings a miss back fails and is looked at.
KNOWN_MISSES: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("where", ["opener", "sign-off", "both"])
def test_a_greeting_or_a_sign_off_does_not_hide_the_request(engine: Engine, where: str) -> None:
    """Without the wrapped copies, 2 of these 14 were read as `greeting` or `thanks` with an opener, 2 with
    a sign-off, and 4 with both."""
    opener, closer = where != "sign-off", where != "opener"
    said = []
    for text, _, lang in REQUESTS:
        before, after = WRAPS[lang]
        reading = engine.recognise(f"{before + ' ' if opener else ''}{text}{' ' + after if closer else ''}")
        said.append(reading.intents[0].id if reading.intents else None)
    expected = [KNOWN_MISSES.get((where, text), intent) for text, intent, _ in REQUESTS]
    assert said == expected


def test_test_wrappers_are_not_training_ones(rules: RuleSet) -> None:
    shipped = {p for _, w in rules.wrappers for p in [*w.open, *w.close]}
    assert not {p for pair in WRAPS.values() for p in pair} & shipped


def test_the_hand_off_head_does_not_learn_from_wrapped_copies(
    rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign-off carries some tone ("Dios les bendiga"): the final hand-off heads (without and with the
    sentence embedding) train on the examples and their unpunctuated copies only, while the intent heads
    also see the wrapped ones (a real fit, on a sample)."""
    from proxy.nlp import learn
    from proxy.nlp.embed import Embedder, EmbeddingCache

    examples = models.training_examples(rules, paths.CORPUS_DIR)[::40]
    seen: list[int] = []
    binary = learn._binary
    monkeypatch.setattr(learn, "_binary", lambda x, y: seen.append(x.shape[0]) or binary(x, y))
    learn.fit(
        examples,
        list(rules.intents),
        set(models.handoff_intents(rules)),
        models.tone_detector(rules),
        EmbeddingCache(None, Embedder()),
        wrappers=models.wrappers(rules),
    )
    wrapped = augment.wrapped(examples, models.wrappers(rules))
    assert wrapped and seen[-2:] == [len(examples) + len(augment.copies(examples))] * 2
