"""A team of three agents sharing one pack through git: a local bare repository, three agents' homes, real
`responde team join|sync`, real concurrent pushes, and `responde train` learning from everyone's
corrections through the usual gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from live import cli

from proxy import paths
from proxy.store import Store

EXE = [sys.executable, "-m", "proxy"]
GIT_ID = ["-c", "user.name=Lead", "-c", "user.email=lead@example.invalid"]
PII = ("123.456.789-09", "98765-4321", "ana.souza@gmail.com", "Bruno Lima", "+52 55 1234 5678")
# agent -> messages (with personal data in them) and the intent the agent corrected each to
CORRECTIONS = {
    "ana": [
        ("meu CPF é 123.456.789-09, cadê a nota?", "mercadolivre.com.br", "invoice"),
        ("me liga no (11) 98765-4321 quando sair pra entrega", "mercadolivre.com.br", "order_status"),
    ],
    "bruno": [
        (
            "sou o Bruno Lima, escreve pra ana.souza@gmail.com se tiver na cor azul",
            "shopee.com.br",
            "variant",
        ),
    ],
    "chen": [
        ("mi número es +52 55 1234 5678, ¿lo mandan hoy?", "mercadolibre.com.mx", "order_status"),
        ("¿aceptan transferencia o solo tarjeta?", "mercadolibre.com.mx", "payment"),
        ("se me hace caro, ¿qué precio me das por dos?", "mercadolibre.com.mx", "price_offer"),
    ],
}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def responde(home: Path, models: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(list(args), home, models)


def push_rules(remote: Path, work: Path, files: dict[str, str], message: str) -> None:
    """The team lead edits the pack and pushes."""
    if work.exists():
        git("pull", "--quiet", "--rebase", cwd=work)  # the agents pushed corrections meanwhile
    else:
        git("clone", "--quiet", str(remote), str(work))
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", message, cwd=work)
    git("push", "--quiet", "origin", "HEAD", cwd=work)


@pytest.fixture()
def team(tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A bare team repository with a pack, and three agents' homes, each with its own store of
    corrections (recorded as the server records them)."""
    remote = tmp_path / "team.git"
    git("init", "--quiet", "--bare", "-b", "main", str(remote))
    push_rules(
        remote,
        tmp_path / "lead",
        {
            "rules/store.yaml": "store_name: Loja da Equipe\nreturn_days: 60\n",
            "rules/intents/thanks.yaml": "templates:\n  pt-BR:\n  - text: Valeu, {buyer_name}! Conte com a "
            "gente.\n    gloss_zh: 谢谢！随时为您服务。\n",
            "README.md": "Our team's Responde pack.\n",
        },
        "team pack",
    )
    homes = {}
    for agent, rows in CORRECTIONS.items():
        home = homes[agent] = tmp_path / agent
        monkeypatch.setenv("RESPONDE_HOME", str(home))
        store = Store(paths.database_path(), paths.store_key())
        for text, site, right in rows:
            page = {"buyer_name": "Bruno Lima" if "Bruno" in text else "Maria Souza"}  # as the page shows it
            result = engine.analyze(text, site, None, page)
            store.record_analysis(result, text, site, page)
            store.record_feedback(result["trace_id"], "corrected", None, right, None)
        store.close()
    monkeypatch.delenv("RESPONDE_HOME")
    return {"remote": remote, "lead": tmp_path / "lead", **homes}


