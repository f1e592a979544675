"""The hand-off stage: whether a person must answer, and why.

A learned decision, recall first — a linear head trained on negative tone and the hand-off intents, with
the tone cues among its features, its threshold set on held-out messages (`learn.py`) — in two steps like
the intent cascade: the cheap score (TF-IDF + tone cues) decides, unless it lies near its threshold; then
the score with the message's sentence embedding decides, against its own threshold. Two hard rules stand
beside it: a legal threat (Procon, Profeco, chargeback...) and a main intent the seller marks
`handoff: true`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from proxy.nlp.features import Sparse
from proxy.nlp.model import Model, Scores, Vector
from proxy.nlp.tone import Tone


@dataclass(frozen=True)
class Handoff:
    """Whether a person must answer, and why."""

    required: bool
    reasons: tuple[str, ...]
    score: float  # the score that decided (with the sentence embedding when it was near the threshold)


def handoff_score(model: Model, s: Scores, tone: Tone) -> float:
    """The cheap hand-off score (TF-IDF + tone cues)."""
    return float((s.handoff + model.handoff.tail(np.array(tone.vector(), np.float32)))[0])


@overload
def within_band(score: float, threshold: float, band: float) -> bool: ...
@overload
def within_band(score: npt.NDArray[Any], threshold: float, band: float) -> npt.NDArray[np.bool_]: ...
def within_band(score: Any, threshold: float, band: float) -> Any:
    """Scores so near the threshold that the score with the sentence embedding decides: one test for serving
    (`near_threshold`, a float) and for training, which sets the thresholds with it (held-out arrays)."""
    return abs(score - threshold) < band


def near_threshold(model: Model, score: float) -> bool:
    """A cheap hand-off score so near its threshold that the score with the sentence embedding decides."""
    return within_band(score, model.thresholds.handoff, model.thresholds.handoff_band)


def handoff(
    model: Model,
    x: Sparse,
    cheap: float,
    dense: Vector | None,
    tone: Tone,
    main: str | None,
    handoff_intents: Collection[str],
) -> Handoff:
    """The decision for one message: `cheap` is its `handoff_score`, `dense` its sentence embedding (None
    when it was not encoded: the cheap score then decides alone), `main` its main intent (None: abstained)."""
    score, threshold = cheap, model.thresholds.handoff
    if dense is not None and near_threshold(model, cheap):
        cues = np.array(tone.vector(), np.float32)
        score, threshold = float(model.handoff_full.scores(x, cues, dense)[0]), model.thresholds.handoff_full
    reasons = [f"intent:{main}"] if main is not None and main in handoff_intents else []
    reasons += [f"threat:{t}" for t in tone.threats]
    if score >= threshold:
        reasons.append("tone:negative" if tone.negative else "model")
    return Handoff(bool(reasons), tuple(reasons), round(score, 3))
