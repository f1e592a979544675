"""The evidence for the recognition core: every intent candidate and a TF-IDF + linear peer, trained in this
run on the same data, measured on the frozen independent sets (eval/independent/, never read by the people
tuning the model), by cross-validation on dev, and leave-one-style-out; hand-off per language, two intents,
calibration and cost per message. Prints Markdown rows (and --json writes every figure)."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from proxy import paths  # noqa: E402
from proxy.engine import Engine  # noqa: E402
from proxy.evaluate import gold_handoff, predict_rows, recall_precision, report, two_intents  # noqa: E402
from proxy.models import handoff_intents, tone_detector, training_examples, wrappers  # noqa: E402
from proxy.nlp.augment import NOT_REQUESTS, unpunctuated  # noqa: E402
from proxy.nlp.clean import clean  # noqa: E402
from proxy.nlp.corpus import Example, read_jsonl  # noqa: E402
from proxy.nlp.embed import Embedder, EmbeddingCache  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.nlp.learn import fit  # noqa: E402
from proxy.nlp.metrics import threshold_for_precision  # noqa: E402
from proxy.nlp.model import softmax  # noqa: E402
from proxy.nlp.normalize import normalize  # noqa: E402
from proxy.nlp.pipeline import embeddings, intent_probs, read_text, unsure_of_intent  # noqa: E402
from proxy.rules.loader import RuleSet, load_rules  # noqa: E402

INDEPENDENT = REPO / "eval" / "independent"
# Sets written after the model work began, each committed before any run on it: the sixteenth, seventeenth,
# twentieth to twenty-fifth authors' (strong regional and generational slang; buyers new to online
# shopping; buyers whose story is the delivery; several matters in one message; irony and understatement;
# the taxonomy's boundaries; whether a person must step in; rambling messages). Each gets its own rows.
# The fifth to fifteenth authors' eleven sets, and the eighteenth's and nineteenth's (aftersales, thumbs),
# were run and read, then retired into training (`corpus/labelled/`, 2026-12-05: the rules in
# eval/slang/README.md and eval/couriers/README.md); their folders keep their READMEs. eval/irony/ and
# eval/borderline/ judged the two-step hand-off, eval/escalation/ and eval/tangled/ an eighth corpus round
# that failed, eval/behalf/ and eval/category/ a stacked hand-off that failed, eval/again/ and
# eval/switch/ real reviews in training that failed, eval/verdicts/ and eval/longhaul/ the same reviews not
# setting thresholds, which shipped, eval/wholesale/, eval/phonetic/ and eval/real2/ a ninth corpus round
# that failed (2026-12-06, the rules in their READMEs). eval/gifts/ and eval/portunhol/ judged the
# second-intent head without synthetic pairs, which shipped (2026-12-08), eval/real3/ real reviews of a second
# source in training at half weight, which passed and was withdrawn (2026-12-08). eval/real/, eval/real2/ and
# eval/real3/ hold real buyers' public texts.
LATER = {
    key: REPO / "eval" / key
    for key in (
        *("slang", "novice", "couriers", "bundled", "irony", "borderline"),
        *("escalation", "tangled", "behalf", "category"),
        *("real", "again", "switch", "verdicts", "longhaul"),
        *("real2", "wholesale", "phonetic"),
        *("gifts", "portunhol", "real3"),
    )
}
SECOND = "second-annotator.json"  # another annotator's labels of a later set's messages (ids and labels only)
EVAL_WRAPPERS = REPO / "eval" / "wrappers" / "pieces.json"  # another author's openers and sign-offs
EVAL_PRAISE = REPO / "eval" / "wrappers" / "praise.json"  # another author's praise of the store, per language
PEER = "peer: TF-IDF word+char + LinearSVC (scikit-learn, one line)"
DEV_NAME = "dev.jsonl"
Predict = Callable[[Sequence[str]], list[str]]


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(g == label == p for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label == p for g, p in zip(gold, pred, strict=True))
        fn = sum(p != label == g for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


# --- candidates: each trains on examples and returns a batch predictor of main intents ----------------


def wrap_requests(rows: Sequence[Example], pieces: dict[str, dict[str, list[str]]]) -> list[Example]:
    """Every request wrapped in one opener and one sign-off (drawn by its row number); greetings, thanks and
    `other`, which a wrapper alone would change, stay as written."""
    out = []
    for n, ex in enumerate(rows):
        if set(ex.intents) & set(NOT_REQUESTS):
            out.append(ex)
            continue
        draw = random.Random(n)
        opens, closes = pieces[ex.lang]["open"], pieces[ex.lang]["close"]
        out.append(replace(ex, text=f"{draw.choice(opens)} {ex.text} {draw.choice(closes)}"))
    return out


def praise_requests(rows: Sequence[Example], pieces: dict[str, list[str]]) -> list[Example]:
    """Every request after a sentence of praise for the store or earlier orders (drawn by row number)."""
    out = []
    for n, ex in enumerate(rows):
        praise = random.Random(n).choice(pieces[ex.lang])
        out.append(ex if set(ex.intents) & set(NOT_REQUESTS) else replace(ex, text=f"{praise} {ex.text}"))
    return out


def unlike(pieces: dict[str, dict[str, list[str]]], training: dict[str, tuple[list[str], list[str]]]) -> Any:
    """Only the pieces unlike every training piece of their language and place (rapidfuzz ratio < 85)."""
    from rapidfuzz import fuzz

    def new(piece: str, seen: list[str]) -> bool:
        return all(fuzz.ratio(normalize(piece), normalize(t)) < 85 for t in seen)

    return {
        lang: {place: [p for p in pool[place] if new(p, training[lang][place == "close"])] for place in pool}
        for lang, pool in pieces.items()
    }


def peer(train: list[Example]) -> Predict:
    """The peer: scikit-learn's TF-IDF word 1-2-grams + char_wb 2-5-grams and a LinearSVC, as one line."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        ),
        LinearSVC(),
    ).fit([ex.text for ex in train], [ex.intents[0] for ex in train])
    return lambda texts: list(model.predict(list(texts)))


