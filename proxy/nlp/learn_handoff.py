"""Training of the hand-off's deciding head, `handoff_stack` (scikit-learn, training time only).

It learns "a person must answer" from held-out rows: the labelled messages, scored by heads trained without
them (`learn.py`), so that it weighs the cheap hand-off score and the intent probabilities as they read on
messages the model has not seen. Its threshold is the lowest at which the whole decision — the hard rules
(`forced`: a main intent marked `handoff: true`, a threat) or the head — keeps STACK_PRECISION on
cross-validated scores of those rows: recall first, as on sets nobody trains on precision reads lower and
recall higher than there."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from proxy.nlp import metrics
from proxy.nlp.handoff import stack_features
from proxy.nlp.model import Linear

STACK_PRECISION = 0.83  # the decision's precision on the held-out rows (cross-validated)
STACK_FOLDS = 5


def _logistic(x: npt.NDArray[np.float32], y: npt.NDArray[np.bool_]) -> Linear:
    from sklearn.linear_model import LogisticRegression

    if y.all() or not y.any():
        return Linear(np.zeros((x.shape[1], 1), np.float32), np.array([1.0 if y.all() else -1.0], np.float32))
    m = LogisticRegression(C=1.0, max_iter=3000).fit(x, y)
    return Linear(m.coef_.T.astype(np.float32).copy(), m.intercept_.astype(np.float32))


def cross_validated(x: npt.NDArray[np.float32], y: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    """Each row's score by a head trained without its fold (in-sample when a class is too rare to split)."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(STACK_FOLDS, int(y.sum()), int((~y).sum()))
    if folds < 2:
        head = _logistic(x, y)
        return np.asarray(x @ head.weights + head.bias, np.float32)[:, 0]
    out = np.zeros(len(y), np.float32)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        head = _logistic(x[train], y[train])
        out[test] = (x[test] @ head.weights + head.bias)[:, 0]
    return out


def fit_stack(
    cheap: npt.NDArray[np.floating],
    probs: npt.NDArray[np.floating],
    cues: npt.NDArray[np.floating],
    lengths: npt.NDArray[np.int_],
    person: npt.NDArray[np.bool_],
    forced: npt.NDArray[np.bool_],
) -> tuple[Linear, float, dict[str, object]]:
    """The head trained on every held-out row, its threshold, and the decision's figures there."""
    x = stack_features(cheap, probs, cues, lengths)
    scores = cross_validated(x, person)
    threshold = metrics.threshold_for_decision(scores, person, forced, STACK_PRECISION)
    said = forced | (scores >= threshold)
    report: dict[str, object] = {
        "handoff_recall": round(float((said & person).sum() / max(1, person.sum())), 4),
        "handoff_precision": round(float((said & person).sum() / max(1, said.sum())), 4),
        "handoff_forced": round(float(forced.mean()), 4),
    }
    return _logistic(x, person), threshold, report
