"""The command-line faults a new seller hit, each fixed: forget --all confirms, forget --buyer ignores
accents, export writes real JSON to a private file, eval names every bad line and ships a sample."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from live import cli

from proxy import paths
from proxy.store import Store

EXE = [sys.executable, "-m", "proxy"]


run = cli


def in_terminal(args: list[str], home: Path, answer: str) -> tuple[int, str]:
    """Run with a real terminal as stdin (as an agent typing), answer the prompt; (exit code, output)."""
    main, child = pty.openpty()
    env = dict(os.environ, RESPONDE_HOME=str(home), LANG="C.UTF-8")
    proc = subprocess.Popen([*EXE, *args], stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while b"Type yes to confirm" not in out:
        out += os.read(main, 4096)
    os.write(main, answer.encode() + b"\n")
    code = proc.wait(60)
    try:
        while chunk := os.read(main, 4096):
            out += chunk
    except OSError:
        pass
    os.close(main)
    return code, out.decode()


@pytest.fixture()
def stored(tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with three analyses: buyers José Pérez, Ana, and one recorded before accents were folded."""
    home = tmp_path / "home"
    monkeypatch.setenv("RESPONDE_HOME", str(home))
    store = Store(paths.database_path(), paths.store_key())
    for text, buyer in (("¿ya enviaron mi pedido?", "José Pérez"), ("cuándo llega", "Ana")):
        result = engine.analyze(text, "mercadolibre.com.mx", None, {"buyer_name": buyer})
        store.record_analysis(result, text, "mercadolibre.com.mx", {"buyer_name": buyer})
    old = engine.analyze("hola", "mercadolibre.com.mx")
    store.record_analysis(old, "hola", "mercadolibre.com.mx", {})
    legacy = store.hasher.legacy("Zoë Müller")  # a row as older versions hashed it: case folded only
    store.db.execute("UPDATE analyses SET buyer_key = ? WHERE trace_id = ?", [legacy, old["trace_id"]])
    store.close()
    return home


def count(home: Path) -> int:
    return len(
        Store(home / "responde.db", (home / "store.key").read_text().strip().encode()).export()["analyses"]
    )


def test_forget_buyer_ignores_accents_case_and_spacing(stored: Path, models_dir: Path) -> None:
    done = run(["forget", "--buyer", "  jose   PEREZ "], stored, models_dir)
    assert done.stdout == "forgot 1 analyses (and their feedback)\n", done.stderr
    assert run(["forget", "--buyer", "zoë müller"], stored, models_dir).stdout.startswith("forgot 1 ")
    assert count(stored) == 1


def test_forget_all_asks_first(stored: Path, models_dir: Path) -> None:
    refused = run(["forget", "--all"], stored, models_dir, stdin="yes\n")  # no terminal: no guessing
    assert refused.returncode == 2
    assert refused.stderr == (
        "responde forget: forget --all deletes everything: confirm it in a terminal, or add --yes\n"
    )
    code, shown = in_terminal(["forget", "--all"], stored, "no")
    assert code == 1 and "Delete everything stored (3 analyses and their feedback)?" in shown
    assert "Nothing was deleted." in shown and count(stored) == 3
    code, shown = in_terminal(["forget", "--all"], stored, "yes")
    assert code == 0 and "forgot 3 analyses" in shown and count(stored) == 0


def test_forget_all_yes_for_scripts(stored: Path, models_dir: Path) -> None:
    done = run(["forget", "--all", "--yes"], stored, models_dir)
    assert done.stdout == "forgot 3 analyses (and their feedback)\n" and count(stored) == 0


def test_export_is_real_json_in_a_private_file(stored: Path, models_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    out.write_text("old")
    os.chmod(out, 0o644)
    done = run(["export", "--out", str(out)], stored, models_dir)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text())
    first = data["analyses"][0]
    assert isinstance(first["intents"], list) and isinstance(first["intents"][0], dict)
    assert isinstance(first["handoff_reasons"], list) and isinstance(first["suggestions"], list)
    assert first["suggestions"][0].startswith("order_status.")
    assert isinstance(first["name_keys"], list)


def test_eval_lists_every_bad_line_and_evaluates_nothing(tmp_path: Path, models_dir: Path) -> None:
    data = tmp_path / "mine.jsonl"
    lines = [
        '{"text": "hola", "intents": ["greeting"]}',
        '{"text": "sin intención"}',
        "{broken",
        '{"text": "", "intents": ["thanks"]}',
        '["not", "an", "object"]',
        '{"text": "oi", "intents": ["greeting"], "lang": "fr", "locale": "pt-PT"}',
        '{"text": "ok", "intents": "thanks"}',
    ]
    data.write_text("\n".join(lines) + "\n\n")
    done = run(["eval", str(data)], tmp_path, models_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"responde: 7 problem(s) in {data}; nothing was evaluated:",
        f"  {data}:2: 'intents' must be a list of one or two intent ids, e.g. [\"refund\"]",
        f"  {data}:3: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"  {data}:4: 'text' must be a non-empty string",
        f'  {data}:5: each line must be a JSON object such as {{"text": "…", "intents": ["refund"]}}',
        f"  {data}:6: 'lang' must be one of es, pt, en, not 'fr'",
        f"  {data}:6: 'locale' must be one of es-MX, es-AR, es-CO, es-CL, es-ES, pt-BR, en-US, not 'pt-PT'",
        f"  {data}:7: 'intents' must be a list of one or two intent ids, e.g. [\"refund\"]",
    ]
    empty = tmp_path / "empty.csv"
    empty.write_text("text,intents\n")
    done = run(["eval", str(empty)], tmp_path, models_dir)
    assert done.stderr.splitlines()[1:] == [f"  {empty}: no labelled messages in the file"]


def test_eval_without_a_file_uses_the_shipped_sample(tmp_path: Path, models_dir: Path) -> None:
    done = run(["eval", "--json", str(tmp_path / "r.json")], tmp_path, models_dir)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"no file given: evaluating the sample {paths.SAMPLE_LABELLED}")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["n"] == 66 and len(report["per_intent"]) == 22  # three messages for every intent
    assert report["accuracy"] >= 0.8 and report["language_accuracy"] == 1.0
