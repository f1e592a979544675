"""Stress run of the property-based fuzzing: about 10,000 generated requests against the real server.

    .venv/bin/python tests/bench/fuzz_stress.py [--per-test N]

Prints the request count, the number of 5xx answers and whether /v1/health still answers afterwards
(the last test of tests/test_fuzz.py). Not part of `make test`; bounded by the example count."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-test", type=int, default=3400, help="generated requests per fuzz test (3 tests)"
    )
    args = parser.parse_args()
    env = {**os.environ, "RESPONDE_FUZZ_EXAMPLES": str(args.per_test)}
    started = time.perf_counter()
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-s",
        "-W",
        "ignore",
        "-p",
        "no:cacheprovider",
        "tests/test_fuzz.py",
    ]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    summary = [
        line
        for line in done.stdout.splitlines()
        if line.startswith("fuzz:") or "passed" in line or "failed" in line
    ]
    print("\n".join(summary))
    print(f"| fuzz stress | {took:.0f} s | exit {done.returncode} |")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
