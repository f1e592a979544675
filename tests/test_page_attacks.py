"""Page attacks, run in Debian's real Chromium against the real server and extension.

The seller page is hostile: its scripts run beside the panel, and another program may hold the server's
port. Each test is one row of the README's table of page attacks: what the page (or the squatter) tries,
and what stops it. Where an attack works on an ordinary page element, the test runs it there too
(a positive control), so a pass means the defence held, not that the attack was broken."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import test_extension
from browser import ARTIFACTS
from live import ServerThread, free_port
from test_extension import Browser, add_buyer_message, open_site, view, wait_ready

from proxy import paths
from proxy.engine import Engine
from proxy.server.identity import PROTOCOL

ORIGIN = f"chrome-extension://{paths.extension_id()}"
pytestmark = test_extension.pytestmark
browser = test_extension.browser  # the same module fixtures: one Chromium and one real server for this module
paired = test_extension.paired
AMAZON = ("sellercentral.amazon.com", "/messaging/thread?id=")
MELI = ("www.mercadolibre.com.mx", "/ventas/{}/mensajes")
TEXT_NODES = """const found = [];
  const walk = (n) => { if (n.nodeType === Node.TEXT_NODE && n.data.trim() &&
      !['style', 'option'].includes(n.parentElement.localName)) found.push(n.data);
    n.childNodes.forEach(walk); };
  walk(root); return found;"""


def amazon(browser: Browser, n: int) -> Any:
    return open_site(browser, AMAZON[0], f"{AMAZON[1]}{n}")


def settle(page: Any) -> None:
    page.wait_for_timeout(400)  # let any message to the service worker and the server land


# --- reading the panel -------------------------------------------------------------------------------


READ_ATTACKS = """(fragments) => {
  const host = document.querySelector('responde-panel');
  const sel = getSelection();
  const out = {shadowRoot: host.shadowRoot, hostText: host.innerText + '|' + host.textContent,
               hooked: window.hookedShadows || []};
  out.pageText = document.documentElement.innerText;
  sel.selectAllChildren(document.documentElement); out.selectAll = sel.toString();
  document.execCommand('selectAll'); out.execSelectAll = sel.toString();
  out.found = fragments.filter((f) => { sel.removeAllRanges(); return window.find(f); });
  const end = document.createRange(); end.selectNodeContents(document.body); end.collapse(false);
  sel.removeAllRanges(); sel.addRange(end); sel.modify('extend', 'forward', 'documentboundary');
  out.stretched = sel.toString();
  // Positive control: the same probes on an ordinary closed shadow root holding text.
  const probe = document.createElement('div');
  probe.attachShadow({mode: 'closed'}).append('CONTROL secret in a closed root');
  document.body.append(probe);
  sel.removeAllRanges(); out.controlFound = window.find('CONTROL');
  sel.modify('extend', 'forward', 'lineboundary'); out.controlRead = sel.toString();
  probe.remove();
  return out;
}"""

HOOK_ATTACH_SHADOW = """(() => {  // a page script that runs first and wraps attachShadow to keep every root
  const original = Element.prototype.attachShadow;
  window.hookedShadows = [];
  Element.prototype.attachShadow = function (init) {
    const root = original.call(this, init); window.hookedShadows.push(this.localName); return root;
  };
})();"""


def test_page_cannot_read_the_panel(paired: Browser) -> None:
    page = paired.ctx.new_page()
    page.add_init_script(HOOK_ATTACH_SHADOW)
    page.goto(f"https://{AMAZON[0]}{AMAZON[1]}31")
    panel = wait_ready(page)
    suggestion = panel.locator("li .text").first.text_content()
    label = panel.locator(".intent .label").text_content()
    fragments = [suggestion[:14], suggestion[-14:], label, "Insert (Alt+1)", "Length:", "Copy"]
    seen = page.evaluate(READ_ATTACKS, fragments)
    assert seen["controlFound"] and seen["controlRead"].startswith("CONTROL secret")  # the probes work...
    assert seen["hooked"] == ["div"]  # the hook caught the page's own probe, never the panel's root
    assert seen["shadowRoot"] is None and seen["hostText"] == "|"  # ...and the probes read nothing here
    assert seen["found"] == []
    for key in ("pageText", "selectAll", "execSelectAll", "stretched"):
        assert not any(f in seen[key] for f in fragments), key
    assert view(page).evaluate(TEXT_NODES) == []  # the panel's words are not DOM text at all
    page.close()


# --- rewriting the panel -----------------------------------------------------------------------------

REWRITE_ATTACKS = """(fragment) => {
  const host = document.querySelector('responde-panel');
  const out = {};
  try { host.attachShadow({mode: 'open'}); out.attach = 'allowed'; } catch (e) { out.attach = e.name; }
  const decoy = document.createElement('p'); decoy.textContent = 'EVIL light-DOM child'; host.append(decoy);
  host.contentEditable = 'true'; document.designMode = 'on';
  const sel = getSelection();
  sel.removeAllRanges(); out.found = window.find(fragment);
  out.replaced = document.execCommand('insertText', false, 'EVIL replaced');
  const end = document.createRange(); end.selectNodeContents(document.body); end.collapse(false);
  sel.removeAllRanges(); sel.addRange(end);
  for (let i = 0; i < 40; i++) sel.modify('move', 'forward', 'character');
  out.typed = document.execCommand('insertText', false, 'EVIL typed');
  document.designMode = 'off'; host.removeAttribute('contenteditable');
  out.decoyShown = decoy.checkVisibility();
  return out;
}"""


def test_page_cannot_rewrite_the_panel(paired: Browser) -> None:
    page = amazon(paired, 32)
    panel = wait_ready(page)
    before = [item.text_content() for item in panel.locator("li").all()]
    tried = page.evaluate(REWRITE_ATTACKS, before[0][:20])
    assert tried["attach"] == "NotSupportedError" and tried["found"] is False and tried["decoyShown"] is False
    assert [item.text_content() for item in panel.locator("li").all()] == before
    assert view(page).evaluate(TEXT_NODES) == []
    page.fill("#bsm-reply-text", "")
    page.focus("#bsm-reply-text")
    page.keyboard.press("Alt+1")
    assert page.evaluate("window.pageDraft") == panel.locator("li .text").first.text_content()
    page.close()


# --- synthetic clicks and keys -----------------------------------------------------------------------

PAGE_SYNTHETIC = """() => {
  const host = document.querySelector('responde-panel');
  const box = document.getElementById('bsm-reply-text');
  for (const target of [document, window, box, host]) {
    for (const code of ['Digit1', 'Digit2', 'Digit3']) {
      const init = {code, key: code.slice(-1), altKey: true, bubbles: true, composed: true, cancelable: true};
      target.dispatchEvent(new KeyboardEvent('keydown', init));
    }
  }
  host.click();
  host.dispatchEvent(new MouseEvent('click', {bubbles: true, composed: true}));
  box.focus();
  box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: 'x'}));
}"""

# As if the page held the panel's own controls (it cannot: the root is closed): untrusted clicks on each.
HELD_SYNTHETIC = """for (const el of root.querySelectorAll('button, input')) {
    el.click(); el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  }
  const select = root.querySelector('select.correct');
  select.value = select.options[select.options.length - 1].value;
  select.dispatchEvent(new Event('change', {bubbles: true}));
  return [select.value, root.querySelector('.rp').isConnected && !host.hidden];"""


def test_synthetic_clicks_and_keys_insert_nothing_and_send_no_feedback(paired: Browser) -> None:
    page = amazon(paired, 33)
    panel = wait_ready(page)
    view(page).wait_for("root.querySelectorAll('select.correct option').length > 10")
    before = paired.feedback()
    page.evaluate(PAGE_SYNTHETIC)
    assert view(page).evaluate(HELD_SYNTHETIC) == ["", True]  # the synthetic change was undone
    settle(page)
    assert page.input_value("#bsm-reply-text") == "" and page.evaluate("window.pageDraft") == ""
    assert paired.feedback() == before and panel.locator(".notice").text_content() == ""
    # The agent's own key does what the synthetic ones could not...
    page.focus("#bsm-reply-text")
    page.keyboard.press("Alt+1")
    assert page.input_value("#bsm-reply-text") == panel.locator("li .text").first.text_content()
    settle(page)
    template = panel.locator("li").first.get_attribute("data-template")
    assert paired.feedback()[len(before) :] == [("inserted", template, None)]
    # ...a page's synthetic input is not the agent editing; the agent's typing is.
    page.evaluate(PAGE_SYNTHETIC)
    settle(page)
    assert paired.feedback()[len(before) :] == [("inserted", template, None)]
    page.type("#bsm-reply-text", " Thanks")
    settle(page)
    assert paired.feedback()[len(before) :] == [("inserted", template, None), ("edited", None, None)]
    page.close()


def test_synthetic_handoff_confirmation_is_undone(paired: Browser) -> None:
    page = open_site(paired, "seller.shopee.com.br", "/webchat/conversations")
    panel = wait_ready(page)
    assert panel.locator(".handoff").is_visible()
    before = paired.feedback()
    checked = view(page).evaluate(
        "const box = root.querySelector('.handoff input'); box.click(); return box.checked;"
    )
    settle(page)
    assert checked is False and panel.locator(".insert").first.is_disabled() and paired.feedback() == before
    panel.locator(".handoff input[type=checkbox]").check()  # the agent's real click
    assert not panel.locator(".insert").first.is_disabled()
    settle(page)
    assert paired.feedback()[len(before) :] == [("handoff_confirmed", None, None)]
    page.close()


# --- the page's own events: navigation, loading, focus ---------------------------------------------------

PAGE_EVENTS = """() => {
  const other = document.createElement('textarea');  // a box of the page's choosing, visible and empty
  other.id = 'planted'; document.body.append(other);
  other.dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
  dispatchEvent(new PopStateEvent('popstate', {state: null}));
  dispatchEvent(new HashChangeEvent('hashchange'));
  if (window.navigation) navigation.dispatchEvent(new Event('currententrychange'));
  document.dispatchEvent(new Event('readystatechange'));
  const heard = []; addEventListener('popstate', (e) => heard.push(e.isTrusted));
  dispatchEvent(new PopStateEvent('popstate', {state: null}));
  return heard;
}"""


def test_synthetic_navigation_and_focus_neither_clear_the_panel_nor_choose_the_box(paired: Browser) -> None:
    """A page's synthetic popstate, hashchange, currententrychange and readystatechange are not a change of
    conversation (the browser's own events are), and its synthetic focusin does not choose the reply box."""
    page = amazon(paired, 35)
    panel = wait_ready(page)
    shown = page.get_attribute("responde-panel", "data-ready-at")
    assert page.evaluate(PAGE_EVENTS) == [False]  # the control: the page's own listener hears its event
    settle(page)
    assert view(page).state() == "ready" and panel.locator(".changed").count() == 0
    assert page.get_attribute("responde-panel", "data-ready-at") == shown
    page.keyboard.press("Alt+1")  # nothing focused by the agent: the panel's own reply box
    page.wait_for_function("() => window.pageDraft !== ''")
    assert page.evaluate("[window.pageDraft, document.getElementById('planted').value]") == [
        panel.locator("li .text").first.text_content(),
        "",
    ]
    page.close()


# --- the pick mode's overlay ------------------------------------------------------------------------------

PICK_ATTACKS = """(hint) => {
  const host = document.querySelector('responde-pick');
  const sel = getSelection();
  const out = {shadowRoot: host.shadowRoot, hostText: host.innerText + '|' + host.textContent,
               hooked: window.hookedShadows || []};
  out.pageText = document.documentElement.innerText.includes(hint);
  sel.removeAllRanges(); out.found = window.find(hint.slice(0, 12));
  sel.selectAllChildren(document.documentElement); out.selectAll = sel.toString().includes(hint);
  const box = document.getElementById('bsm-reply-text');
  const r = box.getBoundingClientRect(), at = {clientX: r.left + 5, clientY: r.top + 5, bubbles: true};
  box.dispatchEvent(new MouseEvent('mousemove', at));
  box.click(); box.dispatchEvent(new MouseEvent('click', at));
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
  out.stillPicking = host.isConnected;
  return out;
}"""

PICK_ROOT = """const pick = document.querySelector('responde-pick');
  const shadow = pick && chrome.dom.openOrClosedShadowRoot(pick);
  if (!shadow) return null;
  const found = [];
  const walk = (n) => { if (n.nodeType === Node.TEXT_NODE && n.data.trim() &&
      n.parentElement.localName !== 'style') found.push(n.data); n.childNodes.forEach(walk); };
  walk(shadow);
  return {textNodes: found, hint: text(shadow.querySelector('.hint')),
          highlight: shadow.querySelector('.box').style.display};"""


def test_page_can_neither_read_nor_drive_the_pick_mode(paired: Browser) -> None:
    """The "pick the reply box" overlay is a closed root drawn from data-t like the panel; the page's
    synthetic mouse moves, clicks and Esc neither move its highlight, pick a box nor cancel it."""
    page = paired.ctx.new_page()
    page.add_init_script(HOOK_ATTACH_SHADOW)
    page.goto(f"https://{AMAZON[0]}{AMAZON[1]}36")
    wait_ready(page)
    sw = paired.worker()
    view(page).evaluate("Responde.pick.start('en'); return true;")  # what the popup's Pick button starts
    page.wait_for_selector("responde-pick", state="attached")
    inside = view(page).evaluate(PICK_ROOT)
    hint = "Click the box you type replies in (Esc to cancel)"
    assert inside == {"textNodes": [], "hint": hint, "highlight": ""}
    seen = page.evaluate(PICK_ATTACKS, hint)
    assert seen == {
        "shadowRoot": None,
        "hostText": "|",
        "hooked": [],
        "pageText": False,
        "found": False,
        "selectAll": False,
        "stillPicking": True,
    }
    assert view(page).evaluate(PICK_ROOT)["highlight"] == ""  # the synthetic move did not steer it
    assert sw.evaluate("chrome.storage.local.get('replyBoxBySite')") == {}
    page.hover("#bsm-reply-text")  # the agent's real mouse
    assert view(page).evaluate(PICK_ROOT)["highlight"] == "block"
    page.click("#bsm-reply-text")
    assert page.locator("responde-pick").count() == 0
    stored = sw.evaluate("chrome.storage.local.get('replyBoxBySite')")
    assert list(stored["replyBoxBySite"]) == [AMAZON[0]]
    sw.evaluate("chrome.storage.local.remove('replyBoxBySite')")
    page.close()


# --- the dashboard, stored data and the token ----------------------------------------------------------

DASHBOARD_ATTACKS = """async ([ext, server, token]) => {
  const out = {};
  out.runtime = typeof chrome === 'undefined' || !chrome.runtime ? 'none' : typeof chrome.runtime.sendMessage;
  try { await fetch(`chrome-extension://${ext}/dashboard/dashboard.html`); out.read = 'read'; }
  catch (e) { out.read = e.name; }
  try {
    await fetch(server + '/v1/export', {method: 'POST', body: '{}',
      headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + token}});
    out.exported = 'read';
  } catch (e) { out.exported = e.name; }
  try {  // a "simple" request needs no preflight: it reaches the server, which wants our Origin
    const init = {method: 'POST', mode: 'no-cors', body: '{"everything": true}'};
    const r = await fetch(server + '/v1/forget', init);
    out.forget = r.type;
  } catch (e) { out.forget = e.name; }
  return out;
}"""


def test_page_cannot_open_the_dashboard_or_reach_stored_data(paired: Browser) -> None:
    page = amazon(paired, 34)
    wait_ready(page)
    rows = sqlite3.connect(paired.db).execute("SELECT count(*) FROM analyses").fetchone()[0]
    # Even with the token in hand (it never is), a page gets nothing: its requests carry its own Origin.
    out = page.evaluate(DASHBOARD_ATTACKS, [paired.ext_id, paired.server.url, paired.token])
    assert out == {"runtime": "none", "read": "TypeError", "exported": "TypeError", "forget": "opaque"}
    settle(page)
    assert sqlite3.connect(paired.db).execute("SELECT count(*) FROM analyses").fetchone()[0] == rows
    with paired.ctx.expect_page() as opened:
        page.evaluate(
            "ext => window.open(`chrome-extension://${ext}/dashboard/dashboard.html`)", paired.ext_id
        )
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.evaluate("document.getElementById('filters')") is None  # blocked: not web-accessible
    # A content script (the page's renderer) may ask for analyses, never for stored data.
    # Nor for the enabled sites, nor to enable one (and inject into a tab) or disable one.
    asked = view(page).evaluate(
        "return Promise.all(['export', 'dashboard', 'forget', 'waiting', 'siteStatus', 'enableSite',"
        " 'disableSite'].map((type) => chrome.runtime.sendMessage({type, filters: {everything: true},"
        " url: location.href, tabId: 1, pattern: 'http://127.0.0.1/*'})));"
    )
    assert asked == [{"ok": False, "error": "notAllowed"}] * 7
    session = view(page).evaluate(
        "try { await chrome.storage.session.get(null); return 'read'; } catch (e) { return 'refused'; }"
    )
    assert session == "refused"
    for p in (popup, page):
        p.close()


# --- a squatter on the server's port -------------------------------------------------------------------


@dataclass
class Squatter:
    """A program on the server's port that does not know the token. `relay_to` forwards each challenge
    to the real server (as the real server's Host, or keeping ours) and hands back its answer."""

    port: int = field(default_factory=free_port)
    relay_to: str | None = None
    keep_host: bool = False
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Squatter:
        squatter = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                squatter.seen.append(
                    {"method": "GET", "path": self.path, "headers": dict(self.headers), "body": ""}
                )
                self.answer(200, b'{"status": "ok", "version": "9.9", "intents": 22}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                squatter.seen.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body.decode(),
                    }
                )
                if self.path == "/v1/hello" and squatter.relay_to:
                    status, answer = squatter.relay(body, self.headers.get("Host", ""))
                    self.answer(status, answer)
                elif self.path == "/v1/hello":
                    self.answer(
                        200, json.dumps({"protocol": PROTOCOL, "proof": secrets.token_hex(32)}).encode()
                    )
                else:
                    self.answer(200, b'{"trace_id": "0", "suggestions": []}')

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def relay(self, body: bytes, host: str) -> tuple[int, bytes]:
        assert self.relay_to
        real_host = self.relay_to.split("//")[1]
        headers = {
            "Content-Type": "application/json",
            "Origin": ORIGIN,
            "Host": host if self.keep_host else real_host,
        }
        request = urllib.request.Request(
            f"{self.relay_to}/v1/hello", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def assert_squatter_got_nothing(squatter: Squatter, secrets_seen: list[str]) -> None:
    assert squatter.seen, "the extension never asked"
    assert {(r["method"], r["path"]) for r in squatter.seen} == {("POST", "/v1/hello")}
    assert not [r for r in squatter.seen if "Authorization" in r["headers"]]
    assert not [
        r for r in squatter.seen for s in secrets_seen if s in r["body"] or s in json.dumps(r["headers"])
    ]


NOT_VERIFIED = {
    "en": "The program at {server} could not prove it is your Responde server",
    "zh-CN": "{server} 上的程序无法证明它是你的 Responde 服务器",
}


@pytest.mark.parametrize("mode", ["squatter", "relay", "relay-keeping-host"])
def test_squatter_on_the_port_gets_neither_token_nor_buyer_text(paired: Browser, mode: str) -> None:
    squatter = Squatter(
        relay_to=paired.server.url if mode != "squatter" else None, keep_host=mode.endswith("host")
    )
    squatter.start()
    try:
        with paired.settings(server=squatter.url):
            page = open_site(paired, MELI[0], MELI[1].format(40))
            error = view(page).wait_state("error").locator(".error").text_content()
            assert error.startswith(NOT_VERIFIED["en"].format(server=squatter.url)), error
            assert "responde token" in error and "make run" in error
            page.screenshot(path=str(ARTIFACTS / f"panel-{mode}.png"))
            options = paired.ctx.new_page()
            options.goto(f"chrome-extension://{paired.ext_id}/options/options.html")
            options.click("#test")
            options.wait_for_selector("#result.fail")
            assert options.text_content("#result").startswith(NOT_VERIFIED["en"].format(server=squatter.url))
            options.close()
            buyer_text = "me pasan el número de guía"
            assert buyer_text in page.text_content("body")
            assert_squatter_got_nothing(squatter, [paired.token, buyer_text, "MARIANAG_1988"])
            page.close()
        if mode == "squatter":
            with paired.settings(server=squatter.url, uiLang="zh-CN"):
                page = open_site(paired, MELI[0], MELI[1].format(41))
                error = view(page).wait_state("error").locator(".error").text_content()
                assert error.startswith(NOT_VERIFIED["zh-CN"].format(server=squatter.url)), error
                page.screenshot(path=str(ARTIFACTS / "panel-squatter-zh-CN.png"))
                page.close()
    finally:
        squatter.stop()
    page = amazon(paired, 42)  # back on the real server: verified again, suggestions as usual
    wait_ready(page)
    page.close()


def test_port_taken_over_after_the_server_stops(paired: Browser, engine: Engine) -> None:
    """The real server verifies, then stops; the next message finds the port closed and the remembered
    verification is dropped; a program that then takes the port is refused."""
    real = ServerThread(engine, paired.token, ORIGIN).start()
    with paired.settings(server=real.url):
        page = amazon(paired, 43)
        wait_ready(page)
        real.stop()
        add_buyer_message(page, "hello? is anyone there?")
        view(page).wait_state("error")
        squatter = Squatter(port=real.port).start()
        try:
            add_buyer_message(page, "my order number is 114-0000000-1234567, please answer")
            error = view(page).wait_for(
                "text(root.querySelector('.error'))?.includes('could not prove') && "
                "text(root.querySelector('.error'))"
            )
            assert error.startswith(NOT_VERIFIED["en"].format(server=real.url))
            assert_squatter_got_nothing(squatter, [paired.token, "114-0000000-1234567", "anyone there"])
        finally:
            squatter.stop()
        page.close()


def test_verification_is_remembered_briefly_across_worker_restarts(paired: Browser) -> None:
    sw = paired.worker()
    get = "async () => (await chrome.storage.session.get('verifiedServer')).verifiedServer || null"
    page = amazon(paired, 44)
    wait_ready(page)
    known = sw.evaluate(get)
    assert (
        known and known["key"].startswith(f"{paired.server.url}|") and paired.token not in json.dumps(known)
    )
    pinned = sw.evaluate(
        "async () => { const v = (await chrome.storage.session.get('verifiedServer')).verifiedServer;"
        " const at = Date.now(); await chrome.storage.session.set({verifiedServer: {...v, at}}); return at; }"
    )
    cdp = paired.ctx.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")  # MV3 stops idle workers; the memory cache would be gone
    shown = page.get_attribute("responde-panel", "data-ready-at")
    add_buyer_message(page, "also, does the lid fit the 24 oz bottle?")
    page.wait_for_function("at => document.querySelector('responde-panel').dataset.readyAt !== at", arg=shown)
    sw = paired.worker()
    assert sw.evaluate(get)["at"] == pinned  # answered on the remembered verification: no new challenge
    ttl = sw.evaluate("RespondeIdentity.TTL_MS")
    sw.evaluate(
        "async (ttl) => { const v = (await chrome.storage.session.get('verifiedServer')).verifiedServer;"
        " await chrome.storage.session.set({verifiedServer: {...v, at: Date.now() - ttl - 1}}); }",
        ttl,
    )
    shown = page.get_attribute("responde-panel", "data-ready-at")
    add_buyer_message(page, "and is it dishwasher safe?")
    page.wait_for_function("at => document.querySelector('responde-panel').dataset.readyAt !== at", arg=shown)
    assert sw.evaluate(get)["at"] > pinned  # expired: challenged again before the buyer's text went out
    page.close()


# --- bidi ------------------------------------------------------------------------------------------------

RLO = "\u202e"
NAME = f"{RLO}MARIA_CLIENTE"

# Where each drawn piece sits, per line fragment: [tag, data-t, first left, last right, first top, last top].
PIECES = """Array.from(scope.querySelectorAll('.t'), (el) => {
    const rects = Array.from(el.getClientRects()); const first = rects[0], last = rects.at(-1);
    return [el.localName, el.dataset.t, first.left, last.right, first.top, last.top]; })"""
GEOMETRY = f"const scope = root.querySelector('.suggestions .text'); return {PIECES};"

CONTROL = """(name) => {  // the same sentence as ordinary text, without isolation: the override reorders it
  const p = document.createElement('p'); p.textContent = `Hola ${name}, tu pedido ya salió`;
  p.style.cssText = 'position: fixed; top: 0; left: 0; font: 13px sans-serif; white-space: nowrap';
  document.body.append(p);
  const at = (s) => { const r = document.createRange(); const i = p.textContent.indexOf(s);
    r.setStart(p.firstChild, i); r.setEnd(p.firstChild, i + 1); return r.getBoundingClientRect().left; };
  const out = [at('M'), at(',')]; p.remove(); return out;
}"""


def test_rtl_override_in_a_page_value_cannot_reorder_the_panel(paired: Browser) -> None:
    """The page's order id carries the override into the reply ("tu pedido ‮MARIA_CLIENTE ya…"); a buyer
    name carrying one is no person's name, and no reply greets it (`test_replies`)."""
    page = open_site(paired, MELI[0], MELI[1].format(45))
    wait_ready(page)
    page.evaluate("n => window.openConversation(n, 'Maria', [['buyer', 'ya lo mandaron?']])", NAME)
    view(page).wait_for("text(root.querySelector('.suggestions .text'))?.includes('MARIA_CLIENTE')")
    name_left, comma_left = page.evaluate(CONTROL, NAME)
    assert comma_left < name_left  # the control: unisolated, the comma is drawn before the name
    pieces = view(page).evaluate(GEOMETRY)
    names = [i for i, p in enumerate(pieces) if p[0] == "bdi" and "MARIA_CLIENTE" in p[1]]
    assert names, pieces  # the page's value is a <bdi> of its own
    for i in names:
        name, after = pieces[i], pieces[i + 1]
        same_line = abs(after[4] - name[5]) < 2
        assert not same_line or after[2] >= name[3] - 0.5, (name, after)  # drawn after the name, in order
    page.screenshot(path=str(ARTIFACTS / "panel-bidi.png"))
    page.close()


CRAFTED = (
    """const panel = new Responde.Panel('en', async () => null);
  const sentence = 'Hola \\u202eMARIA_CLIENTE, tu pedido llega';
  panel.show({trace_id: '0'.repeat(32), language: {locale: 'es-MX'}, urgency: 'normal', deadline: null,
              intents: [], handoff: {required: false, reasons: []},
              suggestions: [{text: sentence, gloss_zh: '你好', locale: 'es-MX', template_id: 'x.es-MX.1',
                             policy: {violations: [], limit: 350}}]},
             null, {buyer_name: '\\u202eMARIA_CLIENTE'});
  const scope = chrome.dom.openOrClosedShadowRoot(panel.host).querySelector('.suggestions .text');
  const pieces = """
    + PIECES
    + """;
  panel.host.remove(); document.removeEventListener('keydown', panel.onKey, true);
  return pieces;"""
)


def test_panel_isolates_a_bidi_override_whatever_the_server_sends(paired: Browser) -> None:
    """The server may keep or drop the override; the panel's own isolation is checked with it present."""
    page = amazon(paired, 46)
    wait_ready(page)
    pieces = view(page).evaluate(CRAFTED)
    assert [(tag, t) for tag, t, *_ in pieces] == [
        ("span", "Hola "),
        ("bdi", RLO),
        ("bdi", "MARIA_CLIENTE"),
        ("span", ", tu pedido llega"),
    ]
    assert len({top for *_, top in pieces}) == 1  # one line
    lefts = [piece[2] for piece in pieces]
    assert lefts == sorted(lefts)  # logical order is visual order: nothing was reversed
    page.close()
