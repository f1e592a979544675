"""The extension in Debian's real Chromium, against the real server and fixture seller pages."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import ARTIFACTS, CHROMIUM, FIXTURES, PageServer, chromium, pair_on_options
from closed_panel import PanelLocator, PanelView
from live import ServerThread, free_port

from proxy import paths
from proxy.engine import Engine
from proxy.store import Store

# fixture (adapter id, or id-variant), page host, path, locale, expected main intent, page-state variable
SITES = [
    (
        "mercadolibre",
        "www.mercadolibre.com.mx",
        "/ventas/2000004417731/mensajes",
        "es-MX",
        "order_status",
        "reactDraft",
    ),
    (
        "mercadolibre-questions",
        "www.mercadolibre.com.ar",
        "/preguntas/vendedor",
        "es-AR",
        "variant",
        "answerDraft",
    ),
    ("amazon", "sellercentral.amazon.com", "/messaging/thread?id=81", "en-US", "product_info", "pageDraft"),
    ("shopee", "seller.shopee.com.br", "/webchat/conversations", "pt-BR", "damaged_defective", "editorModel"),
]
SHOWS_INTENT = "text(root?.querySelector('.intent'))?.includes(arg)"
LATENCY: dict[str, int] = {}

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and (FIXTURES / "vendor").exists()), reason="run `bash scripts/test-deps.sh` first"
)


@dataclass
class Browser:
    ctx: Any
    ext_id: str
    server: ServerThread
    pages: PageServer
    token: str
    db: Path

    def feedback(self) -> list[tuple[str, str | None, str | None]]:
        rows = sqlite3.connect(self.db).execute(
            "SELECT action, template_id, intent FROM feedback ORDER BY id"
        )
        return list(rows.fetchall())

    def worker(self) -> Any:
        return next(w for w in self.ctx.service_workers if w.url.startswith("chrome-extension://"))

    def set_storage(self, values: dict[str, str]) -> None:
        page = self.ctx.new_page()
        page.goto(f"chrome-extension://{self.ext_id}/options/options.html")
        page.evaluate("values => chrome.storage.local.set(values)", values)
        page.close()

    @contextmanager
    def settings(self, **values: str) -> Iterator[None]:
        """Extension settings changed for the duration of a block, then paired again."""
        self.set_storage(values)
        try:
            yield
        finally:
            self.set_storage({"server": self.server.url, "token": self.token, "uiLang": ""})


@pytest.fixture(scope="module")
def browser(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    token = secrets.token_urlsafe(24)
    db = tmp_path_factory.mktemp("store") / "responde.db"
    origin = f"chrome-extension://{paths.extension_id()}"
    server = ServerThread(engine, token, origin, lambda: Store(db, b"k" * 43)).start()
    pages = PageServer({host: f"{adapter}.html" for adapter, host, *_ in SITES}).start(
        tmp_path_factory.mktemp("cert")
    )
    try:
        with chromium(tmp_path_factory.mktemp("profile"), [h for _, h, *_ in SITES], pages.port) as (
            ctx,
            ext_id,
        ):
            assert ext_id == paths.extension_id()
            yield Browser(ctx, ext_id, server, pages, token, db)
    finally:
        pages.stop()
        server.stop()
        if LATENCY:
            (ARTIFACTS / "latency.json").write_text(json.dumps(LATENCY, indent=1))


def pair(browser: Browser) -> Any:
    """The agent's pairing steps on the options page: address, token, Test connection."""
    page = browser.ctx.new_page()
    page.goto(f"chrome-extension://{browser.ext_id}/options/options.html")
    pair_on_options(page, browser.server.url, browser.token)
    return page


@pytest.fixture(scope="module")
def paired(browser: Browser) -> Browser:
    page = pair(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "options.png"))
    page.close()
    return browser


def open_site(browser: Browser, host: str, path: str) -> Any:
    page = browser.ctx.new_page()
    page.goto(f"https://{host}{path}")
    return page


def open_popup(browser: Browser) -> Any:
    """The extension's popup, as a tab (what the toolbar button shows)."""
    popup = browser.ctx.new_page()
    popup.goto(f"chrome-extension://{browser.ext_id}/popup/popup.html")
    return popup


_VIEWS: dict[Any, PanelView] = {}


def view(page: Any) -> PanelView:
    """The page's panel, read from the extension's isolated world (its shadow root is closed)."""
    if page not in _VIEWS:
        _VIEWS[page] = PanelView(page)
        page.on("close", lambda p: _VIEWS.pop(p, None))
    return _VIEWS[page]


