from pathlib import Path

import pytest

from proxy import paths
from proxy.engine import corpus_examples
from proxy.nlp.corpus import Example, fasttext_lines
from proxy.nlp.intent_model import ModelFiles, TrainingError, _train, train_models
from proxy.rules.loader import RuleSet


def test_fasttext_lines_skip_wordless_and_unlabelled() -> None:
    examples = [
        Example("Hola, ¿tienen stock?", "es", ("availability",)),
        Example("...", "pt", ("other",)),
        Example("cadê meu estorno", "", ("refund",)),
    ]
    assert list(fasttext_lines(examples)) == [
        "__label__availability hola tienen stock ?",
        "__label__refund cade meu estorno",
    ]
    assert list(fasttext_lines(examples, labels=lambda ex: (ex.lang,))) == ["__label__es hola tienen stock ?"]


def test_training_is_deterministic_within_one_process(tmp_path: Path, rules: RuleSet) -> None:
    examples = corpus_examples(rules, paths.CORPUS_DIR)
    runs = [ModelFiles.for_key(tmp_path / str(n), "same") for n in range(3)]
    for files in runs:
        train_models(examples, files)
    assert len({f.intent.read_bytes() for f in runs}) == 1
    assert len({f.lang.read_bytes() for f in runs}) == 1


def test_training_failure_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match=r"^training m.bin failed: ValueError: .*"):
        _train(["__label__a hola"], {"loss": "nonsense"}, tmp_path / "m.bin")
    assert not (tmp_path / "m.bin").exists()
