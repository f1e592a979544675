"""The `responde` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SHARED
from live import ServeProcess, cli, small_corpus

from proxy import cli_data, paths
from proxy.engine import Engine
from proxy.evaluate import predict_rows, report
from proxy.nlp import dataset
from proxy.store import Store

EXE = [sys.executable, "-m", "proxy"]


def run(
    args: list[str], models: Path, home: Path, stdin: str = "", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return cli(args, home, models, stdin, timeout)


def test_classify_jsonl(models_dir: Path, tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "text": "cadê meu estorno?", "site": "shopee.com.br"},
        {"id": 7, "text": "do you ship to Canada?"},
        {"text": ""},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n{broken\n"
    out = run(["classify"], models_dir, tmp_path, stdin)
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert out.returncode == 1 and "2 line(s) could not be read" in out.stderr
    assert rows[0]["id"] == "a1" and rows[0]["intents"][0]["id"] == "refund"
    assert rows[0]["handoff"]["required"] is True and rows[0]["language"]["locale"] == "pt-BR"
    assert rows[1]["id"] == 7 and rows[1]["intents"][0]["id"] == "shipping_info"
    assert rows[2] == {"line": 3, "error": "text: String should have at least 1 character"}
    assert rows[0]["setup_required"] is True and rows[0]["suggestions"] == []  # no demo store replies
    assert "Not set up yet: the panel shows no replies until you run `responde setup`" in out.stderr
    assert rows[3]["line"] == 4 and "Invalid JSON" in rows[3]["error"]


def test_eval_report(models_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "small.jsonl"
    rows = [
        {
            "text": "tiene stock?",
            "lang": "es",
            "locale": "es-CL",
            "site": "mercadolibre.cl",
            "intents": ["availability"],
        },
        {
            "text": "DEVOLVE MEU DINHEIRO!!!",
            "lang": "pt",
            "locale": "pt-BR",
            "intents": ["refund"],
            "negative": True,
        },
        {"text": "where is my order?", "lang": "en", "locale": "en-US", "intents": ["order_status"]},
        {"text": "<b>{order_id}</b> dónde está mi paquete", "lang": "es", "intents": ["invoice"]},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = tmp_path / "report.json"
    html = tmp_path / "report.html"
    out = run(["eval", str(data), "--json", str(report), "--html", str(html)], models_dir, tmp_path)
    assert out.returncode == 0, out.stderr
    rep = json.loads(report.read_text())
    assert (rep["n"], rep["accuracy"], rep["language_accuracy"], rep["handoff_recall"]) == (4, 0.75, 1.0, 1.0)
    assert "macro-F1" in out.stdout
    page = html.read_text()
    assert (
        page.count("<svg") == 3 and "<script" not in page and "http" not in page.replace("http://www.w3", "")
    )
    assert "&lt;b&gt;{order_id}&lt;/b&gt; dónde está mi paquete" in page  # the worst errors, escaped


def test_eval_measures_the_answers_the_server_gives(engine: Engine, models_dir: Path, tmp_path: Path) -> None:
    """`responde eval` reads with the sentence encoder loaded, as the server does a second after it starts:
    its report is the one of the engine that serves (it read with the cheap heads alone before 2026-12-06,
    2 of the sample's 66 messages without their second stage)."""
    rules = engine.rules
    sample = dataset.load(paths.SAMPLE_LABELLED, rules.intents, cli_data.lang_of)
    served = report(predict_rows(engine, sample))
    out = run(["eval", "--json", str(tmp_path / "r.json")], models_dir, tmp_path)
    assert out.returncode == 0, out.stderr
    measured = json.loads((tmp_path / "r.json").read_text())
    assert served["embedding_share"] > 0
    assert measured == {**json.loads(json.dumps(served)), "mode": "the model in use"}


def test_eval_bad_file_says_where(models_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "hola", "intents": ["greeting"]}\n{"text": "x", "intents": ["nope"]}\n')
    out = run(["eval", str(data)], models_dir, tmp_path)
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        f"responde: 1 problem(s) in {data}; nothing was evaluated:",
        f"  {data}:2: unknown intent(s) ['nope'] (see rules/intents/)",
    ]