def wait_ready(page: Any) -> PanelLocator:
    return view(page).wait_state("ready")


def add_buyer_message(page: Any, text: str) -> None:
    """A new buyer message arrives: each fixture page builds it the way the real page does."""
    page.evaluate("text => window.receive(text)", text)


def panel_for(browser: Browser, path: str, text: str, shown: str) -> tuple[Any, PanelLocator]:
    """A Mercado Libre conversation whose newest buyer message is `text`, once the panel `shown` (a JS
    expression over the panel's root) its answer to it."""
    page = open_site(browser, "www.mercadolibre.com.mx", path)
    wait_ready(page)
    add_buyer_message(page, text)
    view(page).wait_for(shown)
    return page, wait_ready(page)


def test_options_page_pairs_with_the_server(paired: Browser) -> None:
    page = paired.ctx.new_page()
    page.goto(f"chrome-extension://{paired.ext_id}/options/options.html")
    assert page.input_value("#server") == paired.server.url and page.input_value("#token") == paired.token
    assert pair_on_options(page).startswith("Connected — Responde ")
    page.close()


@pytest.mark.parametrize(
    ("adapter", "host", "path", "locale", "intent", "state"), SITES, ids=[s[0] for s in SITES]
)
def test_panel_suggests_and_inserts_into_the_page_state(
    paired: Browser, engine: Engine, adapter: str, host: str, path: str, locale: str, intent: str, state: str
) -> None:
    page = open_site(paired, host, path)
    panel = wait_ready(page)
    LATENCY[adapter] = int(page.get_attribute("responde-panel", "data-ready-at"))
    labels = engine.rules.intents[intent].label
    assert panel.locator(".intent .label").text_content() == labels.en
    assert panel.locator(".intent .zh").text_content() == labels.zh_CN
    assert panel.locator(".lang").text_content() == f"Language: {locale}"
    if adapter != "mercadolibre-questions":  # the questions page shows no message times
        chip = panel.locator(".deadline").text_content()
        assert re.fullmatch(r"(late by )?(\d+ h )?\d+ min( left)?", chip), chip
    items = panel.locator("li")
    assert 1 <= items.count() <= 3
    first = items.nth(0)
    suggestion = first.locator(".text").text_content()
    assert first.locator(".gloss").text_content()
    page.screenshot(path=str(ARTIFACTS / f"panel-{adapter}.png"))
    if engine.rules.intents[intent].handoff:
        assert panel.locator(".handoff").is_visible()
        assert first.locator(".insert").is_disabled()
        panel.locator(".handoff input[type=checkbox]").check()
    first.locator(".insert").click()
    page.wait_for_function(f"() => window.{state}.trim() !== ''")  # insertion is verified, so async
    assert page.evaluate(f"window.{state}").strip() == suggestion
    assert page.evaluate("window.sent") == [] and paired.pages.posts == []
    page.close()


def test_react_state_survives_a_rerender(paired: Browser) -> None:
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/1/mensajes")
    panel = wait_ready(page)
    panel.locator("li .insert").first.click()
    inserted = page.evaluate("window.reactDraft")
    page.type("textarea[data-testid=message-input]", " Saludos")  # React re-renders from its own state
    assert page.evaluate("window.reactDraft") == inserted + " Saludos"
    assert page.text_content("#react-state") == inserted + " Saludos"
    page.close()


def test_mercado_libre_finds_a_contenteditable_composer(paired: Browser) -> None:
    """No textarea, no known selector: the reply-box heuristics find the messenger's contenteditable."""
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/5/mensajes?composer=editable")
    panel = wait_ready(page)
    first = panel.locator("li").first
    assert first.locator(".insert").is_enabled()
    suggestion = first.locator(".text").text_content()
    first.locator(".insert").click()
    page.wait_for_function("() => window.editableDraft !== ''")
    assert page.evaluate("window.editableDraft") == suggestion
    assert page.evaluate("document.activeElement.getAttribute('role')") == "textbox"
    page.close()


