"""Read the intent corpus and labelled JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

LANGS = ("es", "pt", "en")


@dataclass(frozen=True)
class Example:
    """One labelled buyer message."""

    text: str
    lang: str
    intents: tuple[str, ...]
    negative: bool = False
    locale: str | None = None
    site: str | None = None
    id: str | None = None
    meta: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


class CorpusError(ValueError):
    """A corpus or labelled-data file is malformed; the message names file and line."""


def read_corpus(root: Path, known_intents: Iterable[str]) -> list[Example]:
    """Examples from `root/<lang>/<intent>.txt`; unknown intents or languages are errors."""
    known = set(known_intents)
    out: list[Example] = []
    for path in sorted(root.glob("*/*.txt")):
        lang, intent = path.parent.name, path.stem
        if lang not in LANGS:
            raise CorpusError(f"{path}: folder must be one of {', '.join(LANGS)}, not {lang!r}")
        if intent not in known:
            raise CorpusError(f"{path}: {intent!r} is not an intent defined in rules/intents/")
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negative = line.startswith("!")
            line = line.lstrip("!").strip()
            intents = [intent]
            if ">>" in line:
                line, extra = (part.strip() for part in line.rsplit(">>", 1))
                if extra not in known:
                    raise CorpusError(f"{path}:{lineno}: unknown second intent {extra!r}")
                intents.append(extra)
            out.append(Example(line, lang, tuple(intents), negative))
    if not out:
        raise CorpusError(f"{root}: no corpus files found (expected <lang>/<intent>.txt)")
    return out


def read_jsonl(path: Path, known_intents: Iterable[str] | None = None) -> Iterator[Example]:
    """Labelled examples in the taxonomy's JSON Lines format, with clear errors per line."""
    known = set(known_intents) if known_intents is not None else None
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise CorpusError(f"{path}:{lineno}: each line needs a JSON object with a string 'text'")
            intents = row.get("intents") or []
            if known is not None:
                bad = [i for i in intents if i not in known]
                if bad:
                    raise CorpusError(f"{path}:{lineno}: unknown intent(s) {bad}")
            yield Example(
                text=row["text"],
                lang=row.get("lang") or "",
                intents=tuple(intents),
                negative=bool(row.get("negative", False)),
                locale=row.get("locale"),
                site=row.get("site"),
                id=row.get("id"),
            )
