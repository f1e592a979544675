"""`responde team join|sync|leave`: a team's shared pack in git (rules, templates, store facts under
`rules/`, laid over each agent's own settings) and the agents' redacted intent corrections, one file per
agent (`corrections/<agent>.jsonl`, appended only by that agent, so pushes never conflict), which
`responde train` learns from through the same gate as the agent's own."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from proxy import config, reload_status
from proxy.i18n import cli_lang, tr
from proxy.nlp.corpus import Example
from proxy.redact import redact
from proxy.rules.loader import RulesError, load_rules

AGENT = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
PUSH_TRIES = 5


class TeamError(RuntimeError):
    """A git step failed or the pack is unusable; the message is for the agent."""


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git; its output, or a TeamError with git's own message."""
    if shutil.which("git") is None:
        raise TeamError(tr(cli_lang(), "team_no_git"))
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")  # never hang on a password prompt
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        error = (done.stderr or done.stdout).strip().splitlines()
        raise TeamError(tr(cli_lang(), "team_git_failed", command=args[0], error=error[-1] if error else "?"))
    return done.stdout.strip()


def joined() -> dict[str, str] | None:
    """{'url', 'agent'} of the team pack this install joined, or None."""
    found = config.read_settings().get("team")
    if isinstance(found, dict) and config.team_dir().is_dir():
        return {"url": str(found.get("url")), "agent": str(found.get("agent"))}
    return None


def _check(base: Path, pack: Path) -> None:
    """Refuse a pack whose rules, laid over the agent's, are invalid (RulesError names file and line)."""
    user = [config.user_rules_dir()] if config.user_rules_dir().is_dir() else []
    rules = pack / "rules"
    load_rules(base, [*user, *([rules] if rules.is_dir() else [])])


def _remove(path: Path) -> None:
    def writable(func: Any, target: str, _exc: Any) -> None:  # git's objects are read-only on Windows
        os.chmod(target, stat.S_IWRITE)
        func(target)

    shutil.rmtree(path, onerror=writable)  # noqa: B028 - onexc is 3.12+


def join(base: Path, url: str, agent: str) -> None:
    """Clone the pack, check its rules, and make it the third layer."""
    lang = cli_lang()
    if not AGENT.match(agent):
        raise TeamError(tr(lang, "team_bad_agent", agent=agent))
    current = joined()
    if current:
        raise TeamError(tr(lang, "team_already", url=current["url"]))
    if config.team_dir().exists():
        _remove(config.team_dir())
    source = str(Path(url).resolve()) if Path(url).exists() else url
    with tempfile.TemporaryDirectory(dir=config.config_home()) as tmp:
        clone = Path(tmp) / "team"
        git("clone", "--quiet", source, str(clone))
        _check(base, clone)
        git("config", "user.name", agent, cwd=clone)
        git("config", "user.email", f"{agent}@responde.invalid", cwd=clone)
        os.replace(clone, config.team_dir())
    config.update_settings(team={"url": source, "agent": agent})


def _own_file(agent: str) -> Path:
    return config.team_dir() / "corrections" / f"{agent}.jsonl"


def _ids(path: Path) -> set[str]:
    found = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                found.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return found


def new_corrections(store: Any, agent: str) -> list[dict[str, Any]]:
    """The local store's corrections not yet in the agent's team file, redacted once more."""
    if store is None:
        return []
    shared = _ids(_own_file(agent))
    out = []
    for row in store.correction_rows():
        ident = store.hasher(row["trace_id"])
        if ident in shared:
            continue
        line = {
            "id": ident,
            "text": redact(row["text"]),
            "lang": row["lang"],
            "locale": row["locale"],
            "site": row["site"],
            "intents": [row["intent"]],
            "agent": agent,
            "date": str(row["ts"])[:10],
        }
        out.append({k: v for k, v in line.items() if v is not None})
    return out


