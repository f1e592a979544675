"""Learning loop: agents correct the wrong intents on half of the dev set through a real store; `responde
train` retrains; macro-F1 on the other half, before and after. The models here learn from the corpus
without dev (corpus/labelled/ is left out), so dev stays unseen. Prints Markdown rows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from proxy import paths  # noqa: E402
from proxy.engine import Engine  # noqa: E402
from proxy.evaluate import predict_rows, report  # noqa: E402
from proxy.models import ensure_model, training_examples  # noqa: E402
from proxy.nlp.corpus import Example, read_jsonl  # noqa: E402
from proxy.nlp.embed import Embedder  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.nlp.model import Model  # noqa: E402
from proxy.rules.loader import load_rules  # noqa: E402
from proxy.store import Store  # noqa: E402
from proxy.training import live_model  # noqa: E402

DEV = paths.CORPUS_DIR / "labelled" / "dev.jsonl"


def halves(data: list[Example]) -> tuple[list[Example], list[Example]]:
    """A stable split by text: agents' half, held-out half."""
    picked = [zlib.crc32(ex.text.encode()) % 2 == 0 for ex in data]
    return [ex for ex, p in zip(data, picked, strict=True) if p], [
        ex for ex, p in zip(data, picked, strict=True) if not p
    ]


def main() -> None:
    rules = load_rules(paths.RULES_DIR)
    lid, embedder = LanguageDetector(), Embedder().load()
    agents, held_out = halves(list(read_jsonl(DEV)))
    user_embeddings = paths.models_dir() / "embeddings.npz"  # the user's cache: the same texts, no rework
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "RESPONDE_HOME": home}
        os.environ["RESPONDE_HOME"] = home
        corpus = Path(home) / "corpus"
        shutil.copytree(paths.CORPUS_DIR, corpus, ignore=shutil.ignore_patterns("labelled"))
        models = paths.models_dir()
        models.mkdir(parents=True, exist_ok=True)
        if user_embeddings.exists():
            shutil.copy(user_embeddings, models / "embeddings.npz")
        before_path = ensure_model(training_examples(rules, corpus), rules, models)
        engine = Engine(rules, Model.load(before_path), lid, embedder)
        store = Store(paths.database_path(), paths.store_key())
        corrected = 0
        for ex in agents:  # the agent fixes the wrong intents and inserts a suggestion for the right ones
            result = engine.analyze(ex.text, ex.site)
            store.record_analysis(result, ex.text, ex.site, {})
            shown = result["intents"][0]["id"] if result["intents"] else None
            if shown != ex.intents[0]:
                store.record_feedback(result["trace_id"], "corrected", None, ex.intents[0], None)
                corrected += 1
            else:
                store.record_feedback(result["trace_id"], "inserted", None, None, None)
        store.close()
        before = report(predict_rows(engine, held_out))["macro_f1"]
        cmd = [sys.executable, "-m", "proxy", "--no-progress", "--corpus", str(corpus), "train"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        verdict = done.stdout.splitlines()[1] if len(done.stdout.splitlines()) > 1 else done.stdout.strip()
        after_path = live_model(rules, corpus, models)
        after_engine = Engine(rules, Model.load(after_path), lid, embedder)
        after = report(predict_rows(after_engine, held_out))["macro_f1"]
        trained = max(models.glob("model-*.npz"), key=lambda f: f.stat().st_mtime)  # active or not
        tried = report(predict_rows(Engine(rules, Model.load(trained), lid, embedder), held_out))["macro_f1"]
    print(
        f"| retrain on agents' corrections: {corrected} of {len(agents)} dev messages corrected, macro-F1 on "
        f"the other {len(held_out)} | {after:.3f} after `responde train` (the retrained model: {tried:.3f}) "
        f"| {before:.3f} before | not worse ({verdict}) |"
    )


if __name__ == "__main__":
    main()
