"""Calibration and threshold choice from out-of-fold scores (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
TEMPERATURES = np.arange(0.25, 15.01, 0.25)


def softmax_rows(scores: Array, temperature: float) -> npt.NDArray[np.float64]:
    """Row-wise softmax of scores times a temperature."""
    z = np.asarray(scores, np.float64) * temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(z / z.sum(axis=1, keepdims=True), np.float64)


def fit_temperature(scores: Array, gold: Array) -> float:
    """The temperature minimising the negative log-likelihood of the gold labels (a grid: robust, fast)."""
    rows = np.arange(len(gold))

    def nll(t: float) -> float:
        return float(-np.log(softmax_rows(scores, t)[rows, gold] + 1e-12).mean())

    return float(min(TEMPERATURES, key=nll))


def macro_f1(gold: Array, pred: Array) -> float:
    """Mean F1 over the labels present in gold (a prediction of none counts as wrong)."""
    f1s = []
    for label in np.unique(gold):
        tp = float(((gold == label) & (pred == label)).sum())
        fp = float(((gold != label) & (pred == label)).sum())
        fn = float(((gold == label) & (pred != label)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s)) if f1s else 0.0


def ece(confidence: Array, correct: Array, bins: int = 10) -> float:
    """Expected calibration error: mean |confidence - accuracy| over equal-width bins, weighted by size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += abs(float(confidence[inside].mean()) - float(correct[inside].mean())) * float(
                inside.mean()
            )
    return total


def threshold_for_precision(scores: Array, gold: Array, precision: float) -> float:
    """The lowest score threshold whose precision is at least `precision` (the most recall at that
    precision); the highest score when none reaches it."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(gold[order])
    prec = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(prec >= precision)
    return float(scores[order][ok[-1]]) if len(ok) else float(scores.max())


def _second(scores: Array, main: Array, skip: Sequence[int]) -> tuple[Array, Array]:
    s = np.array(scores, np.float64)
    s[np.arange(len(main)), main] = -np.inf
    s[:, list(skip)] = -np.inf
    best = s.argmax(axis=1)
    return best, s[np.arange(len(main)), best]


def two_intents(
    scores: Array, main: Array, present: Array, threshold: float, skip: Sequence[int]
) -> tuple[float, float]:
    """(recall, precision) of two-intent answers: a two-intent message is recalled when both its intents
    are given; a two-intent answer is right when both of its intents are labelled."""
    best, value = _second(scores, main, skip)
    rows = np.arange(len(main))
    said = value >= threshold
    both = present[rows, main] & present[rows, best]
    gold_two = present.sum(axis=1) == 2
    recall = float((said & both & gold_two).sum() / max(1, gold_two.sum()))
    precision = float((said & both).sum() / max(1, said.sum()))
    return recall, precision


def best_second_threshold(scores: Array, main: Array, present: Array, skip: Sequence[int]) -> float:
    """The second-intent threshold with the best F1 of two-intent recall and precision."""

    def f1(t: float) -> float:
        r, p = two_intents(scores, main, present, t, skip)
        return 2 * r * p / (r + p) if r + p else 0.0

    return float(max(np.arange(-1.0, 1.01, 0.05), key=f1))
