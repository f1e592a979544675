"""Learning loop: agents correct the wrong intents on half of the dev set through a real store; `responde
train` retrains; macro-F1 on the other half, before and after. Prints Markdown rows."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from proxy import paths  # noqa: E402
from proxy.engine import Engine, corpus_examples, ensure_model  # noqa: E402
from proxy.evaluate import predict_rows, report  # noqa: E402
from proxy.nlp.corpus import Example, read_jsonl  # noqa: E402
from proxy.nlp.intent_model import IntentModel, ModelFiles  # noqa: E402
from proxy.nlp.language import LanguageDetector  # noqa: E402
from proxy.rules.loader import load_rules  # noqa: E402
from proxy.store import Store  # noqa: E402
from proxy.training import live_model  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "dev.jsonl"


def halves(data: list[Example]) -> tuple[list[Example], list[Example]]:
    """A stable split by text: agents' half, held-out half."""
    picked = [zlib.crc32(ex.text.encode()) % 2 == 0 for ex in data]
    return [ex for ex, p in zip(data, picked, strict=True) if p], [
        ex for ex, p in zip(data, picked, strict=True) if not p
    ]


def main() -> None:
    rules = load_rules(paths.RULES_DIR)
    lid = LanguageDetector()
    agents, held_out = halves(list(read_jsonl(DEV)))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "RESPONDE_HOME": home}
        os.environ["RESPONDE_HOME"] = home
        models = paths.models_dir()
        before_files = ensure_model(corpus_examples(rules, paths.CORPUS_DIR), models)
        engine = Engine(rules, IntentModel(before_files), lid)
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
        cmd = [sys.executable, "-m", "proxy", "--no-progress", "train"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        verdict = done.stdout.splitlines()[1] if len(done.stdout.splitlines()) > 1 else done.stdout.strip()
        after_files = live_model(rules, paths.CORPUS_DIR, models)
        after = report(predict_rows(Engine(rules, IntentModel(after_files), lid), held_out))["macro_f1"]
        newest = max(models.glob("intent-*-0.bin"), key=lambda f: f.stat().st_mtime).stem.split("-")[1]
        trained = ModelFiles.for_key(models, newest)  # the retrained model, active or not
        tried = report(predict_rows(Engine(rules, IntentModel(trained), lid), held_out))["macro_f1"]
    print(
        f"| retrain on agents' corrections: {corrected} of {len(agents)} dev messages corrected, macro-F1 on "
        f"the other {len(held_out)} | {after:.3f} after `responde train` (the retrained model: {tried:.3f}) "
        f"| {before:.3f} before | not worse ({verdict}) |"
    )


if __name__ == "__main__":
    main()
