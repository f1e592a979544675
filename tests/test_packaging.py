"""Packaging: one version everywhere, `make extension` building the zip (icons included, reproducible),
and `responde` put on PATH by `make run` (scripts/link-cli.sh)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from proxy import __version__, paths

EXT = paths.REPO / "extension"


def packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "package_extension", paths.REPO / "scripts" / "package-extension.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_one_version_everywhere() -> None:
    assert importlib.metadata.version("responde") == __version__  # pyproject reads proxy.__version__
    assert json.loads((EXT / "manifest.json").read_text())["version"] == __version__
    assert packager().version() == __version__


def test_make_extension_builds_the_zip() -> None:
    done = subprocess.run(
        ["make", "-s", "extension", f"PYTHON={sys.executable}"],
        cwd=paths.REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    target = paths.REPO / "dist" / f"responde-extension-{__version__}.zip"
    assert done.stdout.startswith(f"built dist/responde-extension-{__version__}.zip: version {__version__}, ")
    with zipfile.ZipFile(target) as zf:
        names = sorted(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        icons = {size: png_size(zf.read(path)) for size, path in manifest["icons"].items()}
    on_disk = sorted(p.relative_to(EXT).as_posix() for p in EXT.rglob("*") if p.is_file())
    assert names == on_disk  # everything in extension/, nothing else
    assert manifest["version"] == __version__
    assert icons == {"16": (16, 16), "48": (48, 48), "128": (128, 128)}
    assert manifest["action"]["default_icon"] == manifest["icons"]
    assert [f for f in packager().referenced(manifest) if f not in names] == []


@pytest.mark.parametrize("missing", ["content/drawn.js", "lib/identity.js", "dashboard/strings.js"])
def test_a_missing_file_the_extension_loads_is_refused(tmp_path: Path, missing: str) -> None:
    """Named by the manifest, the service worker's importScripts / injected files, or a page's <script>."""
    module = packager()
    module.EXT = tmp_path / "extension"
    shutil.copytree(EXT, module.EXT)
    (module.EXT / missing).unlink()
    with pytest.raises(SystemExit) as refused:
        module.build(tmp_path / "dist")
    assert refused.value.code == f"package-extension: the extension loads {missing}, which is missing"
    assert not (tmp_path / "dist").exists()


def test_the_zip_is_reproducible(tmp_path: Path) -> None:
    first = packager().build(tmp_path / "a").read_bytes()
    second = packager().build(tmp_path / "b").read_bytes()
    assert first == second


def test_link_cli_puts_responde_on_path(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    env = dict(os.environ, BINDIR=str(bindir), PATH="/usr/bin:/bin")
    done = subprocess.run(
        ["bash", "scripts/link-cli.sh", ".venv"],
        cwd=paths.REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    link = bindir / "responde"
    assert link.resolve() == (paths.REPO / ".venv" / "bin" / "responde").resolve()
    assert done.stdout.startswith(f"linked {link} -> ") and f"add {bindir} to PATH" in done.stdout
    env["PATH"] = f"{bindir}:/usr/bin:/bin"
    again = subprocess.run(
        ["bash", "scripts/link-cli.sh", ".venv"],
        cwd=paths.REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert again.stdout.startswith("responde is on your PATH")
    version = subprocess.run(["responde", "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout == f"Responde {__version__}\n"


def test_make_run_takes_port() -> None:
    done = subprocess.run(
        ["make", "-n", "run", "PORT=9123"], cwd=paths.REPO, capture_output=True, text=True, check=True
    )
    assert ".venv/bin/responde serve --port 9123" in done.stdout
    assert "scripts/link-cli.sh" in done.stdout
