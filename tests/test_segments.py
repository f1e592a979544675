import json

import numpy as np
import pytest

from proxy import paths
from proxy.engine import Engine
from proxy.nlp.model import scores_many
from proxy.nlp.normalize import normalize
from proxy.nlp.pipeline import read_text, segment_probs
from proxy.nlp.segments import MAX_SEGMENTS, segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Llegó bien, gracias. ¿Lo tienen en azul?", ["Llegó bien, gracias.", "¿Lo tienen en azul?"]),
        (
            "chegou rapido e bem embalado\nmas o carregador não veio na caixa",
            ["chegou rapido e bem embalado", "mas o carregador não veio na caixa"],
        ),
        (
            "Works great so far, but the charger stopped working after a week!!",
            ["Works great so far,", "the charger stopped working after a week!!"],
        ),
        (
            "Hola. Gracias! ¿tienen stock del modelo negro?",
            ["¿tienen stock del modelo negro?"],
        ),  # short pieces
        ("una sola frase sin puntos y sin giros", ["una sola frase sin puntos y sin giros"]),
        ("", []),
        ("?!?!.;\n\n", []),
    ],
)
def test_segments(text: str, expected: list[str]) -> None:
    assert segments(text) == expected


def test_segments_are_bounded_on_adversarial_text() -> None:
    for attack in ("uno dos tres. " * 6000, "a b c pero " * 6000, "x" * 65536, ". " * 32768):
        assert len(segments(attack)) <= MAX_SEGMENTS


def texts() -> list[tuple[str, str]]:
    """Real training messages, cut into sentences: (normalized, cleaned) pairs."""
    lines = (paths.CORPUS_DIR / "labelled" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:120]
    return [
        (normalize(s), s) for line in lines for s in segments(read_text(json.loads(line)["text"]).clean)
    ] + [("", ""), ("?", "?!")]


def test_batched_features_and_scores_equal_one_by_one(engine: Engine) -> None:
    model = engine.model
    pairs = texts()
    batch = model.featurizer.transform_many(pairs)
    assert list(batch[0]) == sorted(batch[0])  # rows in order
    for row, (normalized, cleaned) in enumerate(pairs):
        cols, vals = model.featurizer.transform(normalized, cleaned)
        mine = batch[0] == row
        assert batch[1][mine].tolist() == cols.tolist()
        np.testing.assert_allclose(batch[2][mine], vals, rtol=1e-6)
    one_by_one = np.array([model.intent.scores(model.featurizer.transform(*p)) for p in pairs])
    np.testing.assert_allclose(scores_many(model.intent, batch, len(pairs)), one_by_one, rtol=1e-5, atol=1e-5)
    empty = model.featurizer.transform_many([])
    assert scores_many(model.intent, empty, 0).shape == (0, len(model.intents))


def test_each_sentence_is_read_on_its_own(engine: Engine) -> None:
    """A request in a sentence of its own, after praise, is the sure reading of that sentence."""
    text = read_text(
        "Compré la licuadora hace una semana y funciona de maravilla. "
        "Necesito la factura con mi RFC para la empresa, por favor."
    )
    probs, one_sentence, not_asked = segment_probs(
        engine.model, [text, read_text("necesito factura con mi RFC porfa"), None]
    )
    assert probs is not None
    best = dict(zip(engine.model.intents, probs.tolist(), strict=True))
    assert best["invoice"] > 0.5
    assert one_sentence is None and not_asked is None
    alone = segment_probs(engine.model, [text])[0]  # in a batch or alone, the same probabilities
    assert alone is not None
    np.testing.assert_array_equal(alone, probs)
