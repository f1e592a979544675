"""`responde service install|uninstall`: start the server when the agent logs in, as a per-user service.

Linux: a systemd user unit (~/.config/systemd/user/responde.service, `systemctl --user enable --now`).
macOS: a launchd agent (~/Library/LaunchAgents/org.responde.server.plist, `launchctl bootstrap gui/UID`).
Windows: a Task Scheduler task at logon (an XML definition registered with `schtasks /Create /XML`).
Every variant runs `python -m proxy serve --port N --log-file <log>` with this install's Python, restarts
the server if it crashes, and logs to config.log_file()."""

from __future__ import annotations

import argparse
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from proxy import config, paths
from proxy.i18n import cli_lang, tr

LABEL = "org.responde.server"
TASK = "Responde"
SYSTEMCTL = ("systemctl", "--user")
CARRIED_ENV = ("RESPONDE_HOME", "RESPONDE_CONFIG")  # the service uses the same directories as the installer


def current_os() -> str:
    """linux, macos or windows."""
    return {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")


@dataclass(frozen=True)
class Plan:
    """What installing (or removing) the service means on one OS: a file and the commands to run."""

    os: str
    file: Path
    content: bytes
    install: list[list[str]]
    uninstall: list[list[str]]


def command(port: int, log: Path, python: str | None = None) -> list[str]:
    """The server's command line."""
    exe = python or sys.executable
    if current_os() == "windows":  # pythonw: no console window at logon
        quiet = Path(exe).with_name("pythonw.exe")
        exe = str(quiet) if quiet.exists() else exe
    return [exe, "-m", "proxy", "serve", "--port", str(port), "--log-file", str(log)]


def _env() -> dict[str, str]:
    return {k: os.environ[k] for k in CARRIED_ENV if os.environ.get(k)}


def systemd_unit(cmd: list[str], env: dict[str, str], workdir: Path) -> str:
    """A systemd user unit."""
    quoted = " ".join(shlex.quote(part) for part in cmd)
    lines = [
        "[Unit]",
        "Description=Responde, local reply assistant for marketplace agents",
        "",
        "[Service]",
        "Type=simple",
        f"WorkingDirectory={workdir}",
        f"ExecStart={quoted}",
        *(f'Environment="{k}={v}"' for k, v in env.items()),
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def launchd_plist(cmd: list[str], env: dict[str, str], workdir: Path, log: Path) -> bytes:
    """A launchd agent (restarted when it crashes, not when it is stopped on purpose)."""
    data: dict[str, object] = {
        "Label": LABEL,
        "ProgramArguments": cmd,
        "WorkingDirectory": str(workdir),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log.with_name("launchd.out.log")),
        "StandardErrorPath": str(log.with_name("launchd.err.log")),
        "ProcessType": "Interactive",
    }
    if env:
        data["EnvironmentVariables"] = env
    return plistlib.dumps(data)


def windows_task(cmd: list[str], workdir: Path | None, user: str) -> bytes:
    """A Task Scheduler definition: at this user's logon, no time limit, restarted on failure."""
    args = " ".join(f'"{part}"' if " " in part else part for part in cmd[1:])
    who = f"      <UserId>{escape(user)}</UserId>\n" if user else ""  # else: the registering user
    xml = f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Responde, local reply assistant for marketplace agents</Description>
    <URI>\\{TASK}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
{who}    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
{who}      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(cmd[0])}</Command>
      <Arguments>{escape(args)}</Arguments>
{f"      <WorkingDirectory>{escape(str(workdir))}</WorkingDirectory>{chr(10)}" if workdir else ""}    </Exec>
  </Actions>
