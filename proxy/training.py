"""Which trained model is live, and retraining with agents' corrections that never makes things worse.

Contract: `models/active.json` names the model the server loads (`key`) and the corpus it was built on
(`base`). A retrained model becomes active only if it is at least as accurate as the active one on the
messages agents handled: the intents they confirmed by inserting a suggestion, and every fifth correction
(kept out of training, weighted by 5 to stand for all corrections). When the shipped corpus changes, the
old pointer no longer applies."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from proxy.engine import Engine, corpus_examples, ensure_model
from proxy.nlp.corpus import Example
from proxy.nlp.intent_model import IntentModel, ModelFiles, fingerprint
from proxy.nlp.language import LanguageDetector
from proxy.rules.loader import RuleSet

HOLDOUT_EVERY = 5
CORRECTION_REPEAT = 3  # an agent's correction is in-domain and checked: it weighs as three corpus lines


def read_active(models_dir: Path, base: str) -> ModelFiles | None:
    """The active model for this corpus, if one was chosen and its files are there."""
    try:
        pointer = json.loads((models_dir / "active.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if pointer.get("base") != base:
        return None
    files = ModelFiles.for_key(models_dir, str(pointer.get("key")))
    return files if files.exist() else None


def write_active(models_dir: Path, key: str, base: str) -> None:
    """Point the server at a model (atomic replace)."""
    tmp = models_dir / "active.json.tmp"
    tmp.write_text(json.dumps({"key": key, "base": base}), encoding="utf-8")
    os.replace(tmp, models_dir / "active.json")


def live_model(
    rules: RuleSet, corpus_dir: Path, models_dir: Path, extra: list[Example] | None = None
) -> ModelFiles:
    """The model to serve: the active one for this corpus, else the corpus model (trained if needed)."""
    examples = corpus_examples(rules, corpus_dir, extra)
    return read_active(models_dir, fingerprint(examples)) or ensure_model(examples, models_dir)


def accuracy(
    rules: RuleSet, files: ModelFiles, lid: LanguageDetector, parts: list[tuple[list[Example], int]]
) -> float:
    """Weighted share of held-out examples whose main intent the model gets right; each part comes with
    the weight of its examples."""
    engine = Engine(rules, IntentModel(files), lid)
    right = total = 0
    for examples, weight in parts:
        for ex in examples:
            found = engine.recognise(ex.text)["intents"]
            right += weight * (bool(found) and found[0].id == ex.intents[0])
            total += weight
    return right / total if total else 1.0


@dataclass(frozen=True)
class Outcome:
    """What `train` did."""

    files: ModelFiles
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
) -> Outcome:
    """Train on corpus + extra + corrections; activate only if not worse on held-out corrections plus
    the intents agents confirmed (a model may not learn the corrections by forgetting the rest)."""
    base_examples = corpus_examples(rules, corpus_dir, extra)
    base = fingerprint(base_examples)
    if not fixes:
        files = ensure_model(base_examples, models_dir, force=True)
        write_active(models_dir, fingerprint(base_examples), base)
        return Outcome(files, True, 0, None, None)
    # The messages agents handled: corrected ones (the held-out fifth stands for all of them, hence the
    # weight) and confirmed ones. The active model's score is exactly its share of confirmed messages.
    held_out = [(fixes[::HOLDOUT_EVERY], HOLDOUT_EVERY), (list(confirmed or []), 1)]
    train = [ex for i, ex in enumerate(fixes) if i % HOLDOUT_EVERY]
    current = read_active(models_dir, base) or ensure_model(base_examples, models_dir)
    candidate_examples = base_examples + train * CORRECTION_REPEAT
    candidate = ensure_model(candidate_examples, models_dir, force=True)
    lid = LanguageDetector()
    new, old = (accuracy(rules, files, lid, held_out) for files in (candidate, current))
    activated = new >= old
    if activated:
        write_active(models_dir, fingerprint(candidate_examples), base)
    return Outcome(candidate if activated else current, activated, sum(len(p) for p, _ in held_out), new, old)
