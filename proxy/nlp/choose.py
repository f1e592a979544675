"""Decision points from held-out scores: calibration temperatures, the cascade's and the second intent's
thresholds, the hand-off thresholds, and the figures they give there (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from proxy.nlp import metrics
from proxy.nlp.handoff import within_band
from proxy.nlp.model import Thresholds
from proxy.nlp.segments import SEGMENT_WEIGHT

if TYPE_CHECKING:
    from proxy.nlp.learn import Matrices

ABSTAIN = 0.35  # calibrated confidence below which no intent is claimed
HANDOFF_PRECISION = 0.80  # the hand-off thresholds: the most recall at this precision on held-out messages
CASCADE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
# A cheap hand-off score within this of its threshold is decided by the head with the sentence embedding
# (held-out, 2026-12-06: about one message in nine, and nearly all of what that head adds there).
HANDOFF_BAND = 0.2


def choose(
    oof: dict[str, npt.NDArray[Any]],
    m: Matrices,
    intents: list[str],
    scheme: str,
    sentences: Sequence[npt.NDArray[np.float32] | None] = (),
) -> tuple[Thresholds, dict[str, object]]:
    """Thresholds from held-out scores (`sentences`: a row's cheap scores per sentence, None for one
    sentence), and the figures they give there."""
    t_cheap = metrics.fit_temperature(oof["i"], m.main)
    t_full = metrics.fit_temperature(oof["f"], m.main)
    p_cheap, p_full = metrics.softmax_rows(oof["i"], t_cheap), metrics.softmax_rows(oof["f"], t_full)

    def cascade(tau: float) -> npt.NDArray[np.float64]:
        return np.where((p_cheap.max(1) < tau)[:, None], p_full, p_cheap)

    scored = [(metrics.macro_f1(m.main, cascade(t).argmax(1)), -t, t) for t in CASCADE_GRID]
    tau = max(scored)[2]
    probs = cascade(tau)
    main = probs.argmax(1)
    skip = [intents.index(i) for i in ("greeting", "other") if i in intents]
    per_sentence = np.zeros_like(oof["l"])
    for row, scores in enumerate(sentences):
        if scores is not None:
            per_sentence[row] = metrics.softmax_rows(scores, t_cheap).max(0)
    labels = oof["l"] + SEGMENT_WEIGHT * per_sentence
    second = metrics.best_second_threshold(labels, main, m.present, skip)
    cheap, full = oof["h"][:, 0], oof["hf"][:, 0]
    handoff = metrics.threshold_for_precision(cheap, m.person, HANDOFF_PRECISION)
    handoff_full = metrics.threshold_for_precision(full, m.person, HANDOFF_PRECISION)
    near = within_band(cheap, handoff, HANDOFF_BAND)
    said = np.where(near, full >= handoff_full, cheap >= handoff)
    two = metrics.two_intents(labels, main, m.present, second, skip)
    report: dict[str, object] = {
        "examples": len(m.main),  # the rows thresholds were chosen on
        "held_out": scheme,
        "macro_f1": round(metrics.macro_f1(m.main, main), 4),
        "accuracy": round(float((main == m.main).mean()), 4),
        "ece": round(metrics.ece(probs.max(1), main == m.main), 4),
        "embedding_share": round(float((p_cheap.max(1) < tau).mean()), 4),
        "handoff_embedding_share": round(float(near.mean()), 4),
        "handoff_recall": round(float((said & m.person).sum() / max(1, m.person.sum())), 4),
        "handoff_precision": round(float((said & m.person).sum() / max(1, said.sum())), 4),
        "two_intent_recall": round(two[0], 4),
        "two_intent_precision": round(two[1], 4),
    }
    thresholds = Thresholds(t_cheap, t_full, tau, ABSTAIN, second, handoff, handoff_full, HANDOFF_BAND)
    return thresholds, report
