import os
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from proxy import paths
from proxy.engine import corpus_examples
from proxy.nlp.corpus import Example, fasttext_lines, read_jsonl
from proxy.nlp.intent_model import ModelFiles, TrainingError, _train, prune, train_models
from proxy.nlp.normalize import normalize
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
    runs = [ModelFiles.for_key(tmp_path / str(n), "k") for n in range(2)]
    for files in runs:
        train_models(examples, files)
    names = [
        "intent-k-0.bin",
        "intent-k-1.bin",
        "intent-k-2.bin",
        "intent-k-3.bin",
        "intent-k-4.bin",
        "lang-k.bin",
    ]
    assert sorted(p.name for p in (tmp_path / "0").iterdir()) == names
    assert len({b"".join(p.read_bytes() for p in f.intent) for f in runs}) == 1
    assert len({f.lang.read_bytes() for f in runs}) == 1


def test_training_failure_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match=r"^training m.bin failed: ValueError: .*"):
        _train(["__label__a hola"], {"loss": "nonsense"}, tmp_path / "m.bin")
    assert not (tmp_path / "m.bin").exists()


DEV = paths.REPO.parent / "shared" / "data" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="../shared/data/dev.jsonl is not beside the repo")
def test_corpus_holds_no_labelled_dev_message() -> None:
    """The corpus must not copy the development set, or `responde eval` would flatter the model."""
    dev = [normalize(ex.text) for ex in read_jsonl(DEV)]
    dev = [d for d in dev if len(d.split()) >= 5]
    copies = []
    for path in sorted(paths.CORPUS_DIR.glob("*/*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = normalize(line.lstrip("!").split(" >> ")[0])
            if line.startswith("#") or len(text.split()) < 4:
                continue
            near = process.extractOne(text, dev, scorer=fuzz.ratio, score_cutoff=80)
            inside = len(text.split()) >= 6 and process.extractOne(
                text, [d for d in dev if len(d) >= len(text)], scorer=fuzz.partial_ratio, score_cutoff=90
            )
            if near or inside:
                copies.append(f"{path.relative_to(paths.CORPUS_DIR)}: {line}")
    assert copies == []


def test_prune_keeps_the_newest_fingerprints(tmp_path: Path) -> None:
    kinds = ("intent-{}-0", "intent-{}-1", "lang-{}")
    for age, key in enumerate(["new", "mid", "old", "oldest"]):
        for kind in kinds:
            path = tmp_path / f"{kind.format(key)}.bin"
            path.write_bytes(b"x")
            os.utime(path, (1_000_000 - age, 1_000_000 - age))
    removed = prune(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == sorted(
        f"{k.format(key)}.bin" for key in ("old", "oldest") for k in kinds
    )
    assert sorted({p.stem.split("-")[1] for p in tmp_path.iterdir()}) == ["mid", "new"]