def fasttext_candidate(train: list[Example]) -> Predict:
    """fastText supervised (softmax, word bigrams, char 2-5-grams), on the same normalized text."""
    from proxy.nlp.fasttext_check import load_fasttext

    fasttext = load_fasttext(training=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        for ex in train:
            if text := normalize(clean(ex.text)):
                fh.write(f"__label__{ex.intents[0]} {text}\n")
    model = fasttext.train_supervised(
        fh.name,
        epoch=30,
        lr=0.5,
        wordNgrams=2,
        minn=2,
        maxn=5,
        dim=50,
        loss="softmax",
        seed=7,
        thread=1,
        verbose=0,
    )
    Path(fh.name).unlink()

    def predict(texts: Sequence[str]) -> list[str]:
        return [model.predict(normalize(clean(t)).replace("\n", " ") or "?")[0][0][9:] for t in texts]

    return predict


class Ours:
    """The shipped design, trained once per data set; its heads also stand as candidates on their own."""

    def __init__(self, rules: RuleSet, train: list[Example], cache: EmbeddingCache, lid: LanguageDetector):
        self.model = fit(
            train,
            list(rules.intents),
            set(handoff_intents(rules)),
            tone_detector(rules),
            cache,
            wrappers=wrappers(rules),
        )
        self.engine = Engine(rules, self.model, lid, cache.embedder)
        self.cache = cache

    def head(self, full: bool) -> Predict:
        m = self.model

        def predict(texts: Sequence[str]) -> list[str]:
            out = []
            for t in texts:
                c = clean(t)
                x = m.featurizer.transform(normalize(c), c)
                s = (
                    m.intent_full.scores(x, self.cache.embedder.encode([c])[0])
                    if full
                    else m.intent.scores(x)
                )
                out.append(m.intents[int(np.argmax(s))])
            return out

        return predict

    def shipped(self, whole: bool = True) -> Predict:
        """The whole pipeline (`whole`), or only its intent stage (the cascade and abstention)."""

        def predict(texts: Sequence[str]) -> list[str]:
            out = []
            for t in texts:
                if whole:
                    found = self.engine.recognise(t).intents
                    out.append(found[0].id if found else "(abstain)")
                    continue
                text = read_text(t)
                x = m.featurizer.transform(text.normalized, text.clean)
                cheap = softmax(m.score(x).intent, m.thresholds.temperature)
                wanted = [unsure_of_intent(m, cheap)]
                [probs] = intent_probs(m, [x], [cheap], embeddings(self.cache.embedder, [text], wanted))
                out.append(
                    m.intents[int(np.argmax(probs))] if probs.max() >= m.thresholds.abstain else "(abstain)"
                )
            return out

        m = self.model
        return predict


def later_rows(
    key: str, rows: list[Example], candidates: dict[str, Predict], engine: Engine, figures: dict[str, Any]
) -> None:
    """Every candidate on one of the later sets (`LATER`), and the shipped model's hand-off and two intents
    there."""
    gold = [ex.intents[0] for ex in rows]
    figures[key] = {}
    title = f"intent on the {key} set (`eval/{key}/`, {len(rows)} messages), macro-F1 / accuracy"
    print(f"\n| {title} | |\n|---|---|")
    for name, predict in candidates.items():
        pred = predict([ex.text for ex in rows])
        figures[key][name] = (round(macro_f1(gold, pred), 4), round(accuracy(gold, pred), 4))
        print(f"| {name} | {figures[key][name][0]:.3f} / {figures[key][name][1]:.3f} |")
    rep = report(predict_rows(engine, rows))
    figures[f"{key}_report"] = {k: v for k, v in rep.items() if k not in ("per_intent", "confusions")}
    two = rep["two_intents"]
    print(
        f"| shipped, hand-off recall / precision | {rep['handoff_recall']} / {rep['handoff_precision']} ("
        + ", ".join(f"{k} {v['recall']} / {v['precision']}" for k, v in rep["handoff_by_language"].items())
        + f") |\n| shipped, two intents recall / precision | {two['recall']} / {two['precision']} |\n"
        f"| shipped, calibration ECE, abstentions | {rep['ece']}, {rep['abstain_rate']:.1%} |",
        flush=True,
    )
    second = LATER[key] / SECOND
    if second.exists():
        figures[f"{key}_second_annotator"] = human = agreement(rows, second)
        (h_recall, h_precision), both = human["handoff"], human["two_intents"]
        print(
            f"| a second annotator against the author (`{SECOND}`): main-intent macro-F1; hand-off recall / "
            f"precision; two intents recall / precision | {human['macro_f1']:.3f}; {h_recall} / "
            f"{h_precision}; {both['recall']} / {both['precision']} |",
            flush=True,
        )


def agreement(rows: list[Example], second: Path) -> dict[str, Any]:
    """The author's labels as gold, another annotator's (`SECOND`: labels only, no text) as the answer: how
    far from the author a careful reader lands, beside the model."""
    labels = {d["id"]: d for d in json.loads(second.read_text(encoding="utf-8"))}
    other = [
        replace(ex, intents=list(labels[ex.id]["intents"]), negative=labels[ex.id]["negative"]) for ex in rows
    ]
    return {
        "macro_f1": round(macro_f1([ex.intents[0] for ex in rows], [ex.intents[0] for ex in other]), 4),
        "handoff": recall_precision([gold_handoff(ex) for ex in rows], [gold_handoff(ex) for ex in other]),
        "two_intents": two_intents(
            [{"example": ex, "intents": o.intents} for ex, o in zip(rows, other, strict=True)]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--quick", action="store_true", help="independent sets only (no CV, no leave-one-out)"
    )
    args = parser.parse_args()
    rules = load_rules(paths.RULES_DIR)
    data = training_examples(rules, paths.CORPUS_DIR)
    dev = [ex for ex in data if (ex.id or "").startswith("dev-")]
    base = [ex for ex in data if not (ex.id or "").startswith("dev-")]
    styles = {p.stem: list(read_jsonl(p, rules.intents)) for p in sorted(INDEPENDENT.glob("*.jsonl"))}
    every = [ex for rows in styles.values() for ex in rows]
    later = {
        key: [ex for p in sorted(folder.glob("*.jsonl")) for ex in read_jsonl(p, rules.intents)]
        for key, folder in LATER.items()
    }
    lid = LanguageDetector()
    embedder = Embedder().load()
    cache = EmbeddingCache(paths.models_dir() / "embeddings.npz", embedder)
    figures: dict[str, Any] = {"train_examples": len(data), "independent": {}, "cost": {}}
    rows: list[str] = []

    t0 = time.perf_counter()
    ours = Ours(rules, data, cache, lid)
    figures["train_seconds"] = round(time.perf_counter() - t0, 1)
    candidates: dict[str, Predict] = {
        "fastText supervised (softmax, char 2-5 + word 2-grams)": fasttext_candidate(data),
        PEER: peer(data),
        "TF-IDF + linear SVM (ours, cheap head alone)": ours.head(full=False),
        "TF-IDF + sentence embeddings + linear SVM (always)": ours.head(full=True),
        "the cascade alone (no keyword or wrapper stage)": ours.shipped(whole=False),
        "**shipped: the whole pipeline**": ours.shipped(),
    }
    for name, predict in candidates.items():
        per: dict[str, Any] = {}
        for style, rows_ in [*styles.items(), ("all", every)]:
            gold = [ex.intents[0] for ex in rows_]
            t1 = time.perf_counter()
            pred = predict([ex.text for ex in rows_])
            if style == "all":
                figures["cost"][name] = round(len(rows_) / (time.perf_counter() - t1))
            per[style] = (round(macro_f1(gold, pred), 4), round(accuracy(gold, pred), 4))
        figures["independent"][name] = per
        cells = " | ".join(f"{per[s][0]:.3f} / {per[s][1]:.3f}" for s in [*styles, "all"])
        rows.append(f"| {name} | {cells} | {figures['cost'][name]:,} msg/s |")
    header = " | ".join([*styles, "all 720"])
    print(f"| intent on the independent sets, macro-F1 / accuracy | {header} | cost, one core |")
    print("|---|" + "---|" * (len(styles) + 2))
    print("\n".join(rows), flush=True)
    for key, rows_ in later.items():
        later_rows(key, rows_, candidates, ours.engine, figures)
    print("\n| what (shipped model unless named) | figure | detail | aim |\n|---|---|---|---|")

    rep = report(predict_rows(ours.engine, every))
    figures["shipped_report"] = {k: v for k, v in rep.items() if k not in ("per_intent", "confusions")}
    print(
        f"| shipped on all independent sets: hand-off recall / precision | {rep['handoff_recall']} / "
        f"{rep['handoff_precision']} | "
        + ", ".join(f"{k} {v['recall']} / {v['precision']}" for k, v in rep["handoff_by_language"].items())
        + " | aim ≥ 0.97 at ≥ 0.85 |"
    )
    at = {}
    for lang in ("es", "pt", "en"):
        rows_ = [r for r in predict_rows(ours.engine, [ex for ex in every if ex.lang == lang])]
        gold = np.array([gold_handoff(r["example"]) for r in rows_])
        scores = np.array([r["handoff_score"] for r in rows_])
        threshold = threshold_for_precision(scores, gold, 0.85)
        at[lang] = round(float(((scores >= threshold) & gold).sum() / max(1, gold.sum())), 3)
    figures["handoff_recall_at_precision_085"] = at
    print(
        "| hand-off recall at precision 0.85 per language (the model's score alone, threshold read off each "
        "language's independent messages: a measure, not the shipped threshold) | "
        + ", ".join(f"{k} {v}" for k, v in at.items())
        + " | | |"
    )
    two = rep["two_intents"]
    print(
        f"| shipped on all independent sets: two intents recall / precision | {two['recall']} / "
        f"{two['precision']} | calibration ECE {rep['ece']}, abstain {rep['abstain_rate']:.1%}, "
        f"sentence encoder on {rep['embedding_share']:.0%} | aim recall ≥ 0.8 |",
        flush=True,
    )

    def against_peer(key: str, rows_: list[Example]) -> tuple[dict[str, Any], float, float]:
        """The shipped model's report on a changed copy of the independent sets, and the peer's macro-F1
        and accuracy there; both models' figures go to figures[key]."""
        got = report(predict_rows(ours.engine, rows_))
        gold = [ex.intents[0] for ex in rows_]
        said = candidates[PEER]([ex.text for ex in rows_])
        f1, acc = macro_f1(gold, said), accuracy(gold, said)
        figures[key] = {
            "shipped": {k: got[k] for k in ("macro_f1", "accuracy", "handoff_recall", "handoff_precision")},
            "peer": {"macro_f1": round(f1, 4), "accuracy": round(acc, 4)},
        }
        return got, f1, acc

    plain, f1, acc = against_peer("unpunctuated", [replace(ex, text=unpunctuated(ex.text)) for ex in every])
    print(
        "| all independent sets with their punctuation removed, as many buyers type (`augment.unpunctuated`, "
        "the training copies' own transformation: this row favours the shipped model by construction) | "
        f"shipped {plain['macro_f1']:.3f} / {plain['accuracy']:.3f}, hand-off {plain['handoff_recall']} / "
        f"{plain['handoff_precision']}; peer {f1:.3f} / {acc:.3f} | macro-F1 / accuracy | |",
        flush=True,
    )
    pieces = json.loads(EVAL_WRAPPERS.read_text(encoding="utf-8"))
    unseen = unlike(pieces, wrappers(rules))
    for label, pool in (("all pieces", pieces), ("pieces unlike training ones", unseen)):
        got, f1, acc = against_peer(f"wrapped, {label}", wrap_requests(every, pool))
        print(
            "| all independent sets, every request wrapped in an opener and a sign-off by another author "
            f"(`eval/wrappers/`, {label}) | shipped {got['macro_f1']:.3f} / {got['accuracy']:.3f}, hand-off "
            f"{got['handoff_recall']} / {got['handoff_precision']}; peer {f1:.3f} / {acc:.3f} | "
            "macro-F1 / accuracy | |",
            flush=True,
        )
    praise = json.loads(EVAL_PRAISE.read_text(encoding="utf-8"))
    got, f1, acc = against_peer("praised", praise_requests(every, praise))
    print(
        "| all independent sets, every request after a sentence of praise for the store by another author "
        f"(`eval/wrappers/praise.json`) | shipped {got['macro_f1']:.3f} / {got['accuracy']:.3f}, hand-off "
        f"{got['handoff_recall']} / {got['handoff_precision']}, two intents {got['two_intents']['recall']} / "
        f"{got['two_intents']['precision']}; peer {f1:.3f} / {acc:.3f} | macro-F1 / accuracy | |",
        flush=True,
    )
    print(
        f"| training the shipped model ({len(data):,} examples, held-out scores inside) | "
        f"{figures['train_seconds']} s | | |"
    )
    if not args.quick:
        cross_validated_rows(rules, data, dev, base, styles, cache, lid, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


def cross_validated_rows(
    rules: RuleSet,
    data: list[Example],
    dev: list[Example],
    base: list[Example],
    styles: dict[str, list[Example]],
    cache: EmbeddingCache,
    lid: LanguageDetector,
    figures: dict[str, Any],
) -> None:
    """Dev 5-fold cross-validation and leave one independent style out (the full bench, not `--quick`)."""
    # 5-fold cross-validation on dev: train on everything else plus 4/5 of dev.
    folds = [dev[i::5] for i in range(5)]
    cv: dict[str, tuple[list[str], list[str]]] = {
        k: ([], []) for k in ("peer", "fasttext", "shipped", "the cascade alone")
    }
    for i, test in enumerate(folds):
        train = base + [ex for j, f in enumerate(folds) if j != i for ex in f]
        gold = [ex.intents[0] for ex in test]
        fold_model = Ours(rules, train, cache, lid)
        for key, predict in (
            ("peer", peer(train)),
            ("fasttext", fasttext_candidate(train)),
            ("shipped", fold_model.shipped()),
            ("the cascade alone", fold_model.shipped(whole=False)),
        ):
            cv[key][0].extend(gold)
            cv[key][1].extend(predict([ex.text for ex in test]))
    figures["dev_cv"] = {k: (round(macro_f1(*v), 4), round(accuracy(*v), 4)) for k, v in cv.items()}
    print(
        "| dev, 5-fold CV (macro-F1 / accuracy) | "
        + ", ".join(f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in figures["dev_cv"].items())
        + " | | |",
        flush=True,
    )

    # Leave one style out: train on the shipped data plus the other three independent styles.
    loso: dict[str, dict[str, tuple[float, float]]] = {"peer": {}, "shipped": {}}
    for style, test in styles.items():
        train = data + [ex for s, r in styles.items() if s != style for ex in r]
        gold = [ex.intents[0] for ex in test]
        for key, predict in (("peer", peer(train)), ("shipped", Ours(rules, train, cache, lid).shipped())):
            pred = predict([ex.text for ex in test])
            loso[key][style] = (round(macro_f1(gold, pred), 4), round(accuracy(gold, pred), 4))
    figures["leave_one_style_out"] = loso
    for key, per_style in loso.items():
        print(
            f"| leave-one-style-out, {key} (macro-F1 / accuracy) | "
            + ", ".join(f"{s} {a:.3f} / {b:.3f}" for s, (a, b) in per_style.items())
            + " | | |"
        )


if __name__ == "__main__":
    main()
