"""The fastText intent (and corpus-language) models: deterministic training, caching, prediction."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy.nlp.corpus import Example, augment, fasttext_lines
from proxy.nlp.fasttext_check import load_fasttext

MODEL_VERSION = 5
INTENT_PARAMS: dict[str, Any] = {
    "epoch": 40,
    "lr": 0.5,
    "wordNgrams": 2,
    "minn": 3,
    "maxn": 6,
    "dim": 50,
    "bucket": 200_000,
    "loss": "ova",
    "seed": 7,
    "thread": 1,
    "minCount": 1,
    "verbose": 0,
}
LANG_PARAMS: dict[str, Any] = {
    "epoch": 25,
    "lr": 0.5,
    "wordNgrams": 1,
    "minn": 2,
    "maxn": 4,
    "dim": 16,
    "bucket": 100_000,
    "loss": "softmax",
    "seed": 7,
    "thread": 1,
    "verbose": 0,
}
TONE_PARAMS: dict[str, Any] = {**LANG_PARAMS, "epoch": 30, "wordNgrams": 2, "dim": 24}
TONE_LABELS = {True: "negative", False: "calm"}


def fingerprint(examples: Iterable[Example]) -> str:
    """Hash of the training data and parameters: the cache key of a trained model."""
    h = hashlib.sha256(json.dumps([MODEL_VERSION, INTENT_PARAMS, LANG_PARAMS, TONE_PARAMS]).encode())
    for ex in examples:
        h.update(f"{ex.lang}\t{','.join(ex.intents)}\t{int(ex.negative)}\t{ex.text}\n".encode())
    return h.hexdigest()[:16]


class TrainingError(RuntimeError):
    """fastText could not train a model; the message says why."""


def _train(lines: Iterable[str], params: dict[str, Any], dest: Path) -> None:
    load_fasttext(training=True)  # fail here, with the fix, before starting a process
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="responde-train-") as tmp:
        data = Path(tmp) / "train.txt"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        worker = [sys.executable, "-m", "proxy.nlp.train_worker", str(data), json.dumps(params), str(dest)]
        done = subprocess.run(worker, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise TrainingError(f"training {dest.name} failed: {why}")


@dataclass(frozen=True)
class ModelFiles:
    """Where the trained models of one corpus fingerprint live."""

    intent: Path
    lang: Path
    tone: Path

    @classmethod
    def for_key(cls, models_dir: Path, key: str) -> ModelFiles:
        """Paths for a fingerprint."""
        return cls(*(models_dir / f"{kind}-{key}.bin" for kind in ("intent", "lang", "tone")))

    def exist(self) -> bool:
        """All model files are present."""
        return self.intent.exists() and self.lang.exists() and self.tone.exists()


def train_models(examples: list[Example], files: ModelFiles, seed: int = 13) -> None:
    """Train the intent model (augmented, multi-label), the corpus-language and the tone model."""
    augmented = augment(examples, seed=seed)
    _train(fasttext_lines(augmented), INTENT_PARAMS, files.intent)
    _train(fasttext_lines(examples, labels=lambda ex: (ex.lang,)), LANG_PARAMS, files.lang)
    _train(fasttext_lines(augmented, labels=lambda ex: (TONE_LABELS[ex.negative],)), TONE_PARAMS, files.tone)


class IntentModel:
    """Trained fastText models loaded once; predictions are per-label probabilities."""

    def __init__(self, files: ModelFiles) -> None:
        if not files.exist():
            raise FileNotFoundError(f"no trained model at {files.intent}; run `responde train`")
        fasttext = load_fasttext()
        self._intent = fasttext.load_model(str(files.intent))
        self._lang = fasttext.load_model(str(files.lang))
        self._tone = fasttext.load_model(str(files.tone))
        self.labels = [label.replace("__label__", "") for label in self._intent.get_labels()]

    def intents(self, normalized: str) -> dict[str, float]:
        """Independent probability of every intent for an already normalized text."""
        labels, probs = self._intent.predict(normalized.replace("\n", " "), k=-1, threshold=0.0)
        return {label.replace("__label__", ""): float(p) for label, p in zip(labels, probs, strict=False)}

    def languages(self, normalized: str) -> dict[str, float]:
        """Probability of es/pt/en learned from the corpus."""
        labels, probs = self._lang.predict(normalized.replace("\n", " "), k=-1, threshold=0.0)
        return {label.replace("__label__", ""): float(p) for label, p in zip(labels, probs, strict=False)}

    def negativity(self, normalized: str) -> float:
        """Probability that the buyer sounds angry or frustrated, learned from the corpus `!` lines."""
        labels, probs = self._tone.predict(normalized.replace("\n", " "), k=-1, threshold=0.0)
        return float(dict(zip(labels, probs, strict=False)).get("__label__negative", 0.0))