def test_three_agents_share_rules_and_corrections(
    team: dict[str, Path], models_dir: Path, tmp_path: Path
) -> None:
    for agent in CORRECTIONS:
        joined = responde(team[agent], models_dir, "team", "join", str(team["remote"]), "--agent", agent)
        assert joined.stdout.startswith(f"Joined the team pack {team['remote']} as agent {agent};"), (
            joined.stderr
        )
    shown = responde(team["bruno"], models_dir, "config").stdout
    pack = team["bruno"] / "config" / "team" / "rules" / "store.yaml"
    assert "Setup: done" in shown and f"team pack           {pack}" in shown
    assert "intents/thanks.yaml:templates.pt-BR" in shown

    # All three share at once: each appends to its own file, so the pushes never conflict.
    env = {a: dict(os.environ, RESPONDE_HOME=str(team[a]), LANG="C.UTF-8") for a in CORRECTIONS}
    procs = {
        a: subprocess.Popen(
            [*EXE, "--models", str(models_dir), "team", "sync"],
            env=env[a],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in CORRECTIONS
    }
    results = {a: p.communicate(timeout=120) for a, p in procs.items()}
    for agent, (out, err) in results.items():
        assert procs[agent].returncode == 0, err
        assert f"Shared {len(CORRECTIONS[agent])} new corrections in " in out

    check = tmp_path / "check"
    git("clone", "--quiet", str(team["remote"]), str(check))
    files = sorted(p.name for p in (check / "corrections").iterdir())
    assert files == ["ana.jsonl", "bruno.jsonl", "chen.jsonl"]
    for agent, rows in CORRECTIONS.items():
        lines = [json.loads(x) for x in (check / "corrections" / f"{agent}.jsonl").read_text().splitlines()]
        assert [x["intents"] for x in lines] == [[right] for _, _, right in rows]
        assert all(x["agent"] == agent and len(x["id"]) == 32 and x["text"] for x in lines)
    shared = "".join(p.read_text() for p in (check / "corrections").iterdir())
    assert [pii for pii in PII if pii in shared] == []  # redacted before it left the machine
    assert "[cpf]" in shared and "[email]" in shared and "[phone]" in shared
    log = git("log", "--format=%an %s", cwd=check).splitlines()
    assert sorted(log) == [
        "Lead team pack",
        "ana corrections: ana +2",
        "bruno corrections: bruno +1",
        "chen corrections: chen +3",
    ]

    again = responde(team["ana"], models_dir, "team", "sync")
    assert "Shared 0 new corrections" in again.stdout  # nothing is shared twice
    assert "The team has 6 corrections from 3 agents" in again.stdout

    # The lead changes the pack; an agent's sync brings it in, a broken change is refused.
    push_rules(
        team["remote"],
        team["lead"],
        {"rules/store.yaml": "store_name: Loja da Equipe\nreturn_days: 90\n"},
        "90 days",
    )
    synced = responde(team["bruno"], models_dir, "team", "sync")
    assert synced.stdout.startswith("Team pack up to date (1 rule files changed).")
    assert "return_days                90 " in responde(team["bruno"], models_dir, "config").stdout
    push_rules(team["remote"], team["lead"], {"rules/store.yaml": "store_name: ''\n"}, "oops")
    refused = responde(team["bruno"], models_dir, "team", "sync")
    assert refused.returncode == 2 and "The team pack's rules are not valid" in refused.stderr
    assert "team/rules/store.yaml:1: store_name: String should have at least 1 character" in refused.stderr
    assert "return_days                90 " in responde(team["bruno"], models_dir, "config").stdout

    # Ana's model learns from the whole team's corrections, through the same gate as her own.
    models = tmp_path / "models"
    shutil.copytree(models_dir, models)  # the corpus model is already trained: only the candidate trains
    trained = responde(team["ana"], models, "train")
    assert trained.returncode == 0, trained.stderr
    assert "extra examples and 6 agent corrections" in trained.stdout  # 2 her own + 4 from the team
    assert "held out: " in trained.stdout


def test_team_commands_explain_what_is_wrong(tmp_path: Path, models_dir: Path) -> None:
    home = tmp_path / "home"
    assert responde(home, models_dir, "team", "sync").stderr == (
        "responde team: You are not in a team: run `responde team join <git-url-or-path>` first\n"
    )
    missing = responde(home, models_dir, "team", "join", str(tmp_path / "nowhere.git"), "--agent", "ana")
    assert missing.returncode == 1 and missing.stderr.startswith("responde team: git clone failed: ")
    bad = responde(home, models_dir, "team", "join", str(tmp_path), "--agent", "ana/../x")
    assert "agent name 'ana/../x': use letters, digits" in bad.stderr
    assert not (home / "config" / "team").exists()
