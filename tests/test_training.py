"""Retraining with agents' corrections: held-out check, active-model pointer, corpus changes."""

import json
import shutil
from pathlib import Path

from proxy import paths
from proxy.engine import Engine
from proxy.models import fingerprint, training_examples
from proxy.nlp.corpus import Example
from proxy.nlp.embed import Embedder
from proxy.nlp.language import LanguageDetector
from proxy.nlp.model import Model
from proxy.rules.loader import RuleSet
from proxy.training import HOLDOUT_EVERY, accuracy, live_model, read_active, retrain


def test_a_worse_model_is_not_activated_a_better_one_is(
    models_dir: Path, tmp_path: Path, rules: RuleSet
) -> None:
    models = tmp_path / "models"
    shutil.copytree(models_dir, models)  # the corpus model is already trained there
    base = fingerprint(training_examples(rules, paths.CORPUS_DIR), rules)
    # Agents "correct" a plain tracking question to invoice; the held-out fifth says order_status.
    wrong = [
        Example(f"cuando llega mi pedido {n}", "es", ("order_status" if n % 5 == 0 else "invoice",))
        for n in range(20)
    ]
    done = retrain(rules, paths.CORPUS_DIR, models, [], wrong)
    assert (done.activated, done.held_out, done.old_accuracy) == (False, 4, 1.0)
    assert done.new_accuracy is not None and done.new_accuracy < 1.0
    assert read_active(models, base) is None or read_active(models, base) == done.path

    probe = "mandame el xml porfa"  # in Mexico the XML is the CFDI invoice; the corpus does not say so
    before = Engine(rules, Model.load(live_model(rules, paths.CORPUS_DIR, models)), LanguageDetector())
    assert [i.id for i in before.recognise(probe).intents][:1] != ["invoice"]
    phrasings = [
        "me pasas el xml de la compra {n}?",
        "ocupo el xml {n}",
        "el xml y el pdf del pedido {n}",
        "xml porfa {n}",
    ]
    good = [Example(p.format(n=n), "es", ("invoice",)) for n in range(3) for p in phrasings]
    # What agents confirmed by inserting a suggestion is held out too: learning the XML must not cost it.
    confirmed = [
        Example("cuando llega mi pedido?", "es", ("order_status",)),
        Example("me mandan la factura porfa", "es", ("invoice",)),
        Example("tem na cor preta?", "pt", ("variant",)),
    ]
    done = retrain(rules, paths.CORPUS_DIR, models, [], good, confirmed)
    assert done.activated and read_active(models, base) == done.path
    assert (done.held_out, done.new_accuracy) == (3 + 3, 1.0)
    pointer = json.loads((models / "active.json").read_text())
    assert pointer["base"] == base
    engine = Engine(rules, Model.load(live_model(rules, paths.CORPUS_DIR, models)), LanguageDetector())
    assert engine.recognise(probe).intents[0].id == "invoice"
    # A changed corpus (here: one extra example) no longer uses the old pointer.
    assert (
        read_active(models, fingerprint(training_examples(rules, paths.CORPUS_DIR, good[:1]), rules)) is None
    )


def test_held_out_corrections_stand_for_all_corrections(models_dir: Path, rules: RuleSet) -> None:
    path = live_model(rules, paths.CORPUS_DIR, models_dir)
    right = [Example("cuando llega mi pedido?", "es", ("order_status",))]
    wrong = [Example("cuando llega mi pedido?", "es", ("invoice",))]  # a correction the model does not know
    # One held-out correction weighs HOLDOUT_EVERY messages: 1 right of 1 + 5, not the mean of 1.0 and 0.0.
    embedder = Embedder()
    assert accuracy(rules, path, LanguageDetector(), embedder, [(wrong, HOLDOUT_EVERY), (right, 1)]) == 1 / 6
    # The gate reads as the server does once its encoder has loaded (before 2026-12-06: cheap heads alone).
    assert embedder.ready
