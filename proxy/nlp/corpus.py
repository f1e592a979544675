"""Read the intent corpus and labelled JSON Lines, and augment examples for training."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from proxy.nlp.normalize import normalize

LANGS = ("es", "pt", "en")
AUGMENT_MAX = 12_000  # beyond this many examples, only a sample gets typo and wrapper variants


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


OPENERS = {
    "es": ["hola", "hola buenas", "buenas tardes", "buen dia", "oye", "disculpa", "hola, una pregunta"],
    "pt": ["oi", "ola", "boa tarde", "bom dia", "oi, tudo bem?", "moça", "oi, uma duvida"],
    "en": ["hi", "hello", "hey", "hi there", "good morning", "quick question"],
}
CLOSERS = {
    "es": ["gracias", "muchas gracias", "saludos", "quedo atento", "porfa", "gracias!!", "🙏"],
    "pt": ["obrigado", "obrigada", "obg", "valeu", "aguardo", "por favor"],
    "en": ["thanks", "thank you", "thx", "please", "ty"],
}
JOINERS = {
    "es": [" y ", ". ", ", ", " ademas "],
    "pt": [" e ", ". ", ", ", " tambem "],
    "en": [" and ", ". ", ", "],
}
WRAPPERS = {"greeting", "thanks"}


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    idx = [i for i, w in enumerate(words) if len(w) > 4]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    return " ".join(words)


def augment(
    examples: list[Example], seed: int = 13, pairs: int = 3000, most: int = AUGMENT_MAX
) -> list[Example]:
    """Originals plus wrapped, misspelt and two-intent variants (of `most` originals at most); seeded."""
    rng = random.Random(seed)
    out = list(examples)
    varied = (
        examples
        if len(examples) <= most
        else [examples[i] for i in sorted(rng.sample(range(len(examples)), most))]
    )
    for ex in varied:
        if ex.intents[0] not in WRAPPERS:
            opener, closer = rng.choice(OPENERS[ex.lang]), rng.choice(CLOSERS[ex.lang])
            wrapped = f"{opener}, {ex.text}" if rng.random() < 0.6 else f"{ex.text} {closer}"
            out.append(Example(wrapped, ex.lang, ex.intents, ex.negative))
        out.append(Example(_typo(ex.text, rng), ex.lang, ex.intents, ex.negative))
    by_lang: dict[str, list[Example]] = {}
    for ex in examples:
        if len(ex.intents) == 1 and ex.intents[0] not in WRAPPERS | {"other"}:
            by_lang.setdefault(ex.lang, []).append(ex)
    for _ in range(pairs):
        lang = rng.choice(LANGS)
        a, b = rng.sample(by_lang[lang], 2)
        if a.intents[0] == b.intents[0]:
            continue
        text = a.text.rstrip("?!. ") + ("?" if a.text.rstrip().endswith("?") else "")
        joined = text + rng.choice(JOINERS[lang]) + b.text
        out.append(Example(joined, lang, (a.intents[0], b.intents[0]), a.negative or b.negative))
    return out


def fasttext_lines(
    examples: Iterable[Example],
    labels: Callable[[Example], Iterable[str]] = lambda ex: ex.intents,
    norm: Callable[[str], str] = normalize,
) -> Iterator[str]:
    """Training lines in fastText's `__label__x text` format, text normalized.

    Examples with no label or with nothing left after normalize() are skipped: fastText diverges
    ("Encountered NaN") on labelled lines without words.
    """
    for ex in examples:
        tags = " ".join(f"__label__{label}" for label in labels(ex) if label)
        text = norm(ex.text)
        if tags and text:
            yield f"{tags} {text}"
