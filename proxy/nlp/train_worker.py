"""Train one fastText model in a fresh process: `python -m proxy.nlp.train_worker DATA PARAMS_JSON DEST`.

fastText's trainer is not reliable when called repeatedly in one process: later calls sometimes stop
with "Encountered NaN" or give a different model for the same data, while a fresh process always gives
the same model. Every training therefore runs here, in its own process.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from proxy.nlp.fasttext_check import FastTextMissing, load_fasttext


def train(data: Path, params: dict[str, object], dest: Path) -> None:
    """Train on `data` and write the model to `dest` atomically."""
    fasttext = load_fasttext(training=True)
    model = fasttext.train_supervised(input=str(data), **params)
    partial = dest.with_suffix(".tmp")
    model.save_model(str(partial))
    os.replace(partial, dest)


def main(argv: list[str]) -> int:
    """Exit 0 on success; otherwise one line on stderr saying why."""
    data, params, dest = argv
    try:
        train(Path(data), json.loads(params), Path(dest))
    except (FastTextMissing, RuntimeError, ValueError, OSError) as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
