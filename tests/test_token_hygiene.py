"""The pairing token never lands in a URL, Chrome's history or any file of the browser profile.

A fresh Chromium profile (its own browser: one sync Playwright at a time, so not in test_page_attacks):
pair, use the panel, open the dashboard from the popup, export, close Chromium, then search every file it
wrote for the token. A canary URL visited on the way must be found, so the search is known to work."""

from __future__ import annotations

import json
import secrets
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import test_extension
from browser import PageServer, chromium
from live import ServerThread
from test_extension import SITES, Browser, pair, wait_ready

from proxy import paths
from proxy.engine import Engine
from proxy.store import Store

ORIGIN = f"chrome-extension://{paths.extension_id()}"
pytestmark = test_extension.pytestmark


def profile_files(profile: Path) -> Iterator[Path]:
    """Every file Chromium wrote, but the extension's own storage (chrome.storage.local holds the token)."""
    own = {profile / "Default" / "Local Extension Settings" / paths.extension_id()}
    for path in sorted(profile.rglob("*")):
        if path.is_file() and not any(d in path.parents for d in own):
            yield path


def test_token_is_in_no_url_history_or_profile_file(engine: Engine, tmp_path: Path) -> None:
    token = secrets.token_urlsafe(24)
    canary = secrets.token_hex(12)
    server = ServerThread(engine, token, ORIGIN, lambda: Store(tmp_path / "h.db", b"k" * 43)).start()
    hosts = [h for _, h, *_ in SITES]
    pages = PageServer({host: f"{adapter}.html" for adapter, host, *_ in SITES}).start(tmp_path)
    profile = tmp_path / "profile"
    try:
        with chromium(profile, hosts, pages.port) as (ctx, ext_id):
            b = Browser(ctx, ext_id, server, pages, token, tmp_path / "h.db")
            pair(b).close()
            page = b.ctx.new_page()
            page.goto("https://sellercentral.amazon.com/messaging/thread?id=35")
            wait_ready(page).locator("li .insert").first.click()
            popup = b.ctx.new_page()
            popup.goto(f"chrome-extension://{ext_id}/popup/popup.html")
            with ctx.expect_page() as opened:
                popup.click("#dashboard")
            dash = opened.value
            dash.wait_for_selector("[data-total=messages] b")
            with dash.expect_download() as download:
                dash.click("#export")
            assert json.loads(Path(download.value.path()).read_text())["analyses"]
            urls = [p.url for p in ctx.pages]
            page.goto(f"https://sellercentral.amazon.com/canary-{canary}")
            page.wait_for_timeout(500)
    finally:
        pages.stop()
        server.stop()
    assert not any(token in url for url in urls)
    found = {"token": [], "canary": []}
    needles = {"token": [token.encode(), urllib.parse.quote(token).encode()], "canary": [canary.encode()]}
    for path in profile_files(profile):
        data = path.read_bytes()
        for name, variants in needles.items():
            if any(v in data for v in variants):
                found[name].append(str(path.relative_to(profile)))
    assert "Default/History" in found["canary"]  # the search does find what was in a URL
    assert found["token"] == []
    history = sqlite3.connect(profile / "Default" / "History").execute("SELECT url FROM urls").fetchall()
    assert f"chrome-extension://{paths.extension_id()}/dashboard/dashboard.html" in [u for (u,) in history]
    assert not [u for (u,) in history if token in u]
    print(f"\nprofile files searched: {sum(1 for _ in profile_files(profile))}; canary in {found['canary']}")
