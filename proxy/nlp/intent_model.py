"""The fastText intent (and corpus-language) models: deterministic training, caching, prediction."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy.nlp.corpus import AUGMENT_MAX, Example, augment, fasttext_lines
from proxy.nlp.fasttext_check import load_fasttext
from proxy.nlp.normalize import normalize

MODEL_VERSION = 9
INTENT_PARAMS: dict[str, Any] = {
    "epoch": 40,
    "lr": 0.5,
    "wordNgrams": 2,
    "minn": 3,
    "maxn": 6,
    "dim": 32,
    "bucket": 80_000,
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
    "bucket": 50_000,
    "loss": "softmax",
    "seed": 7,
    "thread": 1,
    "verbose": 0,
}
SOFTMAX_PARAMS: dict[str, Any] = {**INTENT_PARAMS, "loss": "softmax", "minn": 2, "maxn": 5, "epoch": 30}
WORD_PARAMS: dict[str, Any] = {**INTENT_PARAMS, "minn": 0, "maxn": 0, "wordNgrams": 3}
# The intent ensemble: (parameters, weight in the mean). Three one-vs-all character n-gram models, each
# with its own seed and augmentation draw, plus a softmax model and a word-trigram model that make other
# errors. Member n trains on augment(seed + n).
MEMBERS: tuple[tuple[dict[str, Any], float], ...] = (
    *(({**INTENT_PARAMS, "seed": INTENT_PARAMS["seed"] + n}, 0.2) for n in range(3)),
    (SOFTMAX_PARAMS, 0.2),
    (WORD_PARAMS, 0.2),
)
REFERENCE_LINES = 16_000  # about the augmented shipped corpus (16,000 lines): full epochs above
MIN_EPOCH = 5
Labeller = Callable[[Example], Iterable[str]]


def _intents(ex: Example) -> Iterable[str]:
    return ex.intents


def fingerprint(examples: Iterable[Example]) -> str:
    """Hash of the training data and parameters: the cache key of a trained model."""
    h = hashlib.sha256(
        json.dumps([MODEL_VERSION, MEMBERS, LANG_PARAMS, REFERENCE_LINES, MIN_EPOCH, AUGMENT_MAX]).encode()
    )
    for ex in examples:
        h.update(f"{ex.lang}\t{','.join(ex.intents)}\t{ex.text}\n".encode())
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

    @classmethod
    def for_key(cls, models_dir: Path, key: str) -> ModelFiles:
        """Paths for a fingerprint."""
        intents = tuple(models_dir / f"intent-{key}-{n}.bin" for n in range(len(MEMBERS)))
        return cls(intents, models_dir / f"lang-{key}.bin")

    @property
    def all(self) -> tuple[Path, ...]:
        """Every model file."""
        return (*self.intent, self.lang)

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


def scaled_epochs(params: dict[str, Any], lines: int) -> dict[str, Any]:
    """Fewer passes over a larger data set: about the same number of updates as the shipped corpus."""
    epoch = min(params["epoch"], max(MIN_EPOCH, round(params["epoch"] * REFERENCE_LINES / max(lines, 1))))
    return {**params, "epoch": epoch}


def train_models(examples: list[Example], files: ModelFiles, seed: int = 13) -> None:
    """Train the intent models (augmented, multi-label) and the corpus-language model.

    Each model trains single-threaded in its own process (deterministic), as many at once as there are
    cores; the main thread prepares the next data set meanwhile.
    """
    normalized: dict[str, str] = {}

    def norm(text: str) -> str:
        if text not in normalized:
            normalized[text] = normalize(text)
        return normalized[text]

    def job(
        data: list[Example], params: dict[str, Any], dest: Path, labels: Labeller = _intents
    ) -> Future[None]:
        lines = list(fasttext_lines(data, labels=labels, norm=norm))
        return pool.submit(_train, lines, scaled_epochs(params, len(lines)), dest)

    augmented = augment(examples, seed=seed)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = [
            job(augmented if n == 0 else augment(examples, seed=seed + n), params, path)
            for n, ((params, _), path) in enumerate(zip(MEMBERS, files.intent, strict=True))
        ]
        jobs.append(job(examples, LANG_PARAMS, files.lang, lambda ex: (ex.lang,)))
        for done in jobs:
            done.result()  # re-raises the first TrainingError


class IntentModel:
    """Trained fastText models loaded once; predictions are per-label probabilities."""

    def __init__(self, files: ModelFiles) -> None:
        missing = [path for path in files.all if not path.exists()]
        if missing:
            raise FileNotFoundError(f"no trained model at {missing[0]}; run `responde train`")
        fasttext = load_fasttext()
        self._intents = [fasttext.load_model(str(path)) for path in files.intent]
        self._weights = [weight for _, weight in MEMBERS]
        self._lang = fasttext.load_model(str(files.lang))
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