def _push(repo: Path) -> None:
    """Push; when a teammate pushed first, replay our commit on theirs (other files: no conflict)."""
    for _ in range(PUSH_TRIES):
        try:
            git("push", "--quiet", "origin", "HEAD", cwd=repo)
            return
        except TeamError:
            git("pull", "--quiet", "--rebase", cwd=repo)
    git("push", "--quiet", "origin", "HEAD", cwd=repo)


def sync(base: Path, store: Any) -> dict[str, Any]:
    """Pull the pack (kept at the old version if its new rules are invalid), share new corrections."""
    team = joined()
    if team is None:
        raise TeamError(tr(cli_lang(), "team_not_joined"))
    repo, agent = config.team_dir(), team["agent"]
    before = git("rev-parse", "HEAD", cwd=repo)
    git("pull", "--quiet", "--rebase", cwd=repo)
    try:
        _check(base, repo)
    except RulesError:
        git("reset", "--quiet", "--hard", before, cwd=repo)
        raise
    changed = git("diff", "--name-only", before, "HEAD", "--", "rules", cwd=repo).splitlines()
    lines = new_corrections(store, agent)
    if lines:
        own = _own_file(agent)
        own.parent.mkdir(exist_ok=True)
        with own.open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        git("add", str(own.relative_to(repo)), cwd=repo)
        git("commit", "--quiet", "-m", f"corrections: {agent} +{len(lines)}", cwd=repo)
        _push(repo)
    files = sorted((repo / "corrections").glob("*.jsonl")) if (repo / "corrections").is_dir() else []
    total = sum(len(_ids(path)) for path in files)
    return {
        "changed": len(changed),
        "shared": len(lines),
        "file": _own_file(agent),
        "total": total,
        "agents": len(files),
    }


def corrections(known: set[str]) -> list[Example]:
    """Teammates' corrections (not this agent's own: those are in the local store), bad lines skipped."""
    team = joined()
    folder = config.team_dir() / "corrections"
    if team is None or not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.stem == team["agent"]:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                text, intents = row["text"], row["intents"]
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(text, str) and text and intents and intents[0] in known:
                out.append(Example(text, str(row.get("lang") or ""), (str(intents[0]),)))
    return out


def cmd_team(args: argparse.Namespace) -> int:
    """`responde team join|sync|leave`."""
    from proxy.cli_data import existing_store

    lang = cli_lang()
    try:
        if args.team_command == "join":
            agent = args.agent or config.read_settings().get("agent") or getpass.getuser()
            join(args.rules, args.url, str(agent))
            print(tr(lang, "team_joined", url=args.url, agent=agent))
        elif args.team_command == "sync":
            done = sync(args.rules, existing_store(args))
            print(tr(lang, "team_synced", changed=done["changed"], n=done["shared"], file=done["file"]))
            print(tr(lang, "team_total", total=done["total"], agents=done["agents"]))
            if not done["changed"]:
                return 0
        else:
            current = joined()
            if config.team_dir().exists():
                _remove(config.team_dir())
            config.update_settings(team=None)
            print(tr(lang, "team_left" if current else "team_not_joined"))
    except TeamError as exc:
        print(f"responde team: {exc}", file=sys.stderr)
        return 1
    except RulesError as exc:
        print(f"responde team: {tr(lang, 'team_invalid')}\n  " + "\n  ".join(exc.problems), file=sys.stderr)
        return 2
    outcome = reload_status.request_reload()
    if outcome is not None:
        print(tr(lang, "reloaded") if outcome.ok else tr(lang, "reload_failed", error=outcome.error))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `responde team`."""
    t = sub.add_parser("team", help="share rules and corrections with your team through git")
    verbs = t.add_subparsers(dest="team_command", required=True)
    j = verbs.add_parser("join", help="use a team pack (git URL or path) as a rules layer")
    j.add_argument("url")
    j.add_argument("--agent", help="your name in the team (default: your login name)")
    verbs.add_parser("sync", help="pull the team pack and share your new corrections")
    verbs.add_parser("leave", help="stop using the team pack")
    t.set_defaults(func=cmd_team)
