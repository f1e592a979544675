"""`responde classify` and `eval`, and the engine factory every command builds its engine with."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from proxy import batch, cli_data, config, labelled_check, paths, progress, report_html, training
from proxy.engine import Engine
from proxy.evaluate import format_report, predict_rows, report
from proxy.i18n import cli_lang, tr
from proxy.models import ensure_model, training_examples
from proxy.nlp import dataset
from proxy.nlp.corpus import Example
from proxy.nlp.embed import Embedder
from proxy.nlp.language import LanguageDetector
from proxy.nlp.model import Model
from proxy.nlp.normalize import normalize
from proxy.rules.loader import RuleSet
from proxy.server.pool import default_size


def build(args: argparse.Namespace, extra: list[Example] | None = None, quiet: bool = False) -> Engine:
    """The engine factory: the layered rules (shipped, the user's, the team's) and the live model, trained
    first if needed (with its progress on stderr)."""
    rules = config.load(args.rules)
    with progress.training(quiet or args.no_progress) as (shown, say):
        path = training.live_model(rules, args.corpus, args.models, extra, progress=say)
    if shown.took is not None and not quiet:
        lang = cli_lang()
        print(tr(lang, "train_done", seconds=f"{shown.took:.0f}", where=path), file=sys.stderr)
    return Engine(rules, Model.load(path), LanguageDetector(), Embedder())


def _jsonl_in(source: TextIO) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(source, 1):
        if line.strip():
            yield n, line


def cmd_classify(args: argparse.Namespace) -> int:
    """JSON Lines in, one analyze answer per line out (id echoed), on every core; bad lines get an error
    object. A first run trains the model (a few minutes): its progress goes to stderr, stdout stays JSON."""
    engine = build(args)
    source = sys.stdin if args.input in (None, "-") else open(args.input, encoding="utf-8")  # noqa: SIM115
    failures = 0
    with source:
        lines = tqdm(_jsonl_in(source), desc="classify", unit="msg", disable=args.no_progress)
        for out, ok in batch.classify(engine, lines, args.workers or default_size()):
            failures += not ok
            sys.stdout.write(out + "\n")
    if engine.rules.needs_setup:
        print(f"responde: {tr(cli_lang(), 'serve_not_set_up')}", file=sys.stderr)
    if failures:
        print(
            f"responde: {failures} line(s) could not be read; see the error objects in the output",
            file=sys.stderr,
        )
    return 1 if failures else 0


def checked(path: Path, rules: RuleSet) -> bool:
    """True when the labelled file is usable; else every problem, with its line, on stderr."""
    found = labelled_check.problems(path, rules.intents)
    if found:
        head = tr(cli_lang(), "eval_bad_file", problems=len(found), file=path)
        print(f"responde: {head}\n  " + "\n  ".join(found), file=sys.stderr)
    return not found


def _folds(examples: list[Example], k: int, seed: int = 42) -> list[list[Example]]:
    shuffled = examples[:]
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate on labelled JSON Lines; with --cv K, train on the corpus plus K-1 folds of the file."""
    rules: RuleSet = config.load(args.rules)
    if args.file is None:
        args.file = paths.SAMPLE_LABELLED
        print(f"no file given: evaluating the sample {args.file}", file=sys.stderr)
    if not checked(args.file, rules):
        return 2
    data = dataset.load(args.file, rules.intents, cli_data.lang_of)
    rows: list[dict[str, Any]] = []
    # the encoder loaded before the first message: measure the answers the server gives once it has loaded
    # it (the server loads it in the background; unloaded, only the cheap heads would answer here)
    lid, embedder = LanguageDetector(), Embedder().load()
    shipped = training_examples(rules, args.corpus)
    seen = {normalize(ex.text) for ex in data}
    trained_on = sum(normalize(ex.text) in seen for ex in shipped)
    with progress.training(args.no_progress) as (_, say):
        if args.cv:  # never train on what is measured: the file's messages leave the training data
            base = [ex for ex in shipped if normalize(ex.text) not in seen]
            folds = _folds(data, args.cv)
            for i, test in enumerate(tqdm(folds, desc="folds", disable=args.no_progress)):
                train = [ex for j, f in enumerate(folds) if j != i for ex in f]
                path = ensure_model(base + train, rules, args.models, progress=say)
                rows += predict_rows(Engine(rules, Model.load(path), lid, embedder), test)
        else:
            path = training.live_model(rules, args.corpus, args.models, progress=say)
            engine = Engine(rules, Model.load(path), lid, embedder)
            rows = predict_rows(engine, tqdm(data, desc="eval", unit="msg", disable=args.no_progress))
    if trained_on and not args.cv:
        print(
            f"responde: {trained_on} of these messages are in the training data, so these figures flatter "
            f"the model; `--cv 5` leaves them out",
            file=sys.stderr,
        )
    rep = report(rows)
    rep["mode"] = (
        f"{args.cv}-fold cross-validation (training data without the file + other folds)"
        if args.cv
        else "the model in use"
    )
    print(format_report(rep))
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.html:
        lang = cli_lang(args.lang)
        names = {i: getattr(f.label, lang.replace("-", "_")) for i, f in rules.intents.items()}
        mode = tr(lang, "rep_mode_cv", k=args.cv) if args.cv else tr(lang, "rep_mode_corpus")
        title = tr(lang, "rep_title", name=args.file.name)
        page = report_html.render(rep, rows, title, lang, names, mode)
        args.html.write_text(page, encoding="utf-8")
        print(f"HTML report: {args.html}", file=sys.stderr)
    return 0
