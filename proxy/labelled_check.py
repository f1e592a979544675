"""Check a labelled file line by line before evaluation or training gets it: every problem named with its
file and line, all of them at once (the evaluator itself expects clean examples)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from proxy.nlp.corpus import LANGS
from proxy.rules.schema import LOCALES

MAX_PROBLEMS = 20


def _row_problems(row: Any, known: set[str]) -> list[str]:
    if not isinstance(row, dict):
        return ['each line must be a JSON object such as {"text": "…", "intents": ["refund"]}']
    problems = []
    text, intents = row.get("text"), row.get("intents")
    if not isinstance(text, str) or not text.strip():
        problems.append("'text' must be a non-empty string")
    if not isinstance(intents, list) or not intents or not all(isinstance(i, str) for i in intents):
        problems.append("'intents' must be a list of one or two intent ids, e.g. [\"refund\"]")
    else:
        unknown = [i for i in intents if i not in known]
        if unknown:
            problems.append(f"unknown intent(s) {unknown} (see rules/intents/)")
    lang = row.get("lang")
    if lang not in (None, "") and lang not in LANGS:
        problems.append(f"'lang' must be one of {', '.join(LANGS)}, not {lang!r}")
    locale = row.get("locale")
    if locale not in (None, "") and locale not in LOCALES:
        problems.append(f"'locale' must be one of {', '.join(LOCALES)}, not {locale!r}")
    if "negative" in row and not isinstance(row["negative"], bool):
        problems.append("'negative' must be true or false")
    for key in ("site", "id"):
        if row.get(key) is not None and not isinstance(row[key], (str, int)):
            problems.append(f"'{key}' must be a string")
    return problems


def _jsonl(path: Path) -> Iterable[tuple[int, Any, str | None]]:
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield n, json.loads(raw), None
            except json.JSONDecodeError as exc:
                yield n, None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def _csv(path: Path) -> Iterable[tuple[int, Any, str | None]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), 2):
            intents = [i.strip() for i in (row.get("intents") or "").split("|") if i.strip()]
            negative = (row.get("negative") or "").strip().lower() in ("1", "true", "yes")
            yield n, {**row, "intents": intents, "negative": negative}, None


def problems(path: Path, known: Iterable[str]) -> list[str]:
    """`file:line: problem` for every bad line of a .jsonl or .csv file (at most MAX_PROBLEMS)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        return [f"{path}: no such file"]
    if suffix not in (".jsonl", ".json", ".csv"):
        return []  # Rasa files are checked by their reader
    rows = _csv(path) if suffix == ".csv" else _jsonl(path)
    found, count, known_set = [], 0, set(known)
    try:
        for n, row, error in rows:
            count += 1
            for problem in [error] if error else _row_problems(row, known_set):
                found.append(f"{path}:{n}: {problem}")
    except UnicodeDecodeError as exc:
        return [f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
    if not count and not found:
        found.append(f"{path}: no labelled messages in the file")
    return found[:MAX_PROBLEMS] + (
        [f"… and {len(found) - MAX_PROBLEMS} more"] if len(found) > MAX_PROBLEMS else []
    )
