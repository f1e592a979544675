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

MODEL_VERSION = 7
ENSEMBLE = 3  # one-vs-all intent models averaged; each with its own seed and augmentation draw
SOFTMAX_WEIGHT = 0.25  # plus one softmax model (other n-grams, other errors) at this weight
INTENT_PARAMS: dict[str, Any] = {
    "epoch": 40,
    "lr": 0.5,
    "wordNgrams": 2,
    "minn": 3,
    "maxn": 6,
    "dim": 32,
    "bucket": 100_000,
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
SOFTMAX_PARAMS: dict[str, Any] = {**INTENT_PARAMS, "loss": "softmax", "minn": 2, "maxn": 5, "epoch": 30}
TONE_PARAMS: dict[str, Any] = {**LANG_PARAMS, "epoch": 30, "wordNgrams": 2, "dim": 24}
TONE_LABELS = {True: "negative", False: "calm"}


def fingerprint(examples: Iterable[Example]) -> str:
    """Hash of the training data and parameters: the cache key of a trained model."""
    h = hashlib.sha256(
        json.dumps(
            [MODEL_VERSION, INTENT_PARAMS, SOFTMAX_PARAMS, SOFTMAX_WEIGHT, LANG_PARAMS, TONE_PARAMS]
        ).encode()
    )
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

    intent: tuple[Path, ...]
    lang: Path
    tone: Path

    @classmethod
    def for_key(cls, models_dir: Path, key: str) -> ModelFiles:
        """Paths for a fingerprint."""
        intents = tuple(models_dir / f"intent-{key}-{n}.bin" for n in range(ENSEMBLE + 1))
        return cls(intents, models_dir / f"lang-{key}.bin", models_dir / f"tone-{key}.bin")

    @property
    def all(self) -> tuple[Path, ...]:
        """Every model file."""
        return (*self.intent, self.lang, self.tone)

    def exist(self) -> bool:
        """All model files are present."""
        return all(path.exists() for path in self.all)


def prune(models_dir: Path, keep: int = 3) -> list[Path]:
    """Delete the model files of all but the `keep` most recently trained fingerprints (~130 MB each)."""
    groups: dict[str, list[Path]] = {}
    for path in models_dir.glob("*-*.bin"):
        groups.setdefault(path.stem.split("-")[1], []).append(path)
    newest = sorted(groups, key=lambda k: max(p.stat().st_mtime for p in groups[k]), reverse=True)
    removed = [path for key in newest[keep:] for path in groups[key]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def train_models(examples: list[Example], files: ModelFiles, seed: int = 13) -> None:
    """Train the intent models (augmented, multi-label), the corpus-language and the tone model."""
    augmented = augment(examples, seed=seed)
    for n, path in enumerate(files.intent[:ENSEMBLE]):
        lines = fasttext_lines(augmented if n == 0 else augment(examples, seed=seed + n))
        _train(lines, {**INTENT_PARAMS, "seed": INTENT_PARAMS["seed"] + n}, path)
    _train(fasttext_lines(augment(examples, seed=seed + ENSEMBLE)), SOFTMAX_PARAMS, files.intent[ENSEMBLE])
    _train(fasttext_lines(examples, labels=lambda ex: (ex.lang,)), LANG_PARAMS, files.lang)
    _train(fasttext_lines(augmented, labels=lambda ex: (TONE_LABELS[ex.negative],)), TONE_PARAMS, files.tone)


class IntentModel:
    """Trained fastText models loaded once; predictions are per-label probabilities."""

    def __init__(self, files: ModelFiles) -> None:
        missing = [path for path in files.all if not path.exists()]
        if missing:
            raise FileNotFoundError(f"no trained model at {missing[0]}; run `responde train`")
        fasttext = load_fasttext()
        self._intents = [fasttext.load_model(str(path)) for path in files.intent]
        ova = len(self._intents) - 1  # the last one is the softmax member
        self._weights = [(1 - SOFTMAX_WEIGHT) / ova] * ova + [SOFTMAX_WEIGHT]
        self._lang = fasttext.load_model(str(files.lang))
        self._tone = fasttext.load_model(str(files.tone))
        self.labels = [label.replace("__label__", "") for label in self._intents[0].get_labels()]

    def intents(self, normalized: str) -> dict[str, float]:
        """Probability of every intent for an already normalized text (weighted ensemble mean)."""
        out: dict[str, float] = {}
        line = normalized.replace("\n", " ")
        for model, weight in zip(self._intents, self._weights, strict=True):
            labels, probs = model.predict(line, k=-1, threshold=0.0)
            for label, p in zip(labels, probs, strict=False):
                key = label.replace("__label__", "")
                out[key] = out.get(key, 0.0) + float(p) * weight
        return out

    def languages(self, normalized: str) -> dict[str, float]:
        """Probability of es/pt/en learned from the corpus."""
        labels, probs = self._lang.predict(normalized.replace("\n", " "), k=-1, threshold=0.0)
        return {label.replace("__label__", ""): float(p) for label, p in zip(labels, probs, strict=False)}

    def negativity(self, normalized: str) -> float:
        """Probability that the buyer sounds angry or frustrated, learned from the corpus `!` lines."""
        labels, probs = self._tone.predict(normalized.replace("\n", " "), k=-1, threshold=0.0)
        return float(dict(zip(labels, probs, strict=False)).get("__label__negative", 0.0))
