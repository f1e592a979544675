"""The trained recognition model as plain arrays: scoring needs numpy only (no scikit-learn at serving time).

Heads, all linear over the features of `features.py`:
- `intent`: the cheap intent model (TF-IDF) and `intent_full` (TF-IDF + sentence embedding), each with a
  temperature that turns its scores into calibrated probabilities;
- `labels`: one-vs-rest "this intent is present" scores, for a second intent (TF-IDF + tone cues);
- `handoff`: "a person must answer" (TF-IDF + tone cues), and `handoff_full` (TF-IDF + tone cues + sentence
  embedding), which decides for the messages whose cheap score lies near its threshold;
- `language`: es / pt / en learned from the corpus (TF-IDF), beside lid.176;
- `carry`: whether a newest message is read with its conversation, over the features of `carry.py`.
Thresholds come from held-out scores at training time (`learn.py`, `choose.py`)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from proxy.nlp.features import Batch, Featurizer, Sparse, runs

Vector = npt.NDArray[np.float32]
FORMAT = 4  # 2: the second-intent threshold applies to label score + sentence probability; 3: handoff_full;
# 4: the thread head `carry`
EVERY_MESSAGE = ("intent", "labels", "handoff", "language")  # the heads every message is scored by


@dataclass(frozen=True)
class Linear:
    """A linear head: sparse features (and optional dense tails) times a weight matrix."""

    weights: Vector  # (features, outputs)
    bias: Vector  # (outputs,)

    def scores(self, x: Sparse, *dense: Vector) -> Vector:
        """Scores of one message: sparse TF-IDF columns first, then the dense tails in order."""
        idx, val = x
        out = self.bias + val @ np.take(self.weights, idx, axis=0)
        return np.asarray(out + self.tail(*dense) if dense else out, dtype=np.float32)

    def tail(self, *dense: Vector) -> Vector:
        """The dense tails' part of the scores (no bias): what `scores` adds to the sparse part."""
        out = np.zeros(len(self.bias), np.float32)
        start = len(self.weights) - sum(len(d) for d in dense)
        for d in dense:
            out = out + d @ self.weights[start : start + len(d)]
            start += len(d)
        return out


@dataclass(frozen=True)
class Scores:
    """The sparse (TF-IDF) part of the scores of every head each message is scored by, bias included: the
    stage after the features. The dense tails (tone cues) are added by the stage that reads a head."""

    intent: Vector
    labels: Vector
    handoff: Vector
    language: Vector


def scores_many(head: Linear, batch: Batch, n: int) -> Vector:
    """`head.scores` of the n texts of a `Featurizer.transform_many` batch (sparse features only), (n, k)."""
    rows, cols, vals = batch
    out = np.tile(head.bias, (n, 1)).astype(np.float32)
    if len(rows):
        starts, _ = runs(rows)
        out[rows[starts]] += np.add.reduceat(vals[:, None] * np.take(head.weights, cols, axis=0), starts)
    return out


def softmax(scores: Vector, temperature: float) -> Vector:
    """Calibrated probabilities from scores (temperature fitted by cross-validation)."""
    z = scores * temperature
    z = np.exp(z - z.max())
    return np.asarray(z / z.sum(), dtype=np.float32)


@dataclass(frozen=True)
class Thresholds:
    """Decision points, each chosen by cross-validation on the training data (see learn.py)."""

    temperature: float  # cheap intent model
    temperature_full: float  # intent model with sentence embeddings
    cascade: float  # below this calibrated confidence, the embedding model decides
    abstain: float  # below this calibrated confidence, no intent is claimed
    second: float  # a second intent's one-vs-rest score must reach this
    handoff: float  # the hand-off score must reach this
    handoff_full: float  # the hand-off score with the sentence embedding must reach this
    handoff_band: float  # a cheap hand-off score this near its threshold is decided by `handoff_full`


@dataclass(frozen=True)
class Model:
    """Everything `recognise` needs from training."""

    featurizer: Featurizer
    intents: tuple[str, ...]
    intent: Linear
    intent_full: Linear
    labels: Linear
    handoff: Linear
    handoff_full: Linear
    languages: tuple[str, ...]
    language: Linear
    thresholds: Thresholds
    report: dict[str, object]  # cross-validated figures of this model, for `responde train` and the README
    carry: Linear | None = None  # trained after the rest, on the rest's readings of conversations

    @functools.cached_property
    def _every_message(self) -> tuple[Linear, list[slice]]:
        """The TF-IDF rows of the EVERY_MESSAGE heads side by side, and each head's columns: one gather of
        a message's rows instead of one per head."""
        heads: list[Linear] = [getattr(self, name) for name in EVERY_MESSAGE]
        dim = self.featurizer.dim
        stacked = Linear(
            np.ascontiguousarray(np.hstack([h.weights[:dim] for h in heads])),
            np.concatenate([h.bias for h in heads]),
        )
        ends = np.cumsum([len(h.bias) for h in heads]).tolist()
        return stacked, [slice(a, b) for a, b in zip([0, *ends], ends, strict=False)]

    def score(self, x: Sparse) -> Scores:
        """The sparse part of every EVERY_MESSAGE head's scores of one message."""
        stacked, columns = self._every_message
        out = stacked.scores(x)
        return Scores(*(out[c] for c in columns))

    def save(self, path: Path) -> None:
        """One .npz file (written to a temporary name, then renamed)."""
        arrays: dict[str, npt.NDArray[np.generic]] = dict(self.featurizer.to_arrays())
        for name in ("intent", "intent_full", "labels", "handoff", "handoff_full", "language", "carry"):
            head: Linear | None = getattr(self, name)
            if head is None:
                raise ValueError("a model is saved with its thread head (`carry`)")
            arrays[f"{name}_w"], arrays[f"{name}_b"] = head.weights, head.bias
        meta = {
            "format": FORMAT,
            "intents": list(self.intents),
            "languages": list(self.languages),
            "thresholds": self.thresholds.__dict__,
            "report": self.report,
        }
        arrays["meta"] = np.array(json.dumps(meta))
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Model:
        """The inverse of `save`; a file of another format is an error that says how to fix it."""
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(
                f"{path}: model format {meta.get('format')}, expected {FORMAT}; run `responde train`"
            )

        def head(name: str) -> Linear:
            return Linear(arrays[f"{name}_w"].astype(np.float32), arrays[f"{name}_b"].astype(np.float32))

        model = cls(
            Featurizer.from_arrays(arrays),
            tuple(meta["intents"]),
            head("intent"),
            head("intent_full"),
            head("labels"),
            head("handoff"),
            head("handoff_full"),
            tuple(meta["languages"]),
            head("language"),
            Thresholds(**meta["thresholds"]),
            meta["report"],
            head("carry"),
        )
        model._every_message  # noqa: B018 -- stacked now, before the workers fork, so they share it
        return model
