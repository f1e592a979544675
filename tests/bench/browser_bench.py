"""Browser: page load to visible suggestion panel, median over 20 loads of each fixture page."""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from browser import PageServer, chromium  # noqa: E402
from closed_panel import PanelView  # noqa: E402
from live import ServerThread  # noqa: E402

from proxy import paths  # noqa: E402
from proxy.engine import build_engine  # noqa: E402

SITES = {
    "mercadolibre": "www.mercadolibre.com.mx",
    "amazon": "sellercentral.amazon.com",
    "shopee": "seller.shopee.com.br",
}


def main(loads: int = 20) -> None:
    engine = build_engine(paths.RULES_DIR, paths.CORPUS_DIR, paths.models_dir())
    token = secrets.token_urlsafe(24)
    server = ServerThread(engine, token, f"chrome-extension://{paths.extension_id()}").start()
    tmp = Path(tempfile.mkdtemp(prefix="responde-browser-bench-"))
    pages = PageServer({host: f"{name}.html" for name, host in SITES.items()}).start(tmp)
    rows = []
    try:
        with chromium(tmp / "profile", list(SITES.values()), pages.port) as (ctx, ext_id):
            options = ctx.new_page()
            options.goto(f"chrome-extension://{ext_id}/options/options.html")
            options.fill("#server", server.url)
            options.fill("#token", token)
            options.click("#test")
            options.wait_for_selector("#result.ok")
            for name, host in SITES.items():
                times = []
                for n in range(loads + 1):
                    page = ctx.new_page()
                    page.goto(f"https://{host}/bench/{n}")
                    PanelView(page).wait_state("ready")  # a closed root: read from the isolated world
                    if n:  # the first load warms caches
                        times.append(int(page.get_attribute("responde-panel", "data-ready-at")))
                    page.close()
                median = statistics.median(times)
                rows.append(
                    f"| browser: {name} fixture, load → suggestion visible | median {median:.0f} ms "
                    f"(min {min(times)}, max {max(times)}, {loads} loads) | | ≤ 300 ms |"
                )
    finally:
        pages.stop()
        server.stop()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
