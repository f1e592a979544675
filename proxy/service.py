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


def windows_task(cmd: list[str], workdir: Path, user: str) -> bytes:
    """A Task Scheduler definition: at this user's logon, no time limit, restarted on failure."""
    args = " ".join(f'"{part}"' if " " in part else part for part in cmd[1:])
    xml = f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Responde, local reply assistant for marketplace agents</Description>
    <URI>\\{TASK}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>{escape(user)}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{escape(user)}</UserId>
      <LogonType>InteractiveToken</LogonType>
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
      <WorkingDirectory>{escape(str(workdir))}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
"""
    return xml.encode("utf-16")


def plan(target: str, port: int) -> Plan:
    """The file and commands for `target` (linux, macos, windows), for this install and user."""
    log = config.log_file()
    cmd, env, workdir = command(port, log), _env(), paths.REPO
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
    user = f"{os.environ.get('USERDOMAIN', '')}\\{os.environ.get('USERNAME', '')}".strip("\\")
    xml = config.config_home() / "responde-task.xml"
    return Plan(
        "windows",
        xml,
        windows_task(cmd, workdir, user or "%USERNAME%"),
        [["schtasks", "/Create", "/TN", TASK, "/XML", str(xml), "/F"], ["schtasks", "/Run", "/TN", TASK]],
        [["schtasks", "/End", "/TN", TASK], ["schtasks", "/Delete", "/TN", TASK, "/F"]],
    )


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
    p = plan(target, args.port)
    show_only = args.dry_run or target != current_os()
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
    s.set_defaults(func=cmd_service)
