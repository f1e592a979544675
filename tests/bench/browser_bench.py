"""Browser: time to the first suggestion visible, measured in the page (performance.now(), from navigation
start), median over 20 loads per page: the marketplace fixtures, the helpdesk SPA with each real editor,
a conversation switch inside the SPA, and a new buyer message arriving in an open conversation."""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from browser import PageServer, chromium, extension_granted  # noqa: E402
from live import ServerThread  # noqa: E402

from proxy import paths  # noqa: E402
from proxy.engine import build_engine  # noqa: E402

SITES = {
    "mercadolibre": "www.mercadolibre.com.mx",
    "amazon": "sellercentral.amazon.com",
    "shopee": "seller.shopee.com.br",
}
DESK = "desk.helpdesk.test"
EDITORS = ["plain", "react", "vue", "quill", "tiptap", "lexical", "draft", "slate"]
READY = "responde-panel .rp[data-state=ready]"


def ready_at(page: Any) -> int:
    page.wait_for_selector(READY, timeout=15000)
    return int(page.get_attribute("responde-panel", "data-ready-at"))


def row(what: str, times: list[int], extra: str = "") -> str:
    median = statistics.median(times)
    spread = f"min {min(times)}, max {max(times)}, {len(times)} runs"
    return f"| browser: {what} | median {median:.0f} ms ({spread}){extra} | | ≤ 300 ms |"


def main(loads: int = 20) -> None:
    engine = build_engine(paths.RULES_DIR, paths.CORPUS_DIR, paths.models_dir())
    token = secrets.token_urlsafe(24)
    server = ServerThread(engine, token, f"chrome-extension://{paths.extension_id()}").start()
    tmp = Path(tempfile.mkdtemp(prefix="responde-browser-bench-"))
    pages = PageServer({**{host: f"{name}.html" for name, host in SITES.items()}, DESK: "helpdesk.html"})
    pages.start(tmp)
    ext = extension_granted([f"https://{DESK}/*"], tmp / "extension")
    rows = []
    try:
        with chromium(tmp / "profile", [*SITES.values(), DESK], pages.port, ext) as (ctx, ext_id):
            options = ctx.new_page()
            options.goto(f"chrome-extension://{ext_id}/options/options.html")
            options.fill("#server", server.url)
            options.fill("#token", token)
            options.click("#test")
            options.wait_for_selector("#result.ok")

            def loaded(url: str) -> tuple[list[int], list[int]]:
                """Navigation start -> suggestion visible, and -> buyer's message in the DOM (if known)."""
                times, messages = [], []
                for n in range(loads + 1):
                    page = ctx.new_page()
                    page.goto(f"{url}{'&' if '?' in url else '?'}n={n}")
                    at = ready_at(page)
                    message = page.evaluate("window.messageAt || null")
                    if n:  # the first load warms caches
                        times.append(at)
                        if message is not None:
                            messages.append(round(message))
                    page.close()
                return times, messages

            for name, host in SITES.items():
                rows.append(
                    row(f"{name} fixture, load → suggestion visible", loaded(f"https://{host}/bench")[0])
                )
            for editor in EDITORS:
                times, messages = loaded(f"https://{DESK}/inbox/c104?editor={editor}")
                extra = f"; the page put the message in the DOM at {statistics.median(messages):.0f} ms"
                rows.append(row(f"helpdesk SPA + {editor} composer, load → suggestion visible", times, extra))

            switches, arrivals = [], []
            page = ctx.new_page()
            for n in range(loads):
                page.goto(f"https://{DESK}/inbox/c101?editor=react&n={n}")
                ready_at(page)
                page.click(f"#inbox a[data-id=c10{2 + n % 5}]")  # never seen in this page: no cache
                page.wait_for_function(
                    "at => +document.querySelector('responde-panel').dataset.readyAt > at",
                    arg=page.evaluate("window.switchedAt"),
                    timeout=15000,
                )
                switches.append(round(ready_at(page) - page.evaluate("window.switchedAt")))
                before = page.get_attribute("responde-panel", "data-ready-at")
                page.evaluate("n => receive(`one more question, number ${n}: do you ship to Canada?`)", n)
                page.wait_for_function(
                    "at => document.querySelector('responde-panel').dataset.readyAt !== at",
                    arg=before,
                    timeout=15000,
                )
                arrivals.append(round(ready_at(page) - page.evaluate("window.messageAt")))
            page.close()
            rows.append(row("helpdesk SPA, click on another conversation → its suggestion visible", switches))
            rows.append(row("helpdesk SPA, new buyer message in the DOM → suggestion visible", arrivals))
    finally:
        pages.stop()
        server.stop()
    print("\n".join(rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
