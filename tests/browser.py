"""Browser-test harness: the real server and an HTTPS fixture-page server in threads, Debian's Chromium
with the unpacked extension, marketplace host names mapped to the fixture server."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from live import free_port

from proxy import paths

CHROMIUM = Path("/usr/lib/chromium/chromium")
EXTENSION = paths.REPO / "extension"
FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--ignore-certificate-errors",
]


@dataclass
class PageServer:
    """Serves fixture pages over HTTPS by Host header; counts any request that would send a message."""

    pages: dict[str, str]
    port: int = field(default_factory=free_port)
    posts: list[str] = field(default_factory=list)

    def start(self, certdir: Path) -> PageServer:
        cert, key = certdir / "cert.pem", certdir / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=fixtures",
            ]
            + ["-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                package = path.split("/")[2] if path.count("/") > 2 else ""
                if path.startswith("/vendor/") and package in FOLDER_EDITORS:
                    # CKEditor 4 and KindEditor load their skins and languages themselves
                    root = (FIXTURES / "editors" / "node_modules" / package).resolve()
                    found = (root / path.split("?")[0].removeprefix(f"/vendor/{package}/")).resolve()
                    return str(found if found.is_relative_to(root) else root / "missing")
                if path.startswith("/vendor/"):
                    return str(FIXTURES / "vendor" / Path(path).name)
                host = (self.headers.get("Host") or "").split(":")[0]
                return str(FIXTURES / "pages" / server.pages.get(host, "missing.html"))

            def do_POST(self) -> None:
                server.posts.append(self.path)
                self.send_error(405)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()


FOLDER_EDITORS = {"ckeditor4", "kindeditor"}  # editors served as their npm folders, not bundled


def extension_granted(origins: list[str], dest: Path) -> Path:
    """A copy of the extension with `origins` already granted, as if the agent had enabled them from the
    popup: Chrome's permission prompt is browser UI that headless Chromium cannot accept. The key, so the
    id, stays the same; the service worker registers the content scripts for them as after a real grant."""
    import json
    import shutil

    shutil.copytree(EXTENSION, dest)
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    manifest["host_permissions"] += origins
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dest


def launch(
    p: Any, profile: Path, hosts: list[str], page_port: int, extension: Path = EXTENSION
) -> tuple[Any, str]:
    """A persistent Chromium context of Playwright `p` with the extension: (context, extension id)."""
    rules = ", ".join(f"MAP {host} 127.0.0.1:{page_port}" for host in hosts)
    ctx = p.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        viewport={"width": 1280, "height": 860},
        args=ARGS
        + [
            f"--host-resolver-rules={rules}",
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
        ],
    )
    sw = next((w for w in ctx.service_workers if w.url.startswith("chrome-extension://")), None)
    sw = sw or ctx.wait_for_event("serviceworker", timeout=15000)
    return ctx, sw.url.split("/")[2]


@contextmanager
def chromium(
    profile: Path, hosts: list[str], page_port: int, extension: Path = EXTENSION
) -> Iterator[tuple[Any, str]]:
    """A persistent Chromium context with the extension (folder) loaded; yields (context, extension id)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx, ext_id = launch(p, profile, hosts, page_port, extension)
        try:
            yield ctx, ext_id
        finally:
            ctx.close()


def pair_on_options(page: Any, server: str | None = None, token: str | None = None) -> str:
    """The agent's pairing on the open options page: the address and token typed (when given), then Test
    connection. Returns what the page says; fails with that text unless it says connected."""
    if server is not None:
        page.fill("#server", server)  # waits until the stored settings have filled the form
    if token is not None:
        page.fill("#token", token)
    page.click("#test")
    page.wait_for_selector("#result.ok, #result.fail", timeout=15000)
    text = page.text_content("#result")
    assert page.get_attribute("#result", "class") == "ok", f"the options page says: {text!r}"
    return text
