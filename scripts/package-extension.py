"""`make extension`: dist/responde-extension-<version>.zip, ready to unzip and load (or to upload to the
Chrome Web Store). The version comes from proxy/__init__.py, the one place it is written; the zip is
reproducible (sorted entries, fixed dates) and refused if the extension loads a file that is missing (named by
the manifest, the service worker or one of its pages)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXT = REPO / "extension"
ICON_SIZES = ("16", "48", "128")


def version() -> str:
    """__version__ of proxy/__init__.py (read, not imported: no virtualenv needed)."""
    text = (REPO / "proxy" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "(\d+\.\d+\.\d+)"$', text, re.M)
    if not found:
        sys.exit('package-extension: no __version__ = "X.Y.Z" in proxy/__init__.py')
    return found.group(1)


def referenced(manifest: dict) -> list[str]:
    """Every file the manifest names."""
    files = [
        manifest["background"]["service_worker"],
        manifest["options_page"],
        manifest["action"]["default_popup"],
    ]
    files += [
        f for entry in manifest.get("content_scripts", []) for f in entry.get("js", []) + entry.get("css", [])
    ]
    files += list(manifest.get("icons", {}).values()) + list(
        manifest["action"].get("default_icon", {}).values()
    )
    return sorted(set(files) | loaded())


def loaded() -> set[str]:
    """Files the extension loads without the manifest naming them: the service worker's importScripts and
    the content scripts it injects on enabled sites, and every script and stylesheet of its pages (the
    dashboard is opened by URL, not named in the manifest)."""
    background = (EXT / "background.js").read_text(encoding="utf-8")
    files = set(re.findall(r'"((?:lib|content)/[\w/.-]+\.js)"', background))
    for page in EXT.rglob("*.html"):
        files.add(page.relative_to(EXT).as_posix())
        for src in re.findall(r'(?:src|href)="([^"#:]+)"', page.read_text(encoding="utf-8")):
            files.add((page.parent / src).resolve().relative_to(EXT.resolve()).as_posix())
    return files


def build(out_dir: Path = REPO / "dist") -> Path:
    """Write the zip; returns its path."""
    manifest = json.loads((EXT / "manifest.json").read_text(encoding="utf-8"))
    ver = version()
    problems = [
        f"the extension loads {f}, which is missing" for f in referenced(manifest) if not (EXT / f).is_file()
    ]
    problems += [f"no {s}px icon in the manifest" for s in ICON_SIZES if s not in manifest.get("icons", {})]
    if problems:
        sys.exit("package-extension: " + "; ".join(problems))
    manifest["version"] = ver
    out_dir.mkdir(exist_ok=True)
    target = out_dir / f"responde-extension-{ver}.zip"
    files = sorted(
        p for p in EXT.rglob("*") if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".")
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        add("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        for path in files:
            add(path.relative_to(EXT).as_posix(), path.read_bytes())
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    shown = target.relative_to(REPO) if target.is_relative_to(REPO) else target
    print(
        f"built {shown}: version {ver}, {len(files) + 1} files, "
        f"{target.stat().st_size // 1024} KiB, sha256 {digest[:16]}…"
    )
    print("install: unzip it into a folder you keep; chrome://extensions -> Developer mode -> Load unpacked")
    return target


if __name__ == "__main__":
    build()
