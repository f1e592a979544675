"""The trained model's scoring: one gather of a message's TF-IDF rows scores every head as each head alone."""

from pathlib import Path

import numpy as np
import pytest
from live import small_corpus

from proxy import paths
from proxy.engine import Engine
from proxy.models import ensure_model, training_examples
from proxy.nlp.model import EVERY_MESSAGE, Model
from proxy.nlp.pipeline import read_text
from proxy.rules.loader import RuleSet

MESSAGES = [
    "Llegó bien, gracias. ¿Lo tienen en azul?",
    "chegou quebrado e ninguém responde, vou abrir reclamação no procon",
    "Works great so far, but the charger stopped working after a week!!",
    "😭😭😭",
    "",
    "x" * 65536,
]


def test_one_gather_scores_every_head_as_each_head_alone(engine: Engine) -> None:
    model = engine.model
    for raw in MESSAGES:
        text = read_text(raw)
        x = model.featurizer.transform(text.normalized, text.clean)
        cues = np.array(engine.recognizer.tone.detect(text.clean, text.normalized).vector(), np.float32)
        s = model.score(x)
        for mine, alone in [
            (s.intent, model.intent.scores(x)),
            (s.language, model.language.scores(x)),
            (s.labels + model.labels.tail(cues), model.labels.scores(x, cues)),
            (s.handoff + model.handoff.tail(cues), model.handoff.scores(x, cues)),
        ]:
            assert mine.shape == alone.shape
            np.testing.assert_allclose(mine, alone, rtol=1e-5, atol=1e-6)


def test_the_stacked_rows_are_built_when_the_model_loads(models_dir: Path, rules: RuleSet) -> None:
    """Built before the server's and `classify`'s workers fork, so they share it instead of each building
    (and holding) its own copy on its first message."""
    loaded = Model.load(ensure_model(training_examples(rules, paths.CORPUS_DIR), rules, models_dir))
    assert "_every_message" in vars(loaded)
    stacked, columns = vars(loaded)["_every_message"]
    widths = [len(getattr(loaded, name).bias) for name in EVERY_MESSAGE]
    assert stacked.weights.shape == (loaded.featurizer.dim, sum(widths))
    assert [c.stop - c.start for c in columns] == widths
    assert stacked.weights.flags.c_contiguous


def test_a_model_missing_from_a_cache_is_copied_from_the_built_models_not_trained(
    tmp_path: Path, rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small corpus (8 lines an intent and language) trained into the built models; a cache that lacks
    its model gets the very file, without a training step, and keeps it once the built one is gone."""
    examples = training_examples(rules, small_corpus(tmp_path / "corpus"))
    monkeypatch.setattr(paths, "built_models_dir", lambda: tmp_path / "built")
    built = ensure_model(examples, rules, tmp_path / "built")
    steps: list[str] = []
    copied = ensure_model(examples, rules, tmp_path / "cache", progress=steps.append)
    assert (steps, copied.parent, copied.name) == ([], tmp_path / "cache", built.name)
    assert copied.read_bytes() == built.read_bytes()
    built.unlink()
    assert ensure_model(examples, rules, tmp_path / "cache", progress=steps.append) == copied and steps == []
    assert ensure_model(examples, rules, tmp_path / "other", progress=steps.append).exists() and steps


def test_the_shipped_hand_off_threshold_puts_recall_first(engine: Engine) -> None:
    """The hand-off threshold is the most recall at precision 0.80 on the held-out labelled messages (0.85
    until 2026-12-05: on the sets nobody trains on, precision reads lower and recall higher than there; the
    rule in eval/couriers/README.md). The training report gives the figures at the chosen threshold."""
    report = engine.model.report
    assert report["held_out"] == "labelled messages, by a model trained without them"
    assert 0.80 <= float(report["handoff_precision"]) < 0.85  # type: ignore[arg-type]
    assert float(report["handoff_recall"]) > 0.9  # type: ignore[arg-type]


def test_real_reviews_train_but_do_not_set_thresholds(rules: RuleSet) -> None:
    """The real clothing reviews (`learn.NOT_HELD_OUT`) are trained on, but the held-out rows that choose
    calibration and thresholds are the labelled inbox messages only (the rule in eval/verdicts/README.md)."""
    from proxy.nlp.learn import NOT_HELD_OUT, held_out_folds

    data = training_examples(rules, paths.CORPUS_DIR)
    reviews = [ex for ex in data if (ex.id or "").startswith(NOT_HELD_OUT)]
    [held] = held_out_folds(data, np.zeros(len(data), int))
    assert len(reviews) == 858
    assert sorted(held) == [i for i, ex in enumerate(data) if ex.id is not None and ex not in reviews]
