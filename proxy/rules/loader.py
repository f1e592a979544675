"""Load and cross-check everything under rules/; errors name the file, the line and the fix."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from proxy.rules.schema import (
    BUILTIN_INTENTS,
    CONTEXT_FIELDS,
    KNOWLEDGE_PLACEHOLDERS,
    LOCALES,
    FactsFile,
    Hours,
    IntentFile,
    Knowledge,
    Policies,
    Privacy,
    Slots,
    Template,
    ToneFile,
    WrappersFile,
)

M = TypeVar("M", bound=BaseModel)


class RulesError(ValueError):
    """A rules file is invalid. `problems` lists `file:line: message` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid rules:\n  " + "\n  ".join(problems))
        self.problems = problems


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """1-based line of the YAML node at a pydantic error location (the closest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if match is None:
                key_node = next((k for k, _ in node.value if getattr(k, "value", None) == key), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: rules load 5x faster


def _read_yaml(path: Path) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([f"{path}: cannot read ({exc.strerror})"]) from exc
    try:
        return yaml.load(text, Loader=LOADER), text  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise RulesError([f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc


Layer = tuple[Path, Any, str]  # a file, its parsed data and its text


def merge(base: Any, over: Any) -> Any:
    """`over` laid on `base`: mappings merge key by key, anything else (lists, values) is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return over


def _depth(data: Any, loc: tuple[int | str, ...]) -> int:
    """How many leading keys of `loc` exist in `data`."""
    for n, key in enumerate(loc):
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return n
    return len(loc)


def locate(layers: list[Layer], loc: tuple[int | str, ...]) -> str:
    """`file:line` of the layer that supplied the value at `loc` (the last one holding most of the path)."""
    best = max(range(len(layers)), key=lambda i: (_depth(layers[i][1], loc), i))
    path, _, text = layers[best]
    return f"{path}:{_line_of(yaml.compose(text, Loader=LOADER), loc)}"


def load_layers(layers: list[Layer], model: type[M]) -> M:
    """Parse a YAML file and the files laid over it (each may hold only some keys) into one pydantic
    model; every problem names the file and line that supplied the faulty value."""
    data: Any = None
    for path, value, _ in layers:
        if value is not None and not isinstance(value, dict) and len(layers) > 1:
            raise RulesError([f"{path}:1: expected a mapping of settings (key: value)"])
        data = value if data is None else merge(data, value or {})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{locate(layers, loc)}: {where}: {err['msg']}")
        raise RulesError(problems) from exc


def load_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into a pydantic model, reporting every problem with its line."""
    return load_layers([(path, *_read_yaml(path))], model)


@dataclass(frozen=True)
class RuleSet:
    """Everything under rules/ (and the layers laid over it), validated and cross-checked."""

    root: Path
    intents: dict[str, IntentFile]
    knowledge: Knowledge
    policies: Policies
    slots: Slots
    tone: ToneFile
    wrappers: WrappersFile
    privacy: Privacy
    hours: Hours
    facts: FactsFile
    layers: tuple[Path, ...] = ()  # directories laid over `root`, lowest first
    # "store.yaml:return_days" -> the file that supplied the value (every leaf setting of every file)
    sources: Mapping[str, Path] = field(default_factory=dict, compare=False, hash=False)
    needs_setup: bool = False  # the store's facts are still the shipped demo ones (`responde setup`)

    @property
    def placeholders(self) -> set[str]:
        """Names a template may use."""
        return set(CONTEXT_FIELDS) | set(KNOWLEDGE_PLACEHOLDERS)


def placeholder_names(text: str) -> list[str]:
    """The names of a template's {placeholders}, in order ("" for a bare "{}"); ValueError when broken."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _check_intent(stem: str, layers: list[Layer], intent: IntentFile, allowed: set[str]) -> list[str]:
    problems = []
    if intent.id != stem:
        problems.append(f"{locate(layers, ('id',))}: id {intent.id!r} must match the file name {stem!r}")
    for locale in LOCALES:
        if not intent.templates.get(locale):
            problems.append(
                f"{locate(layers, ('templates',))}: templates: locale {locale} has no template "
                "(add 1 to 3 variants)"
            )
    problems.extend(_check_variants("templates", layers, intent.templates, allowed))
    problems.extend(_check_variants("brief", layers, intent.brief, allowed))
    return problems


