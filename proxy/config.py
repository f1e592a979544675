"""The user's configuration, outside the checkout: where it lives, the layers of rules (shipped defaults,
then the user's own settings, then the team's pack) and the small settings file (language, agent, team).

Config directory: $RESPONDE_CONFIG, else $RESPONDE_HOME/config when RESPONDE_HOME is set (one private
directory for everything, as tests and side-by-side installs need), else the platform's user config
directory: ~/.config/responde (Linux), ~/Library/Application Support/responde (macOS),
%APPDATA%\\responde (Windows)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from proxy.paths import private_dir
from proxy.rules.loader import RuleSet, load_rules

LAYER_NAMES = ("shipped", "user", "team")


def config_home() -> Path:
    """The directory `responde setup` and `responde team join` write to (created 0700)."""
    env = os.environ.get("RESPONDE_CONFIG")
    home_env = os.environ.get("RESPONDE_HOME")
    if env:
        home = Path(env)
    elif home_env:
        home = Path(home_env) / "config"
    else:
        home = Path(platformdirs.user_config_dir("responde", appauthor=False, roaming=True))
    return private_dir(home)


def user_rules_dir() -> Path:
    """The user's own rules: any subset of rules/ (setup writes store.yaml and hours.yaml here)."""
    return config_home() / "rules"


def team_dir() -> Path:
    """The team pack's git clone (`responde team join`)."""
    return config_home() / "team"


def team_rules_dir() -> Path:
    """The team pack's rules: any subset of rules/, laid over the user's own."""
    return team_dir() / "rules"


def log_file() -> Path:
    """Where `responde serve --log-file` (and so the autostart service) writes its log."""
    home_env = os.environ.get("RESPONDE_HOME")
    base = (
        Path(home_env) / "logs"
        if home_env
        else Path(platformdirs.user_log_dir("responde", appauthor=False, ensure_exists=False))
    )
    return base / "responde.log"


def settings_path() -> Path:
    """settings.yaml: the agent's language, name and team."""
    return config_home() / "settings.yaml"


def read_settings() -> dict[str, Any]:
    """The settings file (empty when there is none or it is unreadable)."""
    try:
        data = yaml.safe_load(settings_path().read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def write_yaml(path: Path, data: Mapping[str, Any], header: str = "") -> None:
    """Write a YAML file atomically, readable by the user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = header + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def update_settings(**changes: Any) -> dict[str, Any]:
    """Merge `changes` into settings.yaml (a None value removes the key)."""
    data = read_settings()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    write_yaml(settings_path(), data)
    return data


def overlays() -> list[Path]:
    """The rule directories laid over the shipped ones, lowest first (only those that exist)."""
    return [d for d in (user_rules_dir(), team_rules_dir()) if d.is_dir()]


def layer_of(path: Path, base: Path) -> str:
    """Which layer a rules file belongs to: shipped (under `base`), team, or else the user's own."""
    for name, root in (("team", team_rules_dir()), ("shipped", base)):
        if path.resolve().is_relative_to(root.resolve()):
            return name
    return "user"


def load(base: Path) -> RuleSet:
    """The rules the product runs on: `base` (shipped defaults) with the user's and the team's layers
    laid over it. `needs_setup` stays true until a layer above the shipped one names the store."""
    return mark_setup(load_rules(base, overlays()), base)


def mark_setup(rules: RuleSet, base: Path) -> RuleSet:
    """`rules` with `needs_setup` set: true while the store's name is still the shipped demo one."""
    name_from = rules.sources.get("store.yaml:store_name")
    configured = name_from is not None and layer_of(name_from, base) != "shipped"
    return dataclasses.replace(rules, needs_setup=not configured)
