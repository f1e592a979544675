"""The README's install steps in Debian's real Chromium: the packaged zip unzipped and loaded on
chrome://extensions, pairing, the panel and the dashboard in Chinese, before and after `responde setup`.
Screenshots land in tests/artifacts/ (docs/img/ holds copies for the README)."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import ARTIFACTS, CHROMIUM, FIXTURES, PageServer, chromium, pair_on_options
from closed_panel import PanelLocator, PanelView
from live import ServerThread

from proxy import paths
from proxy.engine import Engine
from proxy.store import Store

PAGES = {"sellercentral.amazon.com": "amazon.html", "www.mercadolibre.com.mx": "mercadolibre.html"}

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and (FIXTURES / "vendor").exists()), reason="run `bash scripts/test-deps.sh` first"
)


@dataclass
class Install:
    ctx: Any
    ext_id: str
    ready: ServerThread  # a server whose store is set up
    fresh: ServerThread  # a server before `responde setup`
    token: str


def unzipped(tmp: Path) -> Path:
    """`make extension`'s zip, unzipped into a folder as the README says."""
    spec = importlib.util.spec_from_file_location("pack", paths.REPO / "scripts" / "package-extension.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp / "responde-extension"
    with zipfile.ZipFile(module.build(tmp)) as zf:
        zf.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def install(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Install]:
    tmp = tmp_path_factory.mktemp("install")
    token = secrets.token_urlsafe(24)
    origin = f"chrome-extension://{paths.extension_id()}"
    not_set_up = Engine(
        dataclasses.replace(engine.rules, needs_setup=True),
        engine.model,
        engine.recognizer.lid,
        engine.recognizer.embedder,
    )
    not_set_up.clock = engine.clock
    ready = ServerThread(engine, token, origin, lambda: Store(tmp / "ready.db", b"k" * 43)).start()
    fresh = ServerThread(not_set_up, token, origin, lambda: Store(tmp / "fresh.db", b"k" * 43)).start()
    pages = PageServer(PAGES).start(tmp)
    try:
        with chromium(tmp / "profile", list(PAGES), pages.port, unzipped(tmp)) as (ctx, ext_id):
            assert ext_id == paths.extension_id()  # the manifest key pins the id wherever the folder is
            yield Install(ctx, ext_id, ready, fresh, token)
    finally:
        pages.stop()
        ready.stop()
        fresh.stop()


def settings(install: Install, server: ServerThread, lang: str) -> None:
    page = install.ctx.new_page()
    page.goto(f"chrome-extension://{install.ext_id}/options/options.html")
    page.evaluate(
        "v => chrome.storage.local.set(v)", {"server": server.url, "token": install.token, "uiLang": lang}
    )
    page.close()


def test_load_unpacked_on_the_extensions_page(install: Install) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = install.ctx.new_page()
    page.set_viewport_size({"width": 1100, "height": 640})
    page.goto("chrome://extensions")
    toggle = page.locator("extensions-manager >> extensions-toolbar >> #devMode")
    toggle.click()
    assert toggle.evaluate("el => el.checked") is True
    card = page.locator("extensions-manager >> extensions-item")
    assert card.locator("#name").text_content().strip() == "Responde"
    assert install.ext_id in card.locator("#extension-id").text_content()
    assert page.locator("extensions-manager >> extensions-toolbar >> #loadUnpacked").is_visible()
    page.screenshot(path=str(ARTIFACTS / "install-extensions.png"))
    page.close()


def test_pairing_on_the_options_page(install: Install) -> None:
    settings(install, install.ready, "")
    page = install.ctx.new_page()
    page.set_viewport_size({"width": 760, "height": 620})
    page.goto(f"chrome-extension://{install.ext_id}/options/options.html")
    text = pair_on_options(page, install.ready.url, install.token)
    assert re.fullmatch(r"Connected — Responde [\d.]+, 22 intents", text)
    page.screenshot(path=str(ARTIFACTS / "install-options.png"), full_page=True)
    page.close()


# chrome.storage answers 1.5 s late, as on a busy machine; `settingsShown` once the page has used the answer.
SLOW_STORAGE = """
if (globalThis.chrome && chrome.storage) {
  const get = chrome.storage.local.get.bind(chrome.storage.local);
  chrome.storage.local.get = (keys) =>
    new Promise((wait) => setTimeout(wait, 1500))
      .then(() => get(keys))
      .then((found) => { setTimeout(() => { globalThis.settingsShown = true; }); return found; });
}
"""


def test_pairing_typed_before_the_stored_settings_load(install: Install) -> None:
    """A first pairing typed while the stored settings still load: the form waits for them, so they cannot
    replace the address and token the agent typed (they did: the test then went to the default address)."""
    settings(install, install.ready, "")
    reset = install.ctx.new_page()
    reset.goto(f"chrome-extension://{install.ext_id}/options/options.html")
    reset.evaluate("() => chrome.storage.local.remove(['server', 'token'])")  # as installed
    reset.close()
    page = install.ctx.new_page()
    page.add_init_script(SLOW_STORAGE)
    page.goto(f"chrome-extension://{install.ext_id}/options/options.html")
    assert page.is_disabled("#server") and page.is_disabled("#token") and page.is_disabled("#test")
    page.fill("#server", install.ready.url)
    page.fill("#token", install.token)
    page.wait_for_function("() => globalThis.settingsShown")
    assert (page.input_value("#server"), page.input_value("#token")) == (install.ready.url, install.token)
    assert pair_on_options(page).startswith("Connected — Responde ")
    page.close()


def open_panel(install: Install, path: str) -> tuple[Any, PanelLocator]:
    """The page and its panel, read from the extension's isolated world: the shadow root is closed and its
    words are drawn from data-t attributes (see tests/closed_panel.py)."""
    page = install.ctx.new_page()
    page.goto(f"https://sellercentral.amazon.com{path}")
    return page, PanelView(page).wait_state("ready")


def test_before_setup_the_panel_says_so_in_chinese(install: Install) -> None:
    settings(install, install.fresh, "zh-CN")
    page, panel = open_panel(install, "/messaging/thread?id=31")
    assert panel.locator(".setup").text_content() == (
        "尚未为您的店铺完成初始设置：请运行 `responde setup`，之后这里会显示建议回复"
    )
    assert panel.locator("li").count() == 0  # no reply in a demo store's name
    assert panel.locator(".intent .label").text_content() == "商品咨询"  # recognition still helps
    page.screenshot(path=str(ARTIFACTS / "install-panel-not-set-up-zh-CN.png"))
    page.close()


def test_the_panel_in_chinese(install: Install) -> None:
    settings(install, install.ready, "zh-CN")
    page, panel = open_panel(install, "/messaging/thread?id=32")
    assert panel.locator(".lang").text_content() == "语言: en-US"
    assert panel.locator(".urgency").text_content() in ("普通", "紧急")
    assert re.fullmatch(r"剩余 (\d+小时)?\d+分钟", panel.locator(".deadline").text_content())
    assert panel.locator("li .insert").first.text_content() == "插入 (Alt+1)"
    assert panel.locator("select.correct option").first.text_content() == "意图不对？请选择正确的"
    page.screenshot(path=str(ARTIFACTS / "install-panel-zh-CN.png"))
    page.close()


def test_the_dashboard_follows_the_extensions_language(install: Install) -> None:
    settings(install, install.ready, "zh-CN")
    page, _ = open_panel(install, "/messaging/thread?id=33")  # one more stored analysis
    popup = install.ctx.new_page()
    popup.goto(f"chrome-extension://{install.ext_id}/popup/popup.html")
    popup.wait_for_function("() => document.getElementById('trace').textContent !== '…'")
    assert popup.text_content("h1") == "Responde 回复助手"
    assert popup.text_content("dt:nth-of-type(3)") == "最近追踪编号"
    with install.ctx.expect_page() as opened:
        popup.click("#dashboard")
    dash = opened.value
    dash.wait_for_selector("[data-total=messages] b")
    assert dash.text_content("h1") == "Responde 数据看板"  # no language picked on the dashboard itself
    assert dash.input_value("#lang") == "zh-CN"
    assert dash.url == f"chrome-extension://{install.ext_id}/dashboard/dashboard.html"  # no token, no lang
    headers = dash.locator("th").all_text_contents()
    assert headers and not [h for h in headers if re.search(r"[a-z]{3,}", h)], headers
    cells = dash.locator("[data-table=deadlines] td").all_text_contents()
    assert "普通" in cells or "紧急" in cells
    assert dash.locator("#setup").is_hidden()
    dash.set_viewport_size({"width": 1280, "height": 1500})
    dash.screenshot(path=str(ARTIFACTS / "install-dashboard-zh-CN.png"))
    # the agent switches the extension to Spanish (options page): the open dashboard follows
    popup.evaluate("() => chrome.storage.local.set({uiLang: 'es'})")
    dash.wait_for_function("() => document.querySelector('h1').textContent === 'Responde — panorama'")
    assert dash.input_value("#lang") == "es"
    for p in (dash, popup, page):
        p.close()


def test_the_dashboard_before_setup(install: Install) -> None:
    settings(install, install.fresh, "zh-CN")
    popup = install.ctx.new_page()
    popup.goto(f"chrome-extension://{install.ext_id}/popup/popup.html")
    popup.wait_for_selector("#status.fail")
    assert popup.text_content("#status").startswith("尚未为您的店铺完成初始设置")
    with install.ctx.expect_page() as opened:
        popup.click("#dashboard")
    dash = opened.value
    dash.wait_for_selector("#setup:not([hidden])")
    assert dash.text_content("#setup").startswith("尚未为您的店铺完成初始设置：请运行 `responde setup`")
    for p in (dash, popup):
        p.close()


def test_the_evaluation_report_in_chinese(install: Install, models_dir: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    html = tmp_path / "report.html"
    env = dict(os.environ, RESPONDE_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "proxy",
            "--no-progress",
            "--models",
            str(models_dir),
            "eval",
            "--html",
            str(html),
            "--lang",
            "zh-CN",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = install.ctx.new_page()
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(html.as_uri())
    assert page.text_content("h1") == "Responde 评估报告：labelled.jsonl"
    assert page.locator("table").first.locator("th").all_text_contents()[:3] == [
        "消息数",
        "主意图准确率",
        "宏平均 F1",
    ]
    assert page.locator("h2").all_text_contents()[:2] == ["各意图", "混淆矩阵"]
    assert "退换货" in page.locator("h2:has-text('各意图') + table").text_content()
    # nothing of the confusion matrix is cut off: every label lies inside its picture
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('svg')].flatMap(svg => {
             const box = svg.getBoundingClientRect();
             return [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
               return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
                      r.bottom > box.bottom + 1; }).map(t => t.textContent); })"""
    )
    assert clipped == []
    page.screenshot(path=str(ARTIFACTS / "install-eval-report-zh-CN.png"), full_page=True)
    page.close()
