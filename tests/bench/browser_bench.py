"""Browser: time to the first suggestion visible, measured in the page (performance.now(), from navigation
start), median over 20 loads per page: the marketplace fixtures (beside the extension as it was before
issue #17, loaded in a second Chromium and measured load for load in the same run), the helpdesk SPA with
each real editor (with when the page itself put the buyer's message in the DOM), a conversation switch
inside the SPA, and a new buyer message arriving in an open conversation."""

from __future__ import annotations

import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from browser import PageServer, extension_granted, launch  # noqa: E402
from closed_panel import PanelView  # noqa: E402
from live import ServerThread  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from proxy import paths  # noqa: E402
from proxy.engine import build_engine  # noqa: E402

SITES = {
    "mercadolibre": "www.mercadolibre.com.mx",
    "amazon": "sellercentral.amazon.com",
    "shopee": "seller.shopee.com.br",
}
DESK = "desk.helpdesk.test"
EDITORS = [
    *("plain", "react", "vue", "quill", "tiptap", "lexical", "draft", "slate"),
    *("ckeditor", "trix", "tinymce", "material", "ckeditor4", "wangeditor", "jodit"),
    *("kindeditor", "summernote"),
]
BASELINE = "a47d16e"  # the extension before issue #17 (document_idle, a 120 ms debounce, no warm-up)


VIEWS: dict[Any, PanelView] = {}


def ready_at(page: Any) -> int:
    """When the panel last showed suggestions (the host's stamp), once its closed root says "ready" (read
    from the extension's isolated world; the baseline's open root reads the same way)."""
    view = VIEWS.get(page) or VIEWS.setdefault(page, PanelView(page))
    view.wait_state("ready", timeout=15)
    return int(page.get_attribute("responde-panel", "data-ready-at"))


def row(what: str, times: list[int], extra: str = "") -> str:
    median = statistics.median(times)
    spread = f"min {min(times)}, max {max(times)}, {len(times)} runs"
    return f"| browser: {what} | median {median:.0f} ms ({spread}){extra} | | ≤ 300 ms |"


def pair(ctx: Any, ext_id: str, server: ServerThread, token: str) -> None:
    options = ctx.new_page()
    options.goto(f"chrome-extension://{ext_id}/options/options.html")
    options.fill("#server", server.url)
    options.fill("#token", token)
    options.click("#test")
    options.wait_for_selector("#result.ok")
    options.close()


def load(ctx: Any, url: str) -> tuple[int, float | None]:
    """Navigation start -> suggestion visible, and -> the buyer's message in the DOM (when the page says)."""
    page = ctx.new_page()
    page.goto(url)
    at = ready_at(page)
    message = page.evaluate("window.messageAt || null")
    VIEWS.pop(page, None)
    page.close()
    return at, message


def main(loads: int = 20) -> None:
    vendor = TESTS / "fixtures" / "vendor"
    missing = [e for e in EDITORS if e != "plain" and not (vendor / f"editor-{e}.js").exists()]
    if missing:  # else each of their pages would time out waiting for a panel that cannot come
        sys.exit(
            f"browser_bench: no bundle for the editors {', '.join(missing)} in {vendor}: "
            "run `bash scripts/test-deps.sh` first (`make bench` does)"
        )
    engine = build_engine(paths.RULES_DIR, paths.CORPUS_DIR, paths.models_dir())
    token = secrets.token_urlsafe(24)
    server = ServerThread(engine, token, f"chrome-extension://{paths.extension_id()}").start()
    tmp = Path(tempfile.mkdtemp(prefix="responde-browser-bench-"))
    pages = PageServer({**{host: f"{name}.html" for name, host in SITES.items()}, DESK: "helpdesk.html"})
    pages.start(tmp)
    ext = extension_granted([f"https://{DESK}/*"], tmp / "extension")
    (tmp / "before").mkdir()
    archive = subprocess.run(
        ["git", "archive", BASELINE, "extension"], cwd=paths.REPO, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tmp / "before")], input=archive.stdout, check=True)
    hosts = [*SITES.values(), DESK]
    rows = []
    try:
        with sync_playwright() as p:
            ctx, ext_id = launch(p, tmp / "profile", hosts, pages.port, ext)
            old, old_id = launch(p, tmp / "profile-before", hosts, pages.port, tmp / "before" / "extension")
            pair(ctx, ext_id, server, token)
            pair(old, old_id, server, token)
            for name, host in SITES.items():
                now, before = [], []
                for n in range(loads + 1):  # the first load of each warms caches
                    at, _ = load(ctx, f"https://{host}/bench/{n}")
                    was, _ = load(old, f"https://{host}/bench/{n}")
                    if n:
                        now.append(at)
                        before.append(was)
                ratio = statistics.median(now) / statistics.median(before)
                extra = f"; before #17 {statistics.median(before):.0f} ms, ratio {ratio:.2f}"
                rows.append(row(f"{name} fixture, load → suggestion visible", now, extra))
            opened: dict[str, list[int]] = {"now": [], "before": []}
            for n in range(loads):  # Mercado Libre's messenger opens another conversation without a reload
                for label, context in (("now", ctx), ("before", old)):
                    page = context.new_page()
                    page.goto(f"https://{SITES['mercadolibre']}/ventas/{n}/mensajes")
                    ready_at(page)
                    start = page.evaluate(
                        """n => { const t = performance.now();
                           const said = [["buyer", `hola, tienen talla ${n}?`]];
                           openConversation(`20000${n}`, `COMPRADOR_${n}`, said);
                           return t; }""",
                        n,
                    )
                    page.wait_for_function(
                        "at => +document.querySelector('responde-panel').dataset.readyAt > at", arg=start
                    )
                    opened[label].append(round(ready_at(page) - start))
                    VIEWS.pop(page, None)
                    page.close()
            ratio = statistics.median(opened["now"]) / statistics.median(opened["before"])
            extra = f"; before #17 {statistics.median(opened['before']):.0f} ms, ratio {ratio:.2f}"
            rows.append(
                row(
                    "mercadolibre fixture, another conversation opened → its suggestion visible",
                    opened["now"],
                    extra,
                )
            )
            for editor in EDITORS:
                measured = [
                    load(ctx, f"https://{DESK}/inbox/c104?editor={editor}&n={n}") for n in range(loads + 1)
                ]
                times = [at for at, _ in measured[1:]]
                own = [at - (message or 0) for at, message in measured[1:]]
                messages = [message or 0 for _, message in measured[1:]]
                extra = (
                    f"; the page put the message in the DOM at {statistics.median(messages):.0f} ms, "
                    f"then {statistics.median(own):.0f} ms to the suggestion"
                )
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
                before_at = page.get_attribute("responde-panel", "data-ready-at")
                page.evaluate("n => receive(`one more question, number ${n}: do you ship to Canada?`)", n)
                page.wait_for_function(
                    "at => document.querySelector('responde-panel').dataset.readyAt !== at",
                    arg=before_at,
                    timeout=15000,
                )
                arrivals.append(round(ready_at(page) - page.evaluate("window.messageAt")))
            VIEWS.pop(page, None)
            page.close()
            rows.append(row("helpdesk SPA, click on another conversation → its suggestion visible", switches))
            rows.append(row("helpdesk SPA, new buyer message in the DOM → suggestion visible", arrivals))
    finally:
        pages.stop()
        server.stop()
    print("\n".join(rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
