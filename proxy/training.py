"""Which trained model is live, and retraining with agents' corrections that never makes things worse.

Contract: `models/active.json` names the model the server loads (`key`) and the corpus it was built on
(`base`). A retrained model becomes active only if it is at least as accurate as the active one on the
messages agents handled: the intents they confirmed by inserting a suggestion, and every fifth correction
(kept out of training, weighted by 5 to stand for all corrections). When the shipped corpus or the sentence
encoder changes (their fingerprint), the old pointer no longer applies."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from proxy.engine import Engine
from proxy.models import ensure_model, fingerprint, model_path, training_examples
from proxy.nlp.corpus import Example
from proxy.nlp.embed import Embedder
from proxy.nlp.language import LanguageDetector
from proxy.nlp.model import Model
from proxy.rules.loader import RuleSet

if TYPE_CHECKING:
    from proxy.nlp.learn import Progress

HOLDOUT_EVERY = 5
CORRECTION_REPEAT = 3  # an agent's correction is in-domain and checked: it weighs as three corpus lines


def read_active(models_dir: Path, base: str) -> Path | None:
    """The active model for this corpus, if one was chosen and its files are there."""
    try:
        pointer = json.loads((models_dir / "active.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if pointer.get("base") != base:
        return None
    path = model_path(models_dir, str(pointer.get("key")))
    return path if path.exists() else None


def write_active(models_dir: Path, key: str, base: str) -> None:
    """Point the server at a model (atomic replace)."""
    tmp = models_dir / "active.json.tmp"
    tmp.write_text(json.dumps({"key": key, "base": base}), encoding="utf-8")
    os.replace(tmp, models_dir / "active.json")


def live_model(
    rules: RuleSet,
    corpus_dir: Path,
    models_dir: Path,
    extra: list[Example] | None = None,
    progress: Progress = lambda _: None,
) -> Path:
    """The model to serve: the active one for this corpus, else the corpus model (trained if needed)."""
    examples = training_examples(rules, corpus_dir, extra or [])
    return read_active(models_dir, fingerprint(examples, rules)) or ensure_model(
        examples, rules, models_dir, progress=progress
    )


def accuracy(
    rules: RuleSet,
    path: Path,
    lid: LanguageDetector,
    embedder: Embedder,
    parts: list[tuple[list[Example], int]],
) -> float:
    """Weighted share of held-out examples whose main intent the model gets right; each part comes with
    the weight of its examples. Read with the sentence encoder loaded: as the served model reads them."""
    engine = Engine(rules, Model.load(path), lid, embedder.load())
    right = total = 0
    for examples, weight in parts:
        for ex, r in zip(examples, engine.recognise_many([ex.text for ex in examples]), strict=True):
            right += weight * (bool(r.intents) and r.intents[0].id == ex.intents[0])
            total += weight
    return right / total if total else 1.0


@dataclass(frozen=True)
class Outcome:
    """What `train` did."""

    path: Path
    activated: bool
    held_out: int
    new_accuracy: float | None
    old_accuracy: float | None


def retrain(
    rules: RuleSet,
    corpus_dir: Path,
    models_dir: Path,
    extra: list[Example],
    fixes: list[Example],
    confirmed: list[Example] | None = None,
    progress: Progress = lambda _: None,
) -> Outcome:
    """Train on corpus + extra + corrections; activate only if not worse on held-out corrections plus
    the intents agents confirmed (a model may not learn the corrections by forgetting the rest)."""
    base_examples = training_examples(rules, corpus_dir, extra)
    base = fingerprint(base_examples, rules)
    if not fixes:
        path = ensure_model(base_examples, rules, models_dir, force=True, progress=progress)
        write_active(models_dir, base, base)
        return Outcome(path, True, 0, None, None)
    # The messages agents handled: corrected ones (the held-out fifth stands for all of them, hence the
    # weight) and confirmed ones. The active model's score is exactly its share of confirmed messages.
    held_out = [(fixes[::HOLDOUT_EVERY], HOLDOUT_EVERY), (list(confirmed or []), 1)]
    train = [ex for i, ex in enumerate(fixes) if i % HOLDOUT_EVERY]
    current = read_active(models_dir, base) or ensure_model(
        base_examples, rules, models_dir, progress=progress
    )
    candidate_examples = base_examples + train * CORRECTION_REPEAT
    candidate = ensure_model(candidate_examples, rules, models_dir, force=True, progress=progress)
    lid, embedder = LanguageDetector(), Embedder()
    new, old = (accuracy(rules, path, lid, embedder, held_out) for path in (candidate, current))
    activated = new >= old
    if activated:
        write_active(models_dir, fingerprint(candidate_examples, rules), base)
    return Outcome(candidate if activated else current, activated, sum(len(p) for p, _ in held_out), new, old)
