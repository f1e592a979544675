"""Training progress on stderr while the engine factory trains the first model (about 20 s): the models
finished so far (their files appear one by one in the model cache) and the seconds elapsed."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from proxy.i18n import cli_lang, tr
from proxy.nlp.intent_model import ModelFiles

DELAY_S = 1.0  # nothing is shown when the model was cached and loading took less than this


@dataclass
class Shown:
    """What the watcher saw: `took` is the training time in seconds, None when nothing was trained."""

    took: float | None = None


def _models(models_dir: Path, since: float) -> int:
    try:
        return sum(1 for p in models_dir.glob("*.bin") if p.stat().st_mtime >= since)
    except OSError:
        return 0


@contextmanager
def training(models_dir: Path, quiet: bool = False) -> Iterator[Shown]:
    """Watch `models_dir` while the block runs; report each finished model once training shows."""
    shown = Shown()
    total = len(ModelFiles.for_key(models_dir, "x").all)
    started_wall, started = time.time() - 1, time.monotonic()
    stop = threading.Event()
    tty = sys.stderr.isatty()
    lang = cli_lang()

    def watch() -> None:
        last = -1
        while not stop.wait(0.5 if last >= 0 else DELAY_S):
            done = min(total, _models(models_dir, started_wall))
            seconds = f"{time.monotonic() - started:.0f}"
            text = tr(lang, "train_progress", done=done, total=total, seconds=seconds)
            if tty:
                sys.stderr.write("\r" + text)
            elif done != last:
                sys.stderr.write(text + "\n")
            sys.stderr.flush()
            last = done

    thread = threading.Thread(target=watch, daemon=True)
    if not quiet:
        thread.start()
    try:
        yield shown
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
            if tty:
                sys.stderr.write("\n")
        if _models(models_dir, started_wall):
            shown.took = time.monotonic() - started
