"""`make bench`: every benchmark, one Markdown table with the machine and the date."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> int:
    print(
        f"Benchmarks of {datetime.date.today()} on {cpu()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}\n"
    )
    status = 0
    # The recognition evidence first: its own tables (candidates x independent sets, then its other rows).
    # Then the newest message of a conversation, read with its thread and alone.
    for script in ("intent_bench.py", "thread_bench.py"):
        done = subprocess.run([sys.executable, str(HERE / script)], capture_output=True, text=True)
        tables = [line for line in done.stdout.splitlines() if line.startswith("|") or not line]
        print("\n".join(tables), flush=True)
        if done.returncode:
            status = done.returncode
            print(f"{script} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    print("\n| what | Responde | baseline | target |")
    print("|---|---|---|---|")
    for script in (
        "server_bench.py",
        "adversarial_bench.py",
        "store_bench.py",
        "nlp_bench.py",
        "retrain_bench.py",
        "browser_bench.py",
    ):
        done = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, check=False
        )
        rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
        print("\n".join(rows), flush=True)
        if done.returncode:
            status = done.returncode
            print(f"{script} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
