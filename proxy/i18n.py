"""What the `responde` command and its reports say to an agent, in zh-CN, es, pt-BR and en.

Every key exists in all four languages (tests/test_i18n.py fails otherwise, and on any key the code uses
that is missing). The language: --lang, else settings.yaml (`responde setup` saves it), else the
environment's locale (LC_ALL, LC_MESSAGES, LANG), else English."""

from __future__ import annotations

import locale
import os
from typing import Any

from proxy.i18n_strings import STRINGS

LANGS = ("zh-CN", "es", "pt-BR", "en")


def pick(tag: str | None) -> str | None:
    """One of LANGS for a locale tag such as zh_CN.UTF-8, pt-BR or es_MX (None when not one of them)."""
    if not tag:
        return None
    low = tag.replace("_", "-").lower()
    for prefix, lang in (("zh", "zh-CN"), ("pt", "pt-BR"), ("es", "es"), ("en", "en")):
        if low.startswith(prefix):
            return lang
    return None


def cli_lang(explicit: str | None = None) -> str:
    """The agent's language for the command line."""
    from proxy import config

    found = pick(explicit) or pick(str(config.read_settings().get("lang") or ""))
    if found:
        return found
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = pick(os.environ.get(var))
        if found:
            return found
    try:
        return pick(locale.getlocale()[0]) or "en"
    except ValueError:
        return "en"


def tr(lang: str, key: str, **values: Any) -> str:
    """The text of `key` in `lang` (English when the language is unknown), `{name}`s filled."""
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key) or STRINGS["en"][key]
    return text.format(**values) if values else text
