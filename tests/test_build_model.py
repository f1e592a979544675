"""`python -m proxy.build_model`: the shipped model, trained once into the installation by `make run`,
`make test` and `make bench` before anything reads a message, so a first `serve`, `classify` or `eval`
under any data directory copies it instead of training for minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from proxy import paths
from proxy.models import fingerprint, model_path, training_examples
from proxy.rules.loader import RuleSet

BUILD = [sys.executable, "-m", "proxy.build_model"]


@pytest.mark.parametrize(
    ("target", "reader"),
    [("run", "responde serve"), ("test", "-m pytest"), ("bench", "run_all.py")],
)
def test_make_builds_the_shipped_model_before_anything_reads_a_message(target: str, reader: str) -> None:
    """`make run` alone used to train into its data directory only: a `responde classify` under another
    RESPONDE_HOME then trained again, for minutes, before its first answer."""
    out = subprocess.run(
        ["make", "-n", target], cwd=paths.REPO, capture_output=True, text=True, timeout=60, check=True
    )
    lines = out.stdout.splitlines()
    builds = [n for n, line in enumerate(lines) if "-m proxy.build_model" in line]
    reads = [n for n, line in enumerate(lines) if reader in line]
    assert builds and reads and builds[0] < reads[0], out.stdout


def test_it_finds_the_built_model_and_copies_it_where_asked(
    models_dir: Path, rules: RuleSet, tmp_path: Path
) -> None:
    """The session's `models_dir` fixture built the model (as `make test` did before pytest): a second build
    trains nothing and names it; a build into another directory copies the very file."""
    key = fingerprint(training_examples(rules, paths.CORPUS_DIR), rules)
    built = model_path(paths.built_models_dir(), key)
    again = subprocess.run(BUILD, capture_output=True, text=True, timeout=120, check=True)
    assert (again.stdout, again.stderr) == (f"{built}\n", "")
    into = subprocess.run(
        [*BUILD, str(tmp_path / "m")], capture_output=True, text=True, timeout=120, check=True
    )
    assert (into.stdout, into.stderr) == (f"{model_path(tmp_path / 'm', key)}\n", "")
    assert model_path(tmp_path / "m", key).read_bytes() == built.read_bytes()
