"""Training: every head of `model.Model` from labelled examples, thresholds by cross-validation.

The only module that imports scikit-learn (training time only). Linear SVMs (liblinear) for the intent,
label and hand-off heads — on held-out data they beat logistic regression and fastText here — and a
logistic regression for the corpus language. Deterministic for the same examples."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack

from proxy.nlp import augment
from proxy.nlp.choose import choose
from proxy.nlp.clean import clean
from proxy.nlp.corpus import Example
from proxy.nlp.embed import EmbeddingCache
from proxy.nlp.features import Featurizer
from proxy.nlp.model import Linear, Model
from proxy.nlp.normalize import normalize
from proxy.nlp.pipeline import sentence_scores
from proxy.nlp.tone import CUE_FEATURES, ToneDetector

FOLDS = 3
SVM_C = 1.0
CALIBRATION_MIN = 200
# Labelled rows that are trained on but do not set thresholds: real public reviews (`clothing.jsonl`), a
# source unlike the inbox messages the thresholds are for (mostly praise: they would lift the precision
# that sets the hand-off threshold, and with it the threshold).
NOT_HELD_OUT = ("clothing-",)
Progress = Callable[[str], None]


def sparse(featurizer: Featurizer, texts: Sequence[tuple[str, str]]) -> csr_matrix:
    """The TF-IDF matrix of many (normalized, cleaned) texts (rows as `Featurizer.transform` gives them)."""
    indptr, cols, vals = [0], [], []
    for normalized, cleaned in texts:
        c, v = featurizer.transform(normalized, cleaned)
        cols.append(c)
        vals.append(v)
        indptr.append(indptr[-1] + len(c))
    return csr_matrix(
        (
            np.concatenate(vals or [np.zeros(0, np.float32)]),
            np.concatenate(cols or [np.zeros(0, np.int32)]),
            np.array(indptr),
        ),
        shape=(len(indptr) - 1, featurizer.dim),
        dtype=np.float32,
    )


@dataclass(frozen=True)
class Matrices:
    """The training data as feature matrices and targets."""

    tfidf: csr_matrix
    full: csr_matrix | None  # TF-IDF | sentence embedding
    cues: csr_matrix  # TF-IDF | tone cues
    main: npt.NDArray[np.int_]  # main intent index
    present: npt.NDArray[np.bool_]  # (n, intents): intent labelled
    person: npt.NDArray[np.bool_]  # needs a person: negative tone or a hand-off intent
    langs: list[str]

    def subset(self, rows: npt.NDArray[np.int_]) -> Matrices:
        """The targets of some rows (the matrices are not needed to choose thresholds)."""
        return Matrices(
            self.tfidf[rows],
            None,
            self.cues[rows],
            self.main[rows],
            self.present[rows],
            self.person[rows],
            [self.langs[i] for i in rows],
        )


def _svm(x: csr_matrix, y: npt.NDArray[Any]) -> Linear:
    from sklearn.svm import LinearSVC

    m = LinearSVC(C=SVM_C, random_state=0).fit(x, y)
    return Linear(m.coef_.T.astype(np.float32).copy(), m.intercept_.astype(np.float32))


def _multiclass(x: csr_matrix, y: npt.NDArray[np.int_], k: int) -> Linear:
    """One score per class 0..k-1 (a class absent from y scores -10: it can never win)."""
    head = _svm(x, y)
    present = np.unique(y)
    if len(present) == 2:  # liblinear answers one column for two classes
        head = Linear(np.hstack([-head.weights, head.weights]), np.hstack([-head.bias, head.bias]))
    weights = np.zeros((x.shape[1], k), np.float32)
    bias = np.full(k, -10.0, np.float32)
    weights[:, present], bias[present] = head.weights, head.bias
    return Linear(weights, bias)


def _binary(x: csr_matrix, y: npt.NDArray[np.bool_]) -> Linear:
    if y.all() or not y.any():
        return Linear(np.zeros((x.shape[1], 1), np.float32), np.array([1.0 if y.all() else -1.0], np.float32))
    return _svm(x, y.astype(int))


def _labels(x: csr_matrix, present: npt.NDArray[np.bool_]) -> Linear:
    heads = [_binary(x, present[:, j]) for j in range(present.shape[1])]
    return Linear(np.hstack([h.weights for h in heads]), np.concatenate([h.bias for h in heads]))


def held_out_sentences(
    head: Linear, featurizer: Featurizer, examples: Sequence[Example], rows: npt.NDArray[np.int_]
) -> dict[int, npt.NDArray[np.float32]]:
    """`pipeline.sentence_scores` of these rows' messages (those of two sentences or more), as the
    second-intent stage sees them when serving."""
    out = {}
    for row in rows:
        scores = sentence_scores(head, featurizer, clean(examples[row].text))
        if scores is not None:
            out[int(row)] = scores
    return out


def _scores(head: Linear, x: csr_matrix) -> npt.NDArray[np.float32]:
    return np.asarray(x @ head.weights + head.bias, dtype=np.float32)


def matrices(
    examples: Sequence[Example],
    intents: Sequence[str],
    handoff_intents: set[str],
    featurizer: Featurizer,
    cache: EmbeddingCache | None,
    tone: ToneDetector,
) -> Matrices:
    """Features and targets of labelled examples (no embeddings without a cache)."""
    cleaned = [clean(ex.text) for ex in examples]
    normalized = [normalize(t) for t in cleaned]
    tfidf = sparse(featurizer, list(zip(normalized, cleaned, strict=True)))
    cues = np.array(
        [tone.detect(t, n).vector() for t, n in zip(cleaned, normalized, strict=True)], np.float32
    )
    index = {i: n for n, i in enumerate(intents)}
    present = np.zeros((len(examples), len(intents)), bool)
    for row, ex in enumerate(examples):
        present[row, [index[i] for i in ex.intents]] = True
    return Matrices(
        tfidf,
        hstack([tfidf, csr_matrix(cache.get(cleaned))]).tocsr() if cache is not None else None,
        hstack([tfidf, csr_matrix(cues.reshape(len(examples), len(CUE_FEATURES)))]).tocsr(),
        np.array([index[ex.intents[0]] for ex in examples]),
        present,
        np.array([ex.negative or bool(set(ex.intents) & handoff_intents) for ex in examples]),
        [ex.lang for ex in examples],
    )


def held_out_folds(examples: Sequence[Example], main: npt.NDArray[np.int_]) -> list[npt.NDArray[np.int_]]:
    """The rows whose held-out scores set calibration and thresholds. With enough labelled messages
    (`corpus/labelled/*.jsonl`: buyers' own words), one fold: those messages, scored by a model trained on
    everything else — a source the model has not seen, as every new buyer is; tidy one-line corpus examples
    scored by cross-validation would make the model look surer than it is. Otherwise FOLDS-fold CV."""
    labelled = np.flatnonzero([ex.id is not None and not ex.id.startswith(NOT_HELD_OUT) for ex in examples])
    if len(labelled) >= CALIBRATION_MIN and len(examples) - len(labelled) >= CALIBRATION_MIN:
        return [labelled]
    return _folds(main, FOLDS)


def _folds(main: npt.NDArray[np.int_], k: int) -> list[npt.NDArray[np.int_]]:
    """Stratified fold number of every row (deterministic)."""
    fold = np.zeros(len(main), int)
    for label in np.unique(main):
        rows = np.flatnonzero(main == label)
        fold[rows] = np.arange(len(rows)) % k
    return [np.flatnonzero(fold == f) for f in range(k)]


def fit(
    examples: Sequence[Example],
    intents: Sequence[str],
    handoff_intents: set[str],
    tone: ToneDetector,
    cache: EmbeddingCache,
    progress: Progress = lambda _: None,
    wrappers: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
) -> Model:
    """Train every head on all examples and their copies (`augment.py`: without punctuation, and wrapped in
    `wrappers`' openers and sign-offs; the hand-off head not on the wrapped ones); thresholds and the
    report from held-out scores of the examples themselves, each scored by heads trained without it and
    without its copies."""
    from sklearn.linear_model import LogisticRegression

    intents = list(intents)
    progress("features")
    unpunctuated = augment.copies(examples)
    extra = unpunctuated + augment.wrapped(examples, wrappers or {})
    everything = [*examples, *(ex for _, ex in extra)]  # the examples first: their rows keep their numbers
    forms: list[list[tuple[str, str]]] = [[] for _ in examples]  # a message and its copies: one document
    for row, ex in [*enumerate(examples), *extra]:
        cleaned = clean(ex.text)
        forms[row].append((normalize(cleaned), cleaned))
    featurizer = Featurizer.fit(forms)
    progress("sentence embeddings")
    source = np.array([*range(len(examples)), *(row for row, _ in extra)])  # a row's example
    # The hand-off head learns tone, and an opener or a sign-off carries some ("Dios les bendiga"): it
    # trains on the examples and their unpunctuated copies, not on the wrapped ones.
    n_toned = len(examples) + len(unpunctuated)  # the toned rows come first
    toned = np.arange(len(everything)) < n_toned
    m = matrices(everything, intents, handoff_intents, featurizer, cache, tone)
    assert m.full is not None
    # the hand-off head with embeddings: TF-IDF | tone cues | sentence embedding
    handoff_x = hstack([m.cues[:n_toned], m.full[:n_toned, featurizer.dim :]]).tocsr()

    k = len(intents)
    oof = {
        key: np.zeros((len(examples), w)) for key, w in (("i", k), ("f", k), ("l", k), ("h", 1), ("hf", 1))
    }
    folds = held_out_folds(examples, m.main[: len(examples)])
    sentences: dict[int, npt.NDArray[np.float32]] = {}  # row -> raw cheap scores of its sentences
    for n, test in enumerate(folds, 1):
        progress(f"held-out scores {n}/{len(folds)}")
        train = np.flatnonzero(~np.isin(source, test))
        cheap = _multiclass(m.tfidf[train], m.main[train], k)
        oof["i"][test] = _scores(cheap, m.tfidf[test])
        sentences.update(held_out_sentences(cheap, featurizer, examples, test))
        oof["f"][test] = _scores(_multiclass(m.full[train], m.main[train], k), m.full[test])
        oof["l"][test] = _scores(_labels(m.cues[train], m.present[train]), m.cues[test])
        tone_rows = train[toned[train]]
        oof["h"][test] = _scores(_binary(m.cues[tone_rows], m.person[tone_rows]), m.cues[test])
        oof["hf"][test] = _scores(_binary(handoff_x[tone_rows], m.person[tone_rows]), handoff_x[test])
    progress("final model")
    rows = np.concatenate(folds)
    scheme = "labelled messages, by a model trained without them" if len(folds) == 1 else f"{FOLDS}-fold CV"
    held = {key: v[rows] for key, v in oof.items()}
    thresholds, report = choose(held, m.subset(rows), intents, scheme, [sentences.get(int(i)) for i in rows])
    languages = sorted(set(m.langs))
    lang = LogisticRegression(C=10.0, max_iter=2000).fit(m.tfidf, m.langs)
    return Model(
        featurizer,
        tuple(intents),
        _multiclass(m.tfidf, m.main, k),
        _multiclass(m.full, m.main, k),
        _labels(m.cues, m.present),
        _binary(m.cues[toned], m.person[toned]),
        _binary(handoff_x, m.person[:n_toned]),
        tuple(languages),
        Linear(lang.coef_.T.astype(np.float32).copy(), lang.intercept_.astype(np.float32))
        if len(languages) > 2
        else Linear(
            np.zeros((featurizer.dim, len(languages)), np.float32), np.zeros(len(languages), np.float32)
        ),
        thresholds,
        report,
    )
