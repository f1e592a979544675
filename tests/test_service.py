"""`responde service`: the autostart entry of each desktop, checked by content (and by systemd's own
verifier where it is installed); the command every entry runs really starts the server and logs where the
README says."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from live import free_port

from proxy import paths
from proxy.service import LABEL, plan

EXE = [sys.executable, "-m", "proxy"]
NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A private home for the service files and Responde's own directories; no service manager on PATH."""
    (tmp_path / "bin").mkdir()
    values = {
        "HOME": str(tmp_path / "user"),
        "XDG_CONFIG_HOME": str(tmp_path / "user" / ".config"),
        "RESPONDE_HOME": str(tmp_path / "data"),
        "PATH": str(tmp_path / "bin"),  # no systemctl: nothing is registered with the real session
        "LANG": "C.UTF-8",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


def test_systemd_user_unit(env: dict[str, str], tmp_path: Path) -> None:
    p = plan("linux", 8765)
    log = tmp_path / "data" / "logs" / "responde.log"
    assert p.file == tmp_path / "user" / ".config" / "systemd" / "user" / "responde.service"
    assert p.content.decode() == "\n".join(
        [
            "[Unit]",
            "Description=Responde, local reply assistant for marketplace agents",
            "",
            "[Service]",
            "Type=simple",
            f"WorkingDirectory={paths.REPO}",
            f"ExecStart={sys.executable} -m proxy serve --port 8765 --log-file {log}",
            f'Environment="RESPONDE_HOME={tmp_path / "data"}"',
            "Restart=on-failure",
            "RestartSec=5",
            "",
            "[Install]",
            "WantedBy=default.target",
            "",
        ]
    )
    assert p.install == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "responde.service"],
    ]
    verifier = shutil.which("systemd-analyze", path="/usr/bin:/bin")
    if verifier:  # systemd's own check of the unit file (syntax, ExecStart executable)
        unit = tmp_path / "responde.service"
        unit.write_bytes(p.content)
        done = subprocess.run([verifier, "verify", str(unit)], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (0, "")


def test_launchd_agent(env: dict[str, str], tmp_path: Path) -> None:
    p = plan("macos", 9000)
    assert p.file == tmp_path / "user" / "Library" / "LaunchAgents" / "org.responde.server.plist"
    logs = tmp_path / "data" / "logs"
    assert plistlib.loads(p.content) == {
        "Label": LABEL,
        "ProgramArguments": [
            sys.executable,
            "-m",
            "proxy",
            "serve",
            "--port",
            "9000",
            "--log-file",
            str(logs / "responde.log"),
        ],
        "WorkingDirectory": str(paths.REPO),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(logs / "launchd.out.log"),
        "StandardErrorPath": str(logs / "launchd.err.log"),
        "ProcessType": "Interactive",
        "EnvironmentVariables": {"RESPONDE_HOME": str(tmp_path / "data")},
    }
    assert p.install == [["launchctl", "bootstrap", f"gui/{os.getuid()}", str(p.file)]]
    assert p.uninstall == [["launchctl", "bootout", f"gui/{os.getuid()}/{LABEL}"]]


def test_windows_task(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("USERDOMAIN", "SHOP-PC")
    monkeypatch.setenv("USERNAME", "Li Wei")
    p = plan("windows", 8765, wsl="Debian")
    assert p.content.startswith(b"\xff\xfe")  # UTF-16 with a byte-order mark, as schtasks /XML reads it
    text = p.content.decode("utf-16")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = ET.fromstring(text.split("?>", 1)[1])
    get = lambda path: task.find(path, NS).text  # noqa: E731
    assert get("t:Triggers/t:LogonTrigger/t:UserId") == "SHOP-PC\\Li Wei"
    assert get("t:Principals/t:Principal/t:LogonType") == "InteractiveToken"
    assert get("t:Principals/t:Principal/t:RunLevel") == "LeastPrivilege"
    assert get("t:Settings/t:ExecutionTimeLimit") == "PT0S"  # never stopped after 72 h
    assert get("t:Settings/t:RestartOnFailure/t:Count") == "3"
    assert get("t:Settings/t:DisallowStartIfOnBatteries") == "false"
    assert get("t:Actions/t:Exec/t:Command") == "wsl.exe"  # the server runs inside WSL (it forks)
    log = tmp_path / "data" / "logs" / "responde.log"
    assert get("t:Actions/t:Exec/t:Arguments") == (
        f"-d Debian --cd {paths.REPO} --exec env RESPONDE_HOME={tmp_path / 'data'} {sys.executable} -m proxy "
        f"serve --port 8765 --log-file {log}"
    )
    assert task.find("t:Actions/t:Exec/t:WorkingDirectory", NS) is None  # a Windows path is not known
    assert p.install[0] == ["schtasks.exe", "/Create", "/TN", "Responde", "/XML", str(p.file), "/F"]
    assert p.uninstall[-1] == ["schtasks.exe", "/Delete", "/TN", "Responde", "/F"]
    monkeypatch.delenv("USERNAME")  # no Windows account known: the task belongs to whoever registers it
    anyone = ET.fromstring(plan("windows", 8765, wsl="Debian").content.decode("utf-16").split("?>", 1)[1])
    assert anyone.find("t:Triggers/t:LogonTrigger/t:UserId", NS) is None


def test_install_writes_the_unit_and_says_what_to_run_without_systemd(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run([*EXE, "service", "install"], env=env, capture_output=True, text=True, check=False)
    unit = tmp_path / "user" / ".config" / "systemd" / "user" / "responde.service"
    assert done.returncode == 1 and unit.exists()
    assert done.stdout.splitlines() == [
        f"Wrote {unit}",
        "Could not register it by itself (systemctl not found); run: systemctl --user daemon-reload && "
        "systemctl --user enable --now responde.service",
    ]
    native = subprocess.run(
        [*EXE, "service", "install", "--os", "windows"], env=env, capture_output=True, text=True, check=False
    )
    assert native.returncode == 2 and "on Windows Responde runs inside WSL" in native.stderr
    other = subprocess.run(
        [*EXE, "service", "install", "--os", "windows", "--wsl", "Debian"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode == 0 and "<Command>wsl.exe</Command>" in other.stdout
    assert "$ schtasks.exe /Run /TN Responde" in other.stdout
    gone = subprocess.run(
        [*EXE, "service", "uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert f"Removed {unit}: Responde no longer starts by itself." in gone.stdout and not unit.exists()
    again = subprocess.run(
        [*EXE, "service", "uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert again.stdout == f"No autostart entry at {unit}: nothing to remove.\n"


def test_the_service_command_serves_and_logs_where_documented(
    env: dict[str, str], tmp_path: Path, models_dir: Path
) -> None:
    port = free_port()
    unit = plan("linux", port).content.decode()
    command = shlex.split(
        next(line for line in unit.splitlines() if line.startswith("ExecStart=")).split("=", 1)[1]
    )
    command[3:3] = ["--models", str(models_dir)]  # after `-m proxy`: reuse the session's trained model
    proc = subprocess.Popen(
        command, env=env, cwd=paths.REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = tmp_path / "data" / "logs" / "responde.log"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                token = (tmp_path / "data" / "token").read_text().strip()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/v1/health", headers={"Authorization": f"Bearer {token}"}
                )
                if urllib.request.urlopen(request, timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the service's command did not start a server")
    finally:
        proc.terminate()
        proc.wait(20)
    text = log.read_text()
    assert f"listening on http://127.0.0.1:{port}" in text and "stopping" in text
    assert oct(log.stat().st_mode & 0o777) == "0o600"
