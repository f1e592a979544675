"""Draw the extension's icons (16, 48 and 128 px PNG) from one SVG with Debian's Chromium.

Run once after changing the drawing: .venv/bin/python scripts/make-icons.py (the PNGs are committed)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "extension" / "icons"
SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="{size}" height="{size}">
  <rect x="4" y="4" width="120" height="120" rx="28" fill="#0b5cad"/>
  <path d="M30 26 h68 a14 14 0 0 1 14 14 v36 a14 14 0 0 1 -14 14 h-42 l-22 18 v-18
           h-4 a14 14 0 0 1 -14 -14 v-36 a14 14 0 0 1 14 -14 z" fill="#ffffff"/>
  <rect x="34" y="44" width="60" height="10" rx="5" fill="#0b5cad"/>
  <rect x="34" y="62" width="40" height="10" rx="5" fill="#1a7f37"/>
</svg>"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/lib/chromium/chromium", args=["--no-sandbox"])
        for size in (16, 48, 128):
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(f"<body style='margin:0'>{SVG.format(size=size)}</body>")
            page.screenshot(path=str(OUT / f"icon{size}.png"), omit_background=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