def test_complaint_shows_the_handoff_banner(paired: Browser, engine: Engine) -> None:
    angry = "son unos estafadores, nadie me responde. voy a ir a profeco"
    page, panel = panel_for(paired, "/ventas/2/mensajes", angry, "root?.querySelector('.handoff')")
    complaint = engine.rules.intents["complaint"].label
    shown = [panel.locator(".intent .label").text_content(), panel.locator(".intent .second").text_content()]
    assert complaint.en in shown or f"+ {complaint.en} {complaint.zh_CN}" in shown
    assert panel.locator(".handoff").text_content().startswith("A person must answer this one")
    assert all(b.is_disabled() for b in panel.locator(".insert").all())
    page.screenshot(path=str(ARTIFACTS / "panel-handoff.png"))
    page.close()


def test_two_questions_get_one_reply_to_both_saying_what_it_answers(paired: Browser, engine: Engine) -> None:
    two = "oi, quando chega meu pedido? e vocês emitem nota fiscal?"
    joined = "root?.querySelector('li[data-template*=\"+\"]')"
    page, panel = panel_for(paired, "/ventas/6/mensajes", two, joined)
    status, invoice = (engine.rules.intents[i].label for i in ("order_status", "invoice"))
    items = panel.locator("li")
    assert [items.nth(n).locator(".answers").text_content() for n in range(2)] == [
        f"{status.en} {status.zh_CN} + {invoice.en} {invoice.zh_CN}",
        f"{status.en} {status.zh_CN}",
    ]
    first = items.nth(0)
    text = first.locator(".text").text_content()
    assert "Emitimos nota fiscal sim!" in text and len(text) <= 350
    page.screenshot(path=str(ARTIFACTS / "panel-two-intents.png"))
    first.locator(".insert").click()
    page.wait_for_function("() => window.reactDraft.trim() !== ''")
    assert page.evaluate("window.reactDraft") == text
    page.close()


def test_budget_warns_past_350_on_mercado_libre_and_never_truncates(paired: Browser) -> None:
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/3/mensajes")
    panel = wait_ready(page)
    page.fill("textarea[data-testid=message-input]", "x" * 300)
    first = panel.locator("li").first
    suggestion = first.locator(".text").text_content()
    budget = first.locator(".budget")
    assert budget.text_content() == f"Length: {300 + 1 + len(suggestion)}/350"
    assert "over" in (budget.get_attribute("class") or "")
    assert first.locator(".warn").last.text_content().startswith("Over the 350-character limit")
    page.focus("textarea[data-testid=message-input]")
    page.keyboard.press("Alt+1")
    assert page.evaluate("window.reactDraft") == "x" * 300 + " " + suggestion
    assert panel.locator(".notice").text_content().startswith("Over the 350-character limit")
    assert page.evaluate("window.sent") == []
    page.close()


def test_server_down_says_how_to_start_it(paired: Browser) -> None:
    with paired.settings(server=f"http://127.0.0.1:{free_port()}"):
        page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=9")
        panel = view(page).wait_state("error")
        assert panel.locator(".error").text_content() == (
            "Responde is not running. Start it: make run  (or: responde serve)"
        )
        assert page.input_value("#bsm-reply-text") == ""  # the page keeps working untouched
        page.screenshot(path=str(ARTIFACTS / "panel-server-down.png"))
        page.close()


def test_wrong_token_says_how_to_pair(paired: Browser) -> None:
    with paired.settings(token="not-the-token"):
        page = open_site(paired, "seller.shopee.com.br", "/webchat/conversations")
        panel = view(page).wait_state("error")
        assert "responde token" in panel.locator(".error").text_content()
        page.close()


def test_stopped_service_worker_wakes_up_for_the_next_message(paired: Browser, engine: Engine) -> None:
    page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=10")
    wait_ready(page)
    cdp = paired.ctx.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    add_buyer_message(page, "never mind, I want to cancel my order please")
    view(page).wait_for(SHOWS_INTENT, engine.rules.intents["cancel_order"].label.en)
    page.close()


def test_popup_shows_connection_and_last_trace(paired: Browser) -> None:
    page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=11")
    wait_ready(page)
    popup = open_popup(paired)
    popup.wait_for_function("() => document.getElementById('trace').textContent !== '…'")
    assert popup.text_content("#status") == f"Connected ({paired.server.url})"
    assert len(popup.text_content("#trace")) == 32
    popup.wait_for_selector("#waiting li")  # messages still waiting, with their deadlines
    rows = popup.locator("#waiting li").all_text_contents()
    assert all(re.fullmatch(r".+ · [\w.]+ · (late by )?\d+ h \d+ min( left)?", row) for row in rows), rows
    assert 1 <= len(rows) <= 5
    popup.screenshot(path=str(ARTIFACTS / "popup.png"))
    popup.close()
    page.close()


