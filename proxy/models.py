"""Trained models on disk: what they are trained on, their cache key, training on demand, pruning."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from proxy import paths
from proxy.nlp.augment import RECIPE
from proxy.nlp.corpus import Example, read_corpus, read_jsonl
from proxy.nlp.embed import Embedder, EmbeddingCache, encoder_id
from proxy.nlp.keywords import KeywordMatcher
from proxy.nlp.language import LanguageDetector
from proxy.nlp.model import FORMAT, Model
from proxy.nlp.pipeline import Recognizer
from proxy.nlp.tone import ToneDetector
from proxy.rules.loader import RuleSet

if TYPE_CHECKING:
    from proxy.nlp.learn import Progress

KEEP = 3
EMBEDDINGS = "embeddings.npz"


def training_examples(rules: RuleSet, corpus_dir: Path, extra: Iterable[Example] = ()) -> list[Example]:
    """The shipped training data — `corpus/<lang>/<intent>.txt` and the labelled `corpus/labelled/*.jsonl`
    — plus any extra labelled examples."""
    labelled = [
        ex for path in sorted(corpus_dir.glob("labelled/*.jsonl")) for ex in read_jsonl(path, rules.intents)
    ]
    return read_corpus(corpus_dir, rules.intents) + labelled + list(extra)


def tone_detector(rules: RuleSet) -> ToneDetector:
    """The tone cues of rules/tone.yaml."""
    t = rules.tone
    return ToneDetector(
        t.negative.model_dump(), t.threats.model_dump(), t.positive.model_dump(), t.disputes.model_dump()
    )


def handoff_intents(rules: RuleSet) -> frozenset[str]:
    """Intents marked `handoff: true` (the hand-off model learns them, a rule enforces them)."""
    return frozenset(i for i, f in rules.intents.items() if f.handoff)


def recognizer(rules: RuleSet, model: Model, lid: LanguageDetector, embedder: Embedder | None) -> Recognizer:
    """The recognition stages of this model and these rules (the seller's keywords, tone cues, hand-off
    intents)."""
    return Recognizer(
        model,
        lid,
        KeywordMatcher({i: f.keywords.model_dump() for i, f in rules.intents.items()}),
        tone_detector(rules),
        tuple(rules.intents),
        handoff_intents(rules),
        embedder,
    )


def open_case(rules: RuleSet, intent: str) -> bool:
    """A topic whose progress a buyer asks about: an order or after-sale matter other than the order's own
    status, or one a person must handle (rules: `group`, `handoff`)."""
    spec = rules.intents[intent]
    return intent != "order_status" and (spec.group in ("order", "post-sale") or spec.handoff)


def wrappers(rules: RuleSet) -> dict[str, tuple[list[str], list[str]]]:
    """Openers and sign-offs of rules/wrappers.yaml per language, that training wraps examples in."""
    return {lang: (w.open, w.close) for lang, w in rules.wrappers}


def conversation_files() -> list[Path]:
    """The labelled conversations the thread head learns from (`carry.py`)."""
    return sorted(paths.CONVERSATIONS_DIR.glob("*.jsonl"))


def fingerprint(examples: Iterable[Example], rules: RuleSet) -> str:
    """Hash of everything the model learns from: examples, intents, hand-off intents, tone cues, the
    training copies it adds (`augment.RECIPE`, the openers and sign-offs of rules/wrappers.yaml), the
    sentence encoder (its packages' versions) whose embeddings it learns from, and the conversations of
    the thread head."""
    h = hashlib.sha256(
        json.dumps(
            [FORMAT, RECIPE, encoder_id(), sorted(rules.intents), sorted(handoff_intents(rules))]
        ).encode()
    )
    h.update(rules.tone.model_dump_json().encode())
    h.update(rules.wrappers.model_dump_json().encode())
    for ex in examples:
        h.update(f"{ex.lang}\t{','.join(ex.intents)}\t{int(ex.negative)}\t{ex.text}\n".encode())
    for path in conversation_files():
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def model_path(models_dir: Path, key: str) -> Path:
    """Where the model of one fingerprint lives."""
    return models_dir / f"model-{key}.npz"


def train(
    examples: list[Example], rules: RuleSet, models_dir: Path, progress: Progress = lambda _: None
) -> Path:
    """Train on these examples and save the model under their fingerprint; then the thread head, on the
    model's own readings of the labelled conversations (read as a server reads, the sentence encoder
    loaded)."""
    from proxy import carry
    from proxy.nlp.learn import fit  # scikit-learn and scipy: training only

    path = model_path(models_dir, fingerprint(examples, rules))
    models_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(models_dir / EMBEDDINGS, Embedder())
    model = fit(
        examples,
        list(rules.intents),
        set(handoff_intents(rules)),
        tone_detector(rules),
        cache,
        progress,
        wrappers(rules),
    )
    progress("thread head")
    known = list(rules.intents)
    conversations = [c for f in conversation_files() for c in carry.read_conversations(f, known)]
    reader = recognizer(rules, model, LanguageDetector(), cache.embedder.load())
    head = carry.train(reader, conversations, lambda intent: open_case(rules, intent))
    model = dataclasses.replace(model, carry=head)
    model.save(path)
    prune(models_dir)
    return path


def ensure_model(
    examples: list[Example],
    rules: RuleSet,
    models_dir: Path,
    force: bool = False,
    progress: Progress = lambda _: None,
) -> Path:
    """The model for these examples: cached, else copied from the installation's built models, else trained
    now."""
    key = fingerprint(examples, rules)
    path = model_path(models_dir, key)
    if force:
        return train(examples, rules, models_dir, progress)
    if not path.exists():
        built = model_path(paths.built_models_dir(), key)
        if built.exists() and built != path:
            models_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.copy")
            shutil.copyfile(built, tmp)
            os.replace(tmp, path)
            prune(models_dir)
        else:
            return train(examples, rules, models_dir, progress)
    return path


def prune(models_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the `keep` most recently trained models."""
    models = sorted(models_dir.glob("model-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in models[keep:]:
        path.unlink(missing_ok=True)
    return models[keep:]
