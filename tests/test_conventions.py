"""The project's own conventions: adapters, manifest, fixtures, tests, README and UI strings kept in step."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_editors import EDITORS, NAMES
from test_extension import SITES

from proxy import paths

EXT = paths.REPO / "extension"
ADAPTERS = sorted((EXT / "content" / "adapters").glob("*.js"))
MANIFEST = json.loads((EXT / "manifest.json").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "pages"
README = (paths.REPO / "README.md").read_text(encoding="utf-8")
NODE = shutil.which("node")
DASHBOARD = EXT / "dashboard"
JS_FILES = sorted(EXT.rglob("*.js"))
HTML_SINKS = r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"


def adapter(path: Path) -> tuple[str, list[str]]:
    source = path.read_text(encoding="utf-8")
    ident = re.search(r'\bid: "([\w-]+)"', source)
    hosts = re.search(r"\bhosts: \[([^\]]*)\]", source)
    assert ident and hosts, f"{path.name}: an adapter declares `id` and `hosts`"
    return ident.group(1), re.findall(r'"([^"]+)"', hosts.group(1))


def content_script() -> dict[str, list[str]]:
    (entry,) = MANIFEST["content_scripts"]
    return entry


@pytest.mark.parametrize("path", ADAPTERS, ids=[p.stem for p in ADAPTERS])
def test_every_adapter_is_registered_matched_tested_and_documented(path: Path) -> None:
    ident, hosts = adapter(path)
    assert ident == path.stem
    assert f"content/adapters/{path.name}" in content_script()["js"]
    assert f"content/adapters/{path.name}" in README
    if ident == "generic":
        assert hosts == []
        return
    assert hosts, f"{path.name} runs on no host"
    for host in hosts:
        assert {f"https://*.{host}/*", f"https://{host}/*"} & set(content_script()["matches"]), host
    assert (FIXTURES / f"{ident}.html").exists()
    assert ident in {site[0] for site in SITES}, "add a row to SITES in tests/test_extension.py"


def test_manifest_matches_no_host_without_an_adapter() -> None:
    hosts = {h for path in ADAPTERS for h in adapter(path)[1]}
    for pattern in content_script()["matches"]:
        host = re.fullmatch(r"https://(?:\*\.)?([^/]+)/\*", pattern)
        assert host and host.group(1) in hosts, pattern


def test_manifest_asks_for_the_minimum() -> None:
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["host_permissions"] == ["http://127.0.0.1/*"]
    assert set(MANIFEST["permissions"]) == {"storage", "contextMenus", "activeTab", "scripting"}
    assert "<all_urls>" not in json.dumps(MANIFEST)
    # Any other site only when the agent enables it from the popup (Chrome asks them first).
    assert MANIFEST["optional_host_permissions"] == ["https://*/*", "http://*/*"]
    # No web page and no other extension may message it; no page may load its pages (the dashboard).
    assert MANIFEST["externally_connectable"] == {"ids": []}
    assert "web_accessible_resources" not in MANIFEST
    assert MANIFEST["content_security_policy"]["extension_pages"] == "script-src 'self'; object-src 'none'"


def test_enabled_sites_get_the_same_content_scripts_as_marketplaces() -> None:
    """background.js injects CONTENT_FILES on enabled sites: the manifest's list without the marketplace
    adapters, in the same order."""
    background = (EXT / "background.js").read_text(encoding="utf-8")
    block = re.search(r"const CONTENT_FILES = \[(.*?)\];", background, re.S)
    assert block
    files = re.findall(r'"([^"]+)"', block.group(1))
    marketplaces = [f"content/adapters/{p.name}" for p in ADAPTERS if p.stem != "generic"]
    assert files == [f for f in content_script()["js"] if f not in marketplaces]


def test_every_file_the_extension_loads_exists() -> None:
    listed = content_script()["js"] + [MANIFEST["background"]["service_worker"], MANIFEST["options_page"]]
    listed += [MANIFEST["action"]["default_popup"]]
    background = (EXT / "background.js").read_text(encoding="utf-8")
    listed += re.findall(r'"((?:lib|content)/[\w/.-]+\.js)"', background)
    for page in EXT.rglob("*.html"):
        for src in re.findall(r'(?:src|href)="([^"#]+)"', page.read_text(encoding="utf-8")):
            listed.append(str((page.parent / src).resolve().relative_to(EXT.resolve())))
    assert [f for f in listed if not (EXT / f).is_file()] == []


@pytest.mark.parametrize("path", JS_FILES, ids=[str(p.relative_to(paths.REPO)) for p in JS_FILES])
def test_extension_never_parses_text_as_html(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", source
    )


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("path", JS_FILES, ids=[str(p.relative_to(paths.REPO)) for p in JS_FILES])
def test_extension_scripts_parse(path: Path) -> None:
    done = subprocess.run([str(NODE), "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def ui_strings(source: Path = EXT / "lib" / "i18n.js", name: str = "RespondeI18n.STRINGS") -> dict[str, Any]:
    script = f"require(process.argv[1]); console.log(JSON.stringify({name}));"
    done = subprocess.run([str(NODE), "-e", script, str(source)], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


# The dashboard page has its own words (strings.js); everything else shares lib/i18n.js.
STRING_TABLES = [
    (
        "extension",
        EXT / "lib" / "i18n.js",
        "RespondeI18n.STRINGS",
        [p for p in EXT.rglob("*") if DASHBOARD not in p.parents],
    ),
    ("dashboard", DASHBOARD / "strings.js", "RespondeDashboardStrings", sorted(DASHBOARD.glob("*"))),
]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("source", "name", "files"), [t[1:] for t in STRING_TABLES], ids=[t[0] for t in STRING_TABLES]
)
def test_every_ui_string_exists_in_all_four_languages(source: Path, name: str, files: list[Path]) -> None:
    strings = ui_strings(source, name)
    assert sorted(strings) == ["en", "es", "pt-BR", "zh-CN"]
    keys = set(strings["en"])
    assert {lang: sorted(keys ^ set(table)) for lang, table in strings.items()} == {
        lang: [] for lang in strings
    }
    assert all(text.strip() for table in strings.values() for text in table.values())
    used = set()
    for path in files:
        if path.suffix in (".js", ".html"):
            source = path.read_text(encoding="utf-8")
            used |= set(re.findall(r'(?:\btr|\bt\((?:lang|this\.uiLang|[\w.()"]+)),\s*"(\w+)"', source))
            used |= set(re.findall(r'\btr\("(\w+)"', source))
            used |= set(re.findall(r'data-i18n="(\w+)"', source))
    assert used and sorted(used - keys) == []


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_dashboard_names_every_table_column_and_value_the_server_sends() -> None:
    strings = ui_strings(DASHBOARD / "strings.js", "RespondeDashboardStrings")
    assert sorted(strings) == sorted(ui_strings())  # the same four languages as the extension
    keys = set(strings["en"])
    # values translated by name (`urgency_${value}`, yes/no for hand-offs, "(abstain)")
    assert {"urgency_high", "urgency_normal", "yes", "no", "abstain", "notSetUp"} <= keys
    # tables and their columns are translated by name: every one the server sends must have a text
    from proxy import insight

    columns = {c for sql in insight.TABLES.values() for c in re.findall(r"\bAS (\w+)", sql)}
    assert sorted((columns | set(insight.TABLES)) - keys) == []


def test_readme_lists_every_command_and_endpoint() -> None:
    from proxy.cli import parser
    from proxy.server import handlers

    sub = next(a for a in parser()._actions if a.dest == "command")
    documented = set(re.findall(r"^\| `responde (\w+)", README, re.M))
    assert documented == set(sub.choices)  # type: ignore[attr-defined]
    app_routes = re.findall(
        r'web\.(?:get|post)\("(/v1/[\w/]+)"', (paths.REPO / "proxy/server/app.py").read_text()
    )
    assert app_routes and all(f"{route}" in README for route in app_routes)
    assert set(handlers.PAGES) == {"/"}


def test_readme_editor_table_has_a_row_per_tested_editor() -> None:
    rows = re.findall(r"^\| ([^|]+?) \| (?:yes|NO) \|", README, re.M)
    assert rows == [NAMES[kind] for kind in EDITORS]


def test_every_test_the_readme_names_exists() -> None:
    """A test renamed or removed must take the README's claim about it along."""
    tests = paths.REPO / "tests"
    files = list(tests.rglob("test_*.py"))
    defined = {m for f in files for m in re.findall(r"^(?:async )?def (test_\w+)", f.read_text(), re.M)}
    modules = {f.stem for f in files}
    named = set(re.findall(r"`(?:test_\w+::)?(test_\w+)`", README))
    assert named and sorted(n for n in named if n not in defined | modules) == []
