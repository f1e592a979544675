import os
from pathlib import Path

from rapidfuzz import fuzz, process

from proxy import paths
from proxy.engine import Engine
from proxy.models import handoff_intents, prune, tone_detector, training_examples
from proxy.nlp.corpus import read_jsonl
from proxy.nlp.embed import Embedder, EmbeddingCache
from proxy.nlp.learn import fit
from proxy.nlp.model import Model
from proxy.nlp.normalize import normalize
from proxy.rules.loader import RuleSet

DEV = paths.CORPUS_DIR / "labelled" / "dev.jsonl"


def test_training_is_deterministic(tmp_path: Path, rules: RuleSet) -> None:
    """The same examples give the same model, byte for byte in every head (a real fit, on a sample)."""
    examples = training_examples(rules, paths.CORPUS_DIR)[::10]
    cache = EmbeddingCache(None, Embedder())
    a, b = (
        fit(examples, list(rules.intents), set(handoff_intents(rules)), tone_detector(rules), cache)
        for _ in range(2)
    )
    for head in ("intent", "intent_full", "labels", "handoff", "language"):
        assert (getattr(a, head).weights == getattr(b, head).weights).all(), head
    assert a.thresholds == b.thresholds and a.featurizer.words == b.featurizer.words


def test_a_saved_model_loads_as_it_was(tmp_path: Path, models_dir: Path, engine: Engine) -> None:
    path = tmp_path / "m.npz"
    engine.model.save(path)
    again = Model.load(path)
    assert again.thresholds == engine.model.thresholds and again.intents == engine.model.intents
    assert again.featurizer.chars == engine.model.featurizer.chars
    assert (again.intent_full.weights == engine.model.intent_full.weights).all()


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


def test_prune_keeps_the_newest_models(tmp_path: Path) -> None:
    for age, key in enumerate(["new", "mid", "old", "oldest"]):
        path = tmp_path / f"model-{key}.npz"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    removed = prune(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == ["model-old.npz", "model-oldest.npz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-mid.npz", "model-new.npz"]
