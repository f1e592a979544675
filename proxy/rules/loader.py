"""Load and cross-check everything under rules/; errors name the file, the line and the fix."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from proxy.rules.schema import (
    BUILTIN_INTENTS,
    CONTEXT_FIELDS,
    LOCALES,
    FactsFile,
    Hours,
    IntentFile,
    Knowledge,
    Policies,
    Privacy,
    Slots,
    ToneFile,
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


def load_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into a pydantic model, reporting every problem with its line."""
    data, text = _read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=LOADER)  # only now: the node tree gives line numbers
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{path}:{_line_of(node, loc)}: {where}: {err['msg']}")
        raise RulesError(problems) from exc


@dataclass(frozen=True)
class RuleSet:
    """Everything under rules/, validated and cross-checked."""

    root: Path
    intents: dict[str, IntentFile]
    knowledge: Knowledge
    policies: Policies
    slots: Slots
    tone: ToneFile
    privacy: Privacy
    hours: Hours
    facts: FactsFile

    @property
    def placeholders(self) -> set[str]:
        """Names a template may use."""
        return set(CONTEXT_FIELDS) | set(Knowledge.model_fields)


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _check_intent(path: Path, intent: IntentFile, allowed: set[str]) -> list[str]:
    problems = []
    if intent.id != path.stem:
        problems.append(f"{path}:1: id {intent.id!r} must match the file name {path.stem!r}")
    for locale in LOCALES:
        if not intent.templates.get(locale):
            problems.append(f"{path}: templates: locale {locale} has no template (add 1 to 3 variants)")
    for locale, variants in intent.templates.items():
        if locale not in LOCALES:
            problems.append(f"{path}: templates: unknown locale {locale!r} (one of {', '.join(LOCALES)})")
        if len(variants) > 3:
            problems.append(f"{path}: templates.{locale}: at most 3 variants, found {len(variants)}")
        if variants and all(tpl.when for tpl in variants):
            problems.append(
                f"{path}: templates.{locale}: every variant has `when`; add one for when nothing is known"
            )
        for n, tpl in enumerate(variants):
            try:
                names = _placeholders(tpl.text) + _placeholders(tpl.gloss_zh)
            except ValueError as exc:
                problems.append(f"{path}: templates.{locale}.{n}: broken placeholder ({exc})")
                continue
            for name in names + tpl.when:
                if name not in allowed:
                    problems.append(
                        f"{path}: templates.{locale}.{n}: unknown placeholder {{{name}}} "
                        f"(allowed: {', '.join(sorted(allowed))})"
                    )
    return problems


def load_rules(root: Path) -> RuleSet:
    """Load rules/ and refuse it whole, with every problem listed, if anything is wrong."""
    problems: list[str] = []
    intents: dict[str, IntentFile] = {}
    for path in sorted((root / "intents").glob("*.yaml")):
        try:
            intents[path.stem] = load_model(path, IntentFile)
        except RulesError as exc:
            problems.extend(exc.problems)
    loaded: dict[str, Any] = {}
    for name, model in (
        ("store", Knowledge),
        ("marketplaces", Policies),
        ("slots", Slots),
        ("tone", ToneFile),
        ("privacy", Privacy),
        ("hours", Hours),
        ("facts", FactsFile),
    ):
        try:
            loaded[name] = load_model(root / f"{name}.yaml", model)
        except RulesError as exc:
            problems.extend(exc.problems)
    allowed = set(CONTEXT_FIELDS) | set(Knowledge.model_fields)
    for stem, intent in intents.items():
        problems.extend(_check_intent(root / "intents" / f"{stem}.yaml", intent, allowed))
    missing = [i for i in BUILTIN_INTENTS if i not in intents]
    if missing and not any("intents/" + m in p for m in missing for p in problems):
        problems.append(f"{root / 'intents'}: built-in intents missing: {', '.join(missing)}")
    if "slots" in loaded:
        for lang, table in loaded["slots"].model_dump().items():
            absent = sorted(set(CONTEXT_FIELDS) - set(table))
            if absent:
                problems.append(f"{root / 'slots.yaml'}: {lang}: no slot text for {', '.join(absent)}")
    if problems:
        raise RulesError(problems)
    files = (loaded[name] for name in ("store", "marketplaces", "slots", "tone", "privacy", "hours", "facts"))
    return RuleSet(root, intents, *files)