def test_report_latency(paired: Browser) -> None:
    """Page load to visible suggestion, per site (a figure for the README; not a timed assertion)."""
    assert set(LATENCY) == {s[0] for s in SITES}
    print("\npage load -> suggestion visible (ms):", LATENCY)


def test_context_menu_analyzes_the_selected_text(paired: Browser, engine: Engine) -> None:
    page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=12")
    wait_ready(page)
    selected = "quiero devolverlo, no me quedó bien"
    paired.worker().evaluate(
        """async text => { for (const tab of await chrome.tabs.query({}))
             await analyzeInTab(tab.id, 0, text).catch(() => null); }""",
        selected,
    )
    view(page).wait_for(SHOWS_INTENT, engine.rules.intents["return_exchange"].label.en)
    assert wait_ready(page).locator(".lang").text_content() == "Language: es-MX"
    page.close()


def test_opening_another_conversation_updates_the_panel(paired: Browser, engine: Engine) -> None:
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/4/mensajes")
    wait_ready(page)
    page.evaluate(
        "t => window.openConversation('2000009990001', 'RODRIGO PEREZ', t)",
        [["buyer", "necesito factura con mi RFC"]],
    )
    view(page).wait_for(SHOWS_INTENT, engine.rules.intents["invoice"].label.en)
    assert "Hola Rodrigo Perez," in wait_ready(page).locator("li .text").first.text_content()
    page.close()


def test_interface_in_chinese(paired: Browser, engine: Engine) -> None:
    with paired.settings(uiLang="zh-CN"):
        page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=13")
        panel = wait_ready(page)
        zh = engine.rules.intents["product_info"].label.zh_CN
        assert panel.locator(".intent .label").text_content() == zh
        assert panel.locator(".lang").text_content() == "语言: en-US"
        assert panel.locator("li .insert").first.text_content() == "插入 (Alt+1)"
        page.screenshot(path=str(ARTIFACTS / "panel-zh-CN.png"))
        page.close()


def test_agent_actions_are_recorded(paired: Browser, engine: Engine) -> None:
    before = len(paired.feedback())
    page = open_site(paired, "sellercentral.amazon.com", "/messaging/thread?id=14")
    panel = wait_ready(page)
    template = panel.locator("li").first.get_attribute("data-template")
    panel.locator("li .insert").first.click()
    page.type("#bsm-reply-text", " Thanks!")
    view(page).wait_for("root.querySelectorAll('select.correct option').length > 10")
    panel.locator("select.correct").select_option("variant")
    assert panel.locator(".notice").text_content() == "Thanks — Responde will learn from it"
    page.wait_for_timeout(300)
    assert paired.feedback()[before:] == [
        ("inserted", template, None),
        ("edited", None, None),
        ("corrected", None, "variant"),
    ]
    shown_at = page.get_attribute("responde-panel", "data-ready-at")
    add_buyer_message(page, "ok and is it dishwasher safe?")
    page.wait_for_function(
        "at => document.querySelector('responde-panel').dataset.readyAt !== at", arg=shown_at, timeout=15000
    )
    panel.locator("header button").click()
    page.wait_for_timeout(300)
    assert paired.feedback()[-1] == ("dismissed", None, None)
    page.close()


