"""Every agent-facing text exists in zh-CN, es, pt-BR and en: the command line and its reports here, the
extension and the dashboard in test_conventions.py. A missing key or a placeholder lost in translation
fails."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from proxy import paths
from proxy.i18n import LANGS, cli_lang, pick, tr
from proxy.i18n_strings import STRINGS

SOURCES = sorted((paths.REPO / "proxy").rglob("*.py"))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language_with_the_same_placeholders() -> None:
    assert sorted(STRINGS) == sorted(LANGS)
    keys = set(STRINGS["en"])
    assert {lang: sorted(keys ^ set(table)) for lang, table in STRINGS.items()} == {
        lang: [] for lang in LANGS
    }
    assert [(lang, k) for lang, table in STRINGS.items() for k, v in table.items() if not v.strip()] == []
    differ = [
        (lang, k) for lang in LANGS for k in keys if fields(STRINGS[lang][k]) != fields(STRINGS["en"][k])
    ]
    assert differ == []


def test_every_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\btr\(\s*[\w.]+,\s*[f]?"(\w+)"', source))
        used |= set(re.findall(r"\btr\(\s*[\w.]+,\s*'(\w+)'", source))
    used |= {
        f"q_{k}"
        for k in (
            "store_name",
            "markets",
            "return_days",
            "warranty_days",
            "handling_days",
            "ship_days",
            "invoice_hours",
            "timezone",
            "weekdays",
            "saturday",
            "sunday",
        )
    }
    used |= {f"layer_{layer}" for layer in ("shipped", "user", "team")}
    assert len(used) > 40 and sorted(used - set(STRINGS["en"])) == []


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("zh_CN.UTF-8", "zh-CN"),
        ("zh_TW", "zh-CN"),
        ("pt_BR.UTF-8", "pt-BR"),
        ("pt-PT", "pt-BR"),
        ("es_MX.UTF-8", "es"),
        ("en_US", "en"),
        ("C.UTF-8", None),
        ("", None),
    ],
)
def test_locale_tags(tag: str, lang: str | None) -> None:
    assert pick(tag) == lang


def test_language_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RESPONDE_HOME", str(tmp_path))
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    assert cli_lang() == "es"
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "settings.yaml").write_text("lang: zh-CN\n")
    assert cli_lang() == "zh-CN" and cli_lang("pt-BR") == "pt-BR"
    assert tr("zh-CN", "forgot", n=3) == "已删除 3 条分析记录（及其操作记录）"
    assert tr("xx", "forgot", n=3) == "forgot 3 analyses (and their feedback)"
