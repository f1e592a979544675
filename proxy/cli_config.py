"""`responde config`: every setting in force and the file it comes from; registers `team` and `service`."""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import Any

from proxy import __version__, config, paths, service, team
from proxy.i18n import cli_lang, tr
from proxy.rules.loader import RuleSet

SHOWN = ("store.yaml", "hours.yaml", "privacy.yaml")  # every setting of these files is listed


def _flat(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict) and data:
        return [pair for k, v in data.items() for pair in _flat(v, f"{prefix}.{k}" if prefix else str(k))]
    return [(prefix, data)]


def values(rules: RuleSet) -> dict[str, list[tuple[str, Any]]]:
    """The settings of the files always shown, as (dotted key, value) pairs."""
    hours = rules.hours.model_dump(exclude={"acknowledgement"})
    return {
        "store.yaml": _flat(rules.knowledge.model_dump()),
        "hours.yaml": _flat(hours),
        "privacy.yaml": _flat(rules.privacy.model_dump()),
    }


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - cols)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def describe(rules: RuleSet, base: Path, lang: str) -> list[str]:
    """The lines `responde config` prints."""
    names = {layer: tr(lang, f"layer_{layer}") for layer in config.LAYER_NAMES}
    joined = team.joined()
    team_line = f"{config.team_rules_dir()}  ({joined['url']}, {joined['agent']})" if joined else ""
    lines = [
        tr(lang, "version", version=__version__),
        "",
        tr(lang, "cfg_dirs"),
        f"  {pad(tr(lang, 'cfg_config_dir'), 14)}{config.config_home()}",
        f"  {pad(tr(lang, 'cfg_data_dir'), 14)}{paths.data_home()}",
        f"  {pad(tr(lang, 'cfg_log_file'), 14)}{config.log_file()}",
        "",
        tr(lang, "cfg_layers"),
        f"  1 {pad(names['shipped'], 20)}{base}",
        f"  2 {pad(names['user'], 20)}{config.user_rules_dir()}",
        f"  3 {pad(names['team'], 20)}{team_line or tr(lang, 'cfg_not_joined')}",
        "",
        tr(lang, "cfg_setup_needed" if rules.needs_setup else "cfg_setup_done"),
        "",
        tr(lang, "cfg_settings"),
    ]
    for rel, pairs in values(rules).items():
        lines.append(f"  {rel}")
        for key, value in pairs:
            source = _source(rules, f"{rel}:{key}")
            where = f"{pad(names[config.layer_of(source, base)], 20)}{source}" if source else ""
            lines.append(f"    {pad(key, 27)}{pad(_show(value), 30)}{where}")
    lines += ["", tr(lang, "cfg_other")]
    other = sorted(
        (key, src)
        for key, src in rules.sources.items()
        if key.split(":")[0] not in SHOWN and config.layer_of(src, base) != "shipped"
    )
    lines += [f"  {pad(key, 48)}{pad(names[config.layer_of(src, base)], 20)}{src}" for key, src in other]
    if not other:
        lines.append(f"  {tr(lang, 'cfg_none')}")
    return lines


def _source(rules: RuleSet, key: str) -> Path | None:
    """The file that supplied `key` (or, for a value inside a list or mapping, its closest parent)."""
    while key not in rules.sources and "." in key.split(":", 1)[1]:
        key = key.rsplit(".", 1)[0]
    return rules.sources.get(key)


def cmd_config(args: argparse.Namespace) -> int:
    """Print where every setting comes from."""
    rules = config.load(args.rules)
    print("\n".join(describe(rules, args.rules, cli_lang(args.lang))))
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `config`, `team` and `service`."""
    c = sub.add_parser("config", help="every setting in force and the file it comes from")
    c.add_argument("--lang", choices=["zh-CN", "es", "pt-BR", "en"], help="the language of the output")
    c.set_defaults(func=cmd_config)
    team.add_parser(sub)
    service.add_parser(sub)
