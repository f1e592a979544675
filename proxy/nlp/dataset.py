"""Labelled data in and out: JSON Lines (the taxonomy format), CSV and Rasa `nlu.yml`, by file extension."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from proxy.nlp.corpus import CorpusError, Example, read_jsonl

CSV_FIELDS = ("id", "text", "intents", "lang", "locale", "site", "negative")


def _check(path: Path, where: str, intents: tuple[str, ...], known: set[str] | None) -> None:
    if not intents:
        raise CorpusError(f"{path}:{where}: no intent")
    bad = [i for i in intents if known is not None and i not in known]
    if bad:
        raise CorpusError(f"{path}:{where}: unknown intent(s) {bad}")


def read_csv(path: Path, known: set[str] | None) -> list[Example]:
    """CSV with a header: `text` and `intents` (one or two ids separated by `|`), optional other fields."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"text", "intents"} <= set(reader.fieldnames):
            raise CorpusError(f"{path}:1: the header needs at least the columns text and intents")
        out = []
        for n, row in enumerate(reader, 2):
            intents = tuple(i.strip() for i in (row.get("intents") or "").split("|") if i.strip())
            _check(path, str(n), intents, known)
            negative = (row.get("negative") or "").strip().lower() in ("1", "true", "yes")
            out.append(
                Example(
                    row["text"],
                    row.get("lang") or "",
                    intents,
                    negative,
                    row.get("locale") or None,
                    row.get("site") or None,
                    row.get("id") or None,
                )
            )
        return out


def read_rasa(path: Path, known: set[str] | None, detect_lang: Callable[[str], str]) -> list[Example]:
    """Rasa NLU training data (`nlu:` list of `intent` + `examples: |` bullets); one intent per example."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML ({exc})") from exc
    out = []
    for n, block in enumerate(data.get("nlu") or [], 1):
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, regexes and lookups are not intents
        intent = str(block["intent"])
        _check(path, f"nlu[{n}]", (intent,), known)
        for line in str(block.get("examples") or "").splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text:
                out.append(Example(text, detect_lang(text), (intent,)))
    return out


def load(
    path: Path, known: Iterable[str] | None, detect_lang: Callable[[str], str] = lambda t: ""
) -> list[Example]:
    """Labelled examples from a .jsonl, .csv or Rasa .yml/.yaml file."""
    known_set = set(known) if known is not None else None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return list(read_jsonl(path, known_set))
    if suffix == ".csv":
        return read_csv(path, known_set)
    if suffix in (".yml", ".yaml"):
        return read_rasa(path, known_set, detect_lang)
    raise CorpusError(f"{path}: unknown format; use .jsonl, .csv or Rasa .yml")


def dump(examples: Iterable[Example], path: Path) -> int:
    """Write examples in the format named by the extension; returns how many were written."""
    rows = list(examples)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        lines = []
        for ex in rows:
            row = {
                "id": ex.id,
                "text": ex.text,
                "lang": ex.lang,
                "locale": ex.locale,
                "site": ex.site,
                "intents": list(ex.intents),
                "negative": ex.negative,
            }
            lines.append(
                json.dumps({k: v for k, v in row.items() if v not in (None, "")}, ensure_ascii=False)
            )
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, CSV_FIELDS)
            writer.writeheader()
            for ex in rows:
                writer.writerow(
                    {
                        "id": ex.id or "",
                        "text": ex.text,
                        "intents": "|".join(ex.intents),
                        "lang": ex.lang,
                        "locale": ex.locale or "",
                        "site": ex.site or "",
                        "negative": int(ex.negative),
                    }
                )
    elif suffix in (".yml", ".yaml"):
        by_intent: dict[str, list[str]] = {}
        for ex in rows:
            by_intent.setdefault(ex.intents[0], []).append(ex.text.replace("\n", " "))
        nlu = [
            {"intent": i, "examples": "".join(f"- {t}\n" for t in texts)} for i, texts in by_intent.items()
        ]
        path.write_text(
            yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    else:
        raise CorpusError(f"{path}: unknown format; use .jsonl, .csv or Rasa .yml")
    return len(rows)