def _check_variants(
    section: str, layers: list[Layer], table: dict[str, list[Template]], allowed: set[str]
) -> list[str]:
    """Problems of one intent's `templates` or `brief`: locales, variant counts, placeholders."""
    problems = []
    for locale, variants in table.items():
        # where a problem is, found only when there is one: composing the YAML again for every field was
        # most of the rules' load time
        def at(*loc: int | str, locale: str = locale) -> str:
            return locate(layers, (section, locale, *loc))

        if locale not in LOCALES:
            problems.append(f"{at()}: {section}: unknown locale {locale!r} (one of {', '.join(LOCALES)})")
        if len(variants) > 3:
            problems.append(f"{at()}: {section}.{locale}: at most 3 variants, found {len(variants)}")
        if variants and all(tpl.when for tpl in variants):
            problems.append(
                f"{at()}: {section}.{locale}: every variant has `when`; add one for when nothing is known"
            )
        for n, tpl in enumerate(variants):
            fields = (
                ("text", tpl.text),
                ("gloss_zh", tpl.gloss_zh),
                ("when", "".join(f"{{{w}}}" for w in tpl.when)),
            )
            for key, text in fields:
                try:
                    names = placeholder_names(text)
                except ValueError as exc:
                    problems.append(f"{at(n, key)}: {section}.{locale}.{n}: broken placeholder ({exc})")
                    continue
                problems.extend(
                    f"{at(n, key)}: {section}.{locale}.{n}: unknown placeholder {{{name}}} "
                    f"(allowed: {', '.join(sorted(allowed))})"
                    for name in names
                    if name not in allowed
                )
    return problems


def _leaves(data: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every value that is not a mapping (lists count as one value)."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif prefix:
        yield prefix


FILES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("store", Knowledge),
    ("marketplaces", Policies),
    ("slots", Slots),
    ("tone", ToneFile),
    ("wrappers", WrappersFile),
    ("privacy", Privacy),
    ("hours", Hours),
    ("facts", FactsFile),
)


def _read_layers(rel: str, root: Path, overlays: Sequence[Path]) -> list[Layer]:
    """The shipped file (required) and every overlay's copy of it, lowest first."""
    paths = [root / rel, *(o / rel for o in overlays if (o / rel).is_file())]
    if not paths[0].is_file() and len(paths) > 1:
        paths = paths[1:]  # a file only an overlay has (a new intent)
    return [(path, *_read_yaml(path)) for path in paths]


def _cross_check(root: Path, intents: dict[str, IntentFile], loaded: dict[str, Any]) -> list[str]:
    problems = []
    missing = [i for i in BUILTIN_INTENTS if i not in intents]
    if missing:
        problems.append(f"{root / 'intents'}: built-in intents missing: {', '.join(missing)}")
    if "slots" in loaded:
        for lang, table in loaded["slots"].model_dump().items():
            absent = sorted(set(CONTEXT_FIELDS) - set(table))
            if absent:
                problems.append(f"{root / 'slots.yaml'}: {lang}: no slot text for {', '.join(absent)}")
    if "store" in loaded and "marketplaces" in loaded:
        known = loaded["marketplaces"].marketplaces
        store: Knowledge = loaded["store"]
        for name in [*store.markets, *store.shipping]:
            if name not in known:
                problems.append(
                    f"store.yaml: {name!r} is not a marketplace of marketplaces.yaml "
                    f"(one of {', '.join(known)})"
                )
    return problems


def load_rules(root: Path, overlays: Sequence[Path] = ()) -> RuleSet:
    """Load rules/ with the `overlays` laid over it (each may hold any subset of the files, and each file
    only the keys it changes), and refuse it whole, with every problem listed, if anything is wrong."""
    problems: list[str] = []
    intents: dict[str, IntentFile] = {}
    loaded: dict[str, Any] = {}
    sources: dict[str, Path] = {}
    stems = sorted({p.stem for d in (root, *overlays) for p in (d / "intents").glob("*.yaml")})
    allowed = set(CONTEXT_FIELDS) | set(KNOWLEDGE_PLACEHOLDERS)
    jobs: list[tuple[str, str, type[BaseModel]]] = [
        (f"intents/{stem}.yaml", stem, IntentFile) for stem in stems
    ]
    jobs += [(f"{name}.yaml", name, model) for name, model in FILES]
    for rel, name, model in jobs:
        try:
            layers = _read_layers(rel, root, overlays)
            value = load_layers(layers, model)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        for path, data, _ in layers:
            sources.update((f"{rel}:{leaf}", path) for leaf in _leaves(data))
        if rel.startswith("intents/"):
            assert isinstance(value, IntentFile)
            intents[name] = value
            problems.extend(_check_intent(name, layers, value, allowed))
        else:
            loaded[name] = value
    if not problems:
        problems.extend(_cross_check(root, intents, loaded))
    if problems:
        raise RulesError(problems)
    return RuleSet(
        root,
        intents,
        knowledge=loaded["store"],
        policies=loaded["marketplaces"],
        slots=loaded["slots"],
        tone=loaded["tone"],
        wrappers=loaded["wrappers"],
        privacy=loaded["privacy"],
        hours=loaded["hours"],
        facts=loaded["facts"],
        layers=tuple(overlays),
        sources=sources,
    )
