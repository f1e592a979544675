"""`python -m proxy.build_model [DIR]`: the shipped model, built once per installation.

`make run`, `make test` and `make bench` call it before anything that reads buyers' messages: it trains the
model of the repo's corpus and rules into the installation's built models (`paths.built_models_dir()`),
or says it is already there, so a first `responde serve`, `classify` or `eval` under any data directory
copies it in a second instead of training for minutes. Its progress goes to stderr; stdout gets the path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from proxy import paths, progress
from proxy.i18n import cli_lang, tr
from proxy.models import ensure_model, training_examples
from proxy.rules.loader import load_rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proxy.build_model", description=__doc__)
    parser.add_argument(
        "into",
        nargs="?",
        type=Path,
        default=paths.built_models_dir(),
        help="the directory the model goes to (default: the installation's built models)",
    )
    args = parser.parse_args(argv)
    rules = load_rules(paths.RULES_DIR)
    with progress.training() as (shown, say):
        path = ensure_model(training_examples(rules, paths.CORPUS_DIR), rules, args.into, progress=say)
    if shown.took is not None:
        print(tr(cli_lang(), "train_done", seconds=f"{shown.took:.0f}", where=path), file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