def test_token_is_private_and_rotates(tmp_path: Path) -> None:
    first = run(["token"], tmp_path, tmp_path / "home").stdout.strip()
    again = run(["token"], tmp_path, tmp_path / "home").stdout.strip()
    rotated = run(["token", "--rotate"], tmp_path, tmp_path / "home").stdout.strip()
    assert len(first) >= 40 and first == again and rotated != first
    assert stat.S_IMODE((tmp_path / "home" / "token").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700


def test_serve_answers_for_real(models_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, RESPONDE_HOME=str(tmp_path))
    proc = subprocess.Popen(
        [*EXE, "--models", str(models_dir), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = tmp_path / "token"
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/v1/analyze",
                    data=json.dumps(
                        {"text": "quiero cancelar mi compra", "site": "mercadolibre.com.co"}
                    ).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {token.read_text().strip()}",
                        "Origin": f"chrome-extension://{paths.extension_id()}",
                    },
                )
                body = json.loads(urllib.request.urlopen(req, timeout=5).read())
            except OSError:
                time.sleep(0.2)
        assert body is not None, "server never answered"
        assert body["intents"][0]["id"] == "cancel_order" and body["language"]["locale"] == "es-CO"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"Responde listening on http://127.0.0.1:{port}" in out
    assert "cancelar" not in out  # buyer text is never logged


def test_refuses_non_loopback(tmp_path: Path) -> None:
    out = run(["serve", "--host", "0.0.0.0"], tmp_path, tmp_path)
    assert out.returncode == 2 and "refusing to bind outside loopback" in out.stderr


@pytest.mark.parametrize("broken", ["templates: [", "id: refund\n"])
def test_serve_refuses_broken_rules(tmp_path: Path, broken: str) -> None:

    rules = tmp_path / "rules"
    shutil.copytree(paths.RULES_DIR, rules)
    (rules / "intents" / "refund.yaml").write_text(broken)
    out = subprocess.run(
        [*EXE, "--rules", str(rules), "serve"],
        capture_output=True,
        text=True,
        env=dict(os.environ, RESPONDE_HOME=str(tmp_path)),
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("responde: invalid rules:") and "refund.yaml" in out.stderr
    assert "Traceback" not in out.stderr


def test_stats_export_forget_and_train_with_corrections(
    models_dir: Path, tmp_path: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESPONDE_HOME", str(tmp_path))
    store = Store(paths.database_path(), paths.store_key())
    for text, buyer in (("y la boleta??", "Ana"), ("cuando llega", "Bruno")):
        result = engine.analyze(text, "mercadolibre.cl", None, {"buyer_name": buyer})
        store.record_analysis(result, text, "mercadolibre.cl", {"buyer_name": buyer})
        if buyer == "Ana":
            store.record_feedback(result["trace_id"], "corrected", None, "invoice", None)
            store.record_feedback(
                result["trace_id"], "edited", None, None, "Hola Ana, te la envío hoy mismo."
            )
    store.close()
    stats = run(["stats"], models_dir, tmp_path)
    assert stats.returncode == 0 and stats.stdout.startswith("messages 2   hand-offs ")
    assert "actions:  corrected 1, edited 1" in stats.stdout
    exported = json.loads(run(["export"], models_dir, tmp_path).stdout)
    assert [len(exported["analyses"]), len(exported["feedback"])] == [2, 2]
    out = tmp_path / "candidates.yaml"
    trained = run(["train", "--candidates", str(out)], tmp_path / "models", tmp_path)
    assert "and 1 agent corrections" in trained.stdout, trained.stderr
    assert f"1 template candidates from agents' sent replies: review {out}" in trained.stdout
    assert yaml.safe_load(out.read_text()) == {
        "invoice": {
            "es-CL": [{"text": "Hola {buyer_name}, te la envío hoy mismo.", "gloss_zh": "TODO 中文说明"}]
        }
    }
    assert run(["forget"], models_dir, tmp_path).returncode == 2
    assert run(["forget", "--all"], models_dir, tmp_path).returncode == 2  # not without a confirmation
    assert (
        run(["forget", "--buyer", "ana"], models_dir, tmp_path).stdout
        == "forgot 1 analyses (and their feedback)\n"
    )
    assert json.loads(run(["export"], models_dir, tmp_path).stdout)["feedback"] == []


@pytest.mark.parametrize("name", ["data.jsonl", "data.csv", "nlu.yml"])
def test_dataset_export_round_trips_into_eval(models_dir: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    done = run(["dataset", str(out), "--no-corrections"], models_dir, tmp_path)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split()[1])
    assert count > 3000
    assert len(dataset.load(out, None, lambda text: "es")) == count


def test_reload_swaps_rules_reports_and_keeps_serving_when_they_break(
    models_dir: Path, tmp_path: Path
) -> None:
    server = ServeProcess(tmp_path / "home", models_dir)
    try:

        def greeting_reply() -> str:
            status, out = server.request(
                "POST", "/v1/analyze", {"text": "hola buenas", "site": "mercadolibre.com.mx"}
            )
            assert status == 200
            return str(out["suggestions"][0]["text"])

        assert "Tienda Demo" in greeting_reply()
        store = server.home / "config" / "rules" / "store.yaml"  # the user's layer, as setup writes it
        store.write_text("store_name: Casa Lupita\n")
        reload = subprocess.run([*EXE, "reload"], env=server.env, capture_output=True, text=True, check=False)
        assert (reload.returncode, reload.stdout) == (
            0,
            "The server reloaded: it now uses the current rules and model.\n",
        ), reload.stderr
        assert "Casa Lupita" in greeting_reply()  # reload returned only once the new rules serve
        store.write_text("store_name: Casa Lupita\nreturn_days: -3\n")
        broken = subprocess.run([*EXE, "reload"], env=server.env, capture_output=True, text=True, check=False)
        assert broken.returncode == 1
        assert broken.stderr.startswith("responde reload: The running server kept its previous rules: ")
        assert f"{store}:2: return_days: Input should be greater than or equal to 0" in broken.stderr
        assert "Casa Lupita" in greeting_reply()  # the broken file was refused, the old rules still serve
    finally:
        log = server.stop()
    assert "reload failed, still serving the previous rules and model" in log and "store.yaml" in log
    gone = run(["reload"], models_dir, tmp_path / "nohome")
    assert gone.returncode == 1 and "No running server found" in gone.stderr


def test_classify_says_it_trains_first_and_keeps_stdout_json(tmp_path: Path) -> None:
    """A first classify trains the model (minutes on the shipped corpus): never in silence, as if it hung."""
    corpus = small_corpus(tmp_path / "corpus")
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(RESPONDE_HOME=str(tmp_path / "home"), LANG="C.UTF-8")
    done = subprocess.run(
        [*EXE, "--models", str(tmp_path / "models"), "--corpus", str(corpus), "classify"],
        input=json.dumps({"id": 1, "text": "do you ship to Canada?"}) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Training the intent model (first start only): 1/5 steps" in done.stderr
    assert "Trained the intent model in " in done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [1]


# Six 5,000-character messages a buyer could send, each with a thread of two more and every context field
# filled from it: e-mail, phone and spelled-out e-mail fragments, an address shape, and a ligature that NFKC
# turns into 18 characters. Each shape through the whole job took under 0.6 s (2026-12-05, with 1,346
# others: the shapes `test_patterns` builds from every pattern, at 5,000 characters).
ADVERSARIAL = ["a@", "x@y.", "+55 (11) 9", "juan arroba gmail punto ", "Rua das Flores 1-", "\ufdfa"]


def test_classify_reads_adversarial_messages_in_bounded_time(models_dir: Path, tmp_path: Path) -> None:
    """With the model trained, the six take about 2 s start-up included; the bound of 40 s is a guard
    against a pattern or a loop that blows up on such input, not a speed target (a first run, which trains
    the model, takes minutes: `test_classify_says_it_trains_first_and_keeps_stdout_json`)."""
    lines = []
    for n, unit in enumerate(ADVERSARIAL):
        text = (unit * 5000)[:5000]
        context = {"buyer_name": text[:80], "product": text[:200], "city": text[:80], "order_id": text[:64]}
        thread = [{"author": "seller", "text": text}, {"author": "buyer", "text": text}]
        lines.append(json.dumps({"id": n, "text": text, "context": context, "thread": thread}))
    out = run(["classify", "--workers", "2"], models_dir, tmp_path, "\n".join(lines) + "\n", timeout=40)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [row["id"] for row in rows] == list(range(6)) and all("intents" in row for row in rows)


def test_classify_after_the_tests_uses_the_built_model(models_dir: Path, tmp_path: Path) -> None:
    """`responde classify` as a user or a checker runs it after `make test`: an empty RESPONDE_HOME, no
    --models. The test session trained the shipped model into the installation's built models (`models_dir`
    in conftest), so the six attack messages are answered without training (which takes minutes)."""
    lines = [json.dumps({"id": n, "text": (unit * 5000)[:5000]}) for n, unit in enumerate(ADVERSARIAL)]
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(RESPONDE_HOME=str(tmp_path / "home"), LANG="C.UTF-8")
    stdin = "\n".join(lines) + "\n"
    out = subprocess.run(
        [*EXE, "classify"], input=stdin, capture_output=True, text=True, env=env, timeout=40, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "Training" not in out.stderr and "Trained" not in out.stderr
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == list(range(6))
    [copied] = (tmp_path / "home" / "models").glob("model-*.npz")
    assert copied.read_bytes() == (paths.built_models_dir() / copied.name).read_bytes()


def test_classify_answers_the_same_on_one_core_and_on_two(models_dir: Path, tmp_path: Path) -> None:
    """One worker used to leave the sentence encoder unloaded: the messages the cheap model is unsure of then
    got the cheap model's answer, and the output depended on --workers."""
    texts = [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").read_text("utf-8").splitlines()]
    pick = random.Random(3)  # two dev messages in one: the model trained on each, unsure of many pairs
    pairs = [f"{pick.choice(texts)} {pick.choice(texts)}" for _ in range(240)]
    stdin = "".join(json.dumps({"id": n, "text": t}) + "\n" for n, t in enumerate(pairs))

    def answers(workers: str) -> list[dict[str, Any]]:
        out = run(["classify", "--workers", workers], models_dir, tmp_path, stdin)
        assert out.returncode == 0, out.stderr
        rows = [json.loads(line) for line in out.stdout.splitlines()]
        return [{k: v for k, v in row.items() if k != "trace_id"} for row in rows]

    one = answers("1")
    assert len(one) == 240 and one == answers("2")