def test_dashboard_opened_from_the_popup(paired: Browser) -> None:
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/15/mensajes")
    wait_ready(page)
    popup = open_popup(paired)
    with paired.ctx.expect_page() as opened:
        popup.click("#dashboard")
    dash = opened.value
    dash.wait_for_selector("[data-total=messages] b")
    assert dash.url == f"chrome-extension://{paired.ext_id}/dashboard/dashboard.html"  # no token in any URL
    stored = sqlite3.connect(paired.db).execute("SELECT count(*), sum(handoff) FROM analyses").fetchone()
    assert int(dash.text_content("[data-total=messages] b")) == stored[0]
    assert int(dash.text_content("[data-total=handoffs] b")) == stored[1]
    assert dash.locator("#chart svg rect").count() >= 2
    assert dash.locator("[data-table=per_product] td").first.is_visible()
    assert dash.locator("[data-table=per_product] td[dir=auto]").count() >= 1  # listing titles bidi-isolated
    assert dash.locator("[data-table=outcomes] button").text_content() == "CSV"
    with dash.expect_download() as download:
        dash.click("[data-table=per_site] button")
    assert download.value.suggested_filename == "responde-per_site.csv"
    with dash.expect_download() as download:
        dash.click("#export")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == "responde-export.json"
    assert len(exported["analyses"]) == stored[0]
    dash.select_option("#lang", "zh-CN")
    assert dash.text_content("h1") == "Responde 数据看板"
    headers = dash.locator("th").all_text_contents()
    assert headers and not [h for h in headers if re.fullmatch(r"[a-z_]+", h)]  # every column translated
    dash.set_viewport_size(
        {"width": 1280, "height": 1900}
    )  # whole page; a full-page capture repeats the sticky header
    dash.screenshot(path=str(ARTIFACTS / "dashboard.png"))
    # Erasure: the page asks the extension, which alone may POST /v1/forget.
    dash.select_option("#lang", "en")
    dash.fill("#f-order", "2000004417731")
    dialogs: list[str] = []
    dash.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    dash.click("#forget button")
    dash.wait_for_selector("#forget-status:has-text('Deleted analyses')")
    after = sqlite3.connect(paired.db).execute("SELECT count(*) FROM analyses").fetchone()[0]
    forgotten = int(dash.text_content("#forget-status").split(":")[1])
    assert forgotten >= 1 and after == stored[0] - forgotten and dialogs[0].startswith("Delete the matching")
    dash.wait_for_function(
        f"() => document.querySelector('[data-total=messages] b').textContent === '{after}'"
    )
    dash.screenshot(path=str(ARTIFACTS / "dashboard-forget.png"), full_page=True)
    for p in (dash, popup, page):
        p.close()


def test_follow_up_gets_its_intent_from_the_thread_and_the_deadline_shows(
    paired: Browser, engine: Engine
) -> None:
    page = open_site(paired, "www.mercadolibre.com.mx", "/ventas/16/mensajes")
    wait_ready(page)
    thread = [
        ["buyer", "quiero cancelar mi compra, me equivoqué de modelo"],
        ["seller", "¡Hola! Lo revisamos y te confirmamos en un momento."],
        ["buyer", "¿y?"],
    ]
    page.evaluate("t => window.openConversation('2000009990002', 'COMPRADOR_ABC', t)", thread)
    view(page).wait_for(SHOWS_INTENT, engine.rules.intents["cancel_order"].label.en)
    chip = wait_ready(page).locator(".deadline")
    assert re.fullmatch(r"\d+ h \d+ min left|\d+ min left", chip.text_content())
    alone = engine.analyze("¿y?", "mercadolibre.com.mx")["intents"]
    assert [i["id"] for i in alone][:1] != ["cancel_order"]
    page.screenshot(path=str(ARTIFACTS / "panel-thread.png"))
    colour = [["buyer", "hola, ¿lo tienen en azul?"], ["buyer", "¿y en talla M?"]]
    page.evaluate("t => window.openConversation('2000009990003', 'COMPRADOR_XYZ', t)", colour)
    view(page).wait_for("text(root.querySelector('.suggestions .text'))?.includes('azul, talla M')")
    assert "蓝色，尺码 M" in wait_ready(page).locator(".suggestions .gloss").first.text_content()
    page.close()


def test_eval_html_report_renders(paired: Browser, engine: Engine, tmp_path: Path) -> None:
    from proxy.evaluate import predict_rows, report
    from proxy.nlp.corpus import Example
    from proxy.report_html import render

    examples = [
        Example("tienen stock?", "es", ("availability",)),
        Example("cadê meu estorno?", "pt", ("refund",)),
        Example("where is my order", "en", ("order_status",)),
        Example("<i>hola</i> quiero factura", "es", ("invoice",)),
        Example("asdfgh", "es", ("other",)),
    ]
    rows = predict_rows(engine, examples)
    rep = report(rows, ["refund", "damaged_defective", "complaint", "not_received"])
    page_file = tmp_path / "report.html"
    page_file.write_text(render(rep, rows), encoding="utf-8")
    page = paired.ctx.new_page()
    page.goto(page_file.as_uri())
    assert page.locator("svg").count() == 3
    assert page.locator("svg rect").count() > 20
    per_intent = page.locator("h2:has-text('Per intent') + table tr")
    assert per_intent.count() == len(rep["per_intent"]) + 1
    assert page.locator("table").first.locator("tr").nth(0).text_content() == f"messages{rep['n']}"
    assert page.evaluate("document.querySelectorAll('i').length") == 0  # buyer text stays text
    page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
    page.close()