</Task>
"""
    return xml.encode("utf-16")


def plan(target: str, port: int, wsl: str | None = None) -> Plan:
    """The file and commands for `target` (linux, macos, windows), for this install and user. With `wsl`
    (a WSL distribution's name, the install living inside it), the Windows task starts it through wsl.exe."""
    log = config.log_file()
    cmd, env, workdir = command(port, log), _env(), paths.REPO
    if target == "windows" and wsl:
        inner = [sys.executable, *cmd[1:]]
        cmd = [
            "wsl.exe",
            "-d",
            wsl,
            "--cd",
            str(workdir),
            "--exec",
            "env",
            *(f"{k}={v}" for k, v in env.items()),
        ]
        cmd += inner
    home = Path.home()
    if target == "linux":
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        unit = base / "systemd" / "user" / "responde.service"
        return Plan(
            "linux",
            unit,
            systemd_unit(cmd, env, workdir).encode(),
            [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", unit.name]],
            [
                ["systemctl", "--user", "disable", "--now", unit.name],
                ["systemctl", "--user", "daemon-reload"],
            ],
        )
    if target == "macos":
        agent = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        domain = f"gui/{os.getuid() if hasattr(os, 'getuid') else 501}"
        return Plan(
            "macos",
            agent,
            launchd_plist(cmd, env, workdir, log),
            [["launchctl", "bootstrap", domain, str(agent)]],
            [["launchctl", "bootout", f"{domain}/{LABEL}"]],
        )
    xml = config.config_home() / "responde-task.xml"
    exe = "schtasks.exe" if wsl else "schtasks"  # from inside WSL, Windows programs keep their .exe
    where = _windows_path(xml) if wsl else str(xml)
    return Plan(
        "windows",
        xml,
        windows_task(cmd, None if wsl else workdir, windows_user()),
        [[exe, "/Create", "/TN", TASK, "/XML", where, "/F"], [exe, "/Run", "/TN", TASK]],
        [[exe, "/End", "/TN", TASK], [exe, "/Delete", "/TN", TASK, "/F"]],
    )


def _ask_windows(cmd: list[str]) -> str:
    """A Windows program's answer, from inside WSL (empty when there is no Windows to ask)."""
    if shutil.which(cmd[0]) is None:
        return ""
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def windows_user() -> str:
    """DOMAIN\\user of the Windows account (asked of cmd.exe from inside WSL)."""
    name = os.environ.get("USERNAME")
    if name:
        return f"{os.environ.get('USERDOMAIN', '')}\\{name}".strip("\\")
    return _ask_windows(["cmd.exe", "/d", "/c", "echo %USERDOMAIN%\\%USERNAME%"])


def _windows_path(path: Path) -> str:
    return _ask_windows(["wslpath", "-w", str(path)]) or str(path)


def _run(commands: list[list[str]]) -> str | None:
    """Run the commands in order; the first problem, or None when all went well."""
    for cmd in commands:
        if shutil.which(cmd[0]) is None:
            return f"{cmd[0]} not found"
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode and "/End" not in cmd:  # ending a task that is not running is fine
            return (done.stderr or done.stdout).strip() or f"{cmd[0]} exited {done.returncode}"
    return None


def cmd_service(args: argparse.Namespace) -> int:
    """Install or remove the autostart entry (or, with --dry-run or another --os, only show it)."""
    lang = cli_lang()
    target = args.os or current_os()
    if target == "windows" and not args.wsl:  # the server forks its workers: Windows runs it inside WSL
        print(f"responde service: {tr(lang, 'service_needs_wsl')}", file=sys.stderr)
        return 2
    p = plan(target, args.port, args.wsl)
    from_wsl = target == "windows" and current_os() == "linux" and shutil.which("schtasks.exe") is not None
    show_only = args.dry_run or (target != current_os() and not from_wsl)
    steps = p.install if args.action == "install" else p.uninstall
    if show_only:
        print(f"# {p.file}")
        print(p.content.decode("utf-16" if target == "windows" else "utf-8"))
        print("\n".join("$ " + shlex.join(c) for c in steps))
        return 0
    if args.action == "install":
        config.log_file().parent.mkdir(parents=True, exist_ok=True)
        p.file.parent.mkdir(parents=True, exist_ok=True)
        p.file.write_bytes(p.content)
        print(tr(lang, "service_written", file=p.file))
        problem = _run(steps)
        if problem:
            print(tr(lang, "service_manual", error=problem, command=" && ".join(map(shlex.join, steps))))
            return 1
        print(tr(lang, "service_started", log=config.log_file()))
        return 0
    if not p.file.exists():
        print(tr(lang, "service_absent", file=p.file))
        return 0
    problem = _run(steps)
    p.file.unlink()
    print(tr(lang, "service_removed", file=p.file))
    if problem:
        print(tr(lang, "service_manual", error=problem, command=" && ".join(map(shlex.join, steps))))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `responde service`."""
    s = sub.add_parser("service", help="start Responde when you log in (systemd, launchd, Task Scheduler)")
    s.add_argument("action", choices=["install", "uninstall"])
    s.add_argument("--port", type=int, default=paths.DEFAULT_PORT)
    s.add_argument("--os", choices=["linux", "macos", "windows"], help="show the entry for another system")
    s.add_argument("--dry-run", action="store_true", help="show the file and commands, change nothing")
    s.add_argument(
        "--wsl",
        metavar="DISTRO",
        help="Windows: Responde is installed in this WSL distribution (wsl.exe starts it)",
    )
    s.set_defaults(func=cmd_service)
