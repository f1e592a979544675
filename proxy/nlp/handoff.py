"""The hand-off stage: whether a person must answer, and why.

A learned decision, recall first, in two layers. The cheap head (TF-IDF + tone cues) scores "a person must
answer" from the words; then one small logistic head, `handoff_stack`, reads that score beside the intent
model's calibrated probabilities, the tone cues and the message's length (`stack_features`), so that the
same words weigh differently in a refund request and in a shipping question. It learns from held-out scores
and its threshold is set there (`learn_handoff.py`). Two hard rules stand beside it: a legal threat (Procon,
Profeco, chargeback...) and a main intent the seller marks `handoff: true`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from proxy.nlp.model import Model, Scores
from proxy.nlp.tone import Tone


@dataclass(frozen=True)
class Handoff:
    """Whether a person must answer, and why."""

    required: bool
    reasons: tuple[str, ...]
    score: float  # the stacked score, against the model's hand-off threshold


def handoff_score(model: Model, s: Scores, tone: Tone) -> float:
    """The cheap hand-off score (TF-IDF + tone cues)."""
    return float((s.handoff + model.handoff.tail(np.array(tone.vector(), np.float32)))[0])


def stack_features(
    cheap: npt.ArrayLike, probs: npt.ArrayLike, cues: npt.ArrayLike, lengths: npt.ArrayLike
) -> npt.NDArray[np.float32]:
    """The stacked head's input, a row per message: the cheap hand-off score, the intent model's calibrated
    probabilities, the tone cues, and the log of the cleaned text's length. One function for training
    (held-out arrays) and serving (a batch of messages)."""
    n = len(np.atleast_1d(np.asarray(lengths)))
    return np.hstack(
        [
            np.asarray(cheap, np.float32).reshape(n, 1),
            np.asarray(probs, np.float32).reshape(n, -1),
            np.asarray(cues, np.float32).reshape(n, -1),
            np.log1p(np.asarray(lengths, np.float32)).reshape(n, 1),
        ]
    )


def stacked_scores(
    model: Model,
    cheap: Sequence[float],
    probs: Sequence[npt.ArrayLike],
    tones: Sequence[Tone],
    cleaned: Sequence[str],
) -> list[float]:
    """The stacked hand-off score of each message of a batch (`probs`: the intent cascade's calibrated
    probabilities, before the seller's keywords)."""
    if not cheap:
        return []
    x = stack_features(cheap, np.vstack(probs), [t.vector() for t in tones], [len(c) for c in cleaned])
    head = model.handoff_stack
    return [float(v) for v in (x @ head.weights + head.bias)[:, 0]]


def handoff(
    model: Model, score: float, tone: Tone, main: str | None, handoff_intents: Collection[str]
) -> Handoff:
    """The decision for one message: `score` is its stacked score, `main` its main intent (None:
    abstained)."""
    reasons = [f"intent:{main}"] if main is not None and main in handoff_intents else []
    reasons += [f"threat:{t}" for t in tone.threats]
    if score >= model.thresholds.handoff:
        reasons.append("tone:negative" if tone.negative else "model")
    return Handoff(bool(reasons), tuple(reasons), round(score, 3))
