"""Training progress on stderr while a command trains the model (a few minutes, on a first start): the
step reached (features, sentence embeddings, held-out scores, final model) and the seconds elapsed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from proxy.i18n import cli_lang, tr

STEPS = 5  # features, sentence embeddings, held-out scores, final model (nlp/learn.fit), thread head


@dataclass
class Shown:
    """What was reported: `took` is the training time in seconds, None when nothing was trained."""

    took: float | None = None
    steps: int = 0
    started: float = field(default_factory=time.monotonic)


@contextmanager
def training(quiet: bool = False) -> Iterator[tuple[Shown, Callable[[str], None]]]:
    """A progress callback for `nlp.learn.fit` (via `models.ensure_model`), and what it saw."""
    shown = Shown()
    tty = sys.stderr.isatty()
    lang = cli_lang()

    def say(stage: str) -> None:
        shown.steps += 1
        if quiet:
            return
        seconds = f"{time.monotonic() - shown.started:.0f}"
        text = tr(lang, "train_progress", done=min(shown.steps, STEPS), total=STEPS, seconds=seconds)
        sys.stderr.write(("\r" + text) if tty else (text + "\n"))
        sys.stderr.flush()

    try:
        yield shown, say
    finally:
        if shown.steps:
            shown.took = time.monotonic() - shown.started
            if tty and not quiet:
                sys.stderr.write("\n")
