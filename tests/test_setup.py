"""`responde setup` and the layered configuration, as a new seller meets them: real processes, real files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from live import ServeProcess, cli

from proxy import config, paths
from proxy.cli_config import pad
from proxy.rules.loader import RulesError, load_rules

EXE = [sys.executable, "-m", "proxy"]
PT_RETURN = {"text": "Oi! Comprei e não serviu, posso devolver?", "site": "www.mercadolivre.com.br"}


responde = cli


def checkout_state() -> tuple[str, str]:
    """`git status` of the checkout and a digest of every file under rules/ and corpus/."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=paths.REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    digest = hashlib.sha256()
    for path in sorted([*paths.RULES_DIR.rglob("*"), *paths.CORPUS_DIR.rglob("*")]):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return status, digest.hexdigest()


def test_setup_yes_then_a_pt_br_return_question_names_the_store_and_45_days(
    models_dir: Path, tmp_path: Path
) -> None:
    before = checkout_state()
    home = tmp_path / "home"
    done = responde(
        ["setup", "--yes", "--store-name", "Casa Lupita", "--return-days", "45"], home, models_dir
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"Saved your store's settings to {home / 'config' / 'rules' / 'store.yaml'}\n"
    )
    out = responde(["classify"], home, models_dir, json.dumps(PT_RETURN) + "\n")
    answer = json.loads(out.stdout)
    assert answer["intents"][0]["id"] == "return_exchange" and answer["language"]["locale"] == "pt-BR"
    assert answer["setup_required"] is False
    first = answer["suggestions"][0]["text"]
    assert "Casa Lupita" in first and "45 dias" in first, first
    assert "Tienda Demo" not in out.stdout
    written = sorted(str(p.relative_to(home)) for p in (home / "config").rglob("*") if p.is_file())
    assert written == ["config/rules/hours.yaml", "config/rules/store.yaml", "config/settings.yaml"]
    store = yaml.safe_load((home / "config" / "rules" / "store.yaml").read_text())
    assert (store["store_name"], store["return_days"]) == ("Casa Lupita", 45)
    assert oct((home / "config" / "rules" / "store.yaml").stat().st_mode & 0o777) == "0o600"
    assert checkout_state() == before  # the checkout is untouched


ANSWERS_ZH = [
    "1",  # language: 中文
    "",  # store name: no default yet, asked again
    "Loja do Sol",
    "1,9",  # markets: there is no 9th
    "1,3",
    "abc",  # return days: not a number
    "30",
    "",  # warranty: keep
    "",  # handling: keep
    "7-3",  # Mercado Libre delivery: backwards
    "2-5",
    "10-20",  # Shopee
    "",  # invoice hours: keep
    "Mars/Base",
    "Asia/Shanghai",
    "",  # weekdays: keep
    "closed",
    "",
]


def test_interactive_setup_in_chinese_explains_and_asks_again(models_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = responde(["setup"], home, models_dir, "\n".join(ANSWERS_ZH) + "\n")
    assert done.returncode == 0, done.stderr
    shown = done.stdout
    for text in (
        "Language / 语言 / Idioma: 1 中文  2 español  3 português  4 English",
        "店铺名称（买家看到的名称）: ",
        "  ! 请输入名称：1 到 80 个字符",
        "  ! 请从以下选项中选择：1 Mercado Libre / Mercado Livre, 2 Amazon, 3 Shopee",
        "退货期限（自签收起的天数） [30]: ",
        "  ! 请输入 0 到 365 之间的整数",
        "Mercado Libre / Mercado Livre 的送达时间（天，最少-最多） [3-7]: ",
        "  ! 请按 最少-最多 的格式填写天数，例如 3-7（最多 120）",
        "  ! 未知时区 'Mars/Base'：请使用 Asia/Shanghai 这样的名称",
        "店铺信息已保存到 ",
        "退货咨询的回复示例（pt-BR）：",
        "Na loja Loja do Sol você tem 30 dias",
    ):
        assert text in shown, text
    store = yaml.safe_load((home / "config" / "rules" / "store.yaml").read_text())
    assert store["markets"] == ["mercadolibre", "shopee"]
    assert store["shipping"] == {"mercadolibre": {"min": 2, "max": 5}, "shopee": {"min": 10, "max": 20}}
    assert (store["ship_days_min"], store["ship_days_max"], store["warranty_days"]) == (2, 20, 90)
    hours = yaml.safe_load((home / "config" / "rules" / "hours.yaml").read_text())
    assert hours["timezone"] == "Asia/Shanghai"
    assert hours["opening"]["sat"] == "closed" and hours["opening"]["fri"] == "09:00-18:00"
    assert yaml.safe_load((home / "config" / "settings.yaml").read_text()) == {"lang": "zh-CN"}
    again = responde(["config"], home, models_dir)  # the saved language is used from now on
    assert "初始设置：已完成" in again.stdout


def test_setup_that_runs_out_of_answers_saves_nothing(models_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = responde(["setup", "--lang", "es"], home, models_dir, "Tienda Sol\n")
    assert done.returncode == 1
    assert done.stderr == (
        "responde setup: las respuestas terminaron antes de la última pregunta: no se guardó nada\n"
    )
    assert not (home / "config" / "rules").exists()


@pytest.mark.parametrize(
    ("flags", "error"),
    [
        (["--return-days", "45"], "--yes needs --store-name NAME (the store's name as buyers see it)"),
        (["--store-name", "X", "--return-days", "400"], "--return-days: enter a whole number from 0 to 365"),
        (
            ["--store-name", "X", "--ship-days", "ebay=1-2"],
            "--ship-days ebay=1-2: write MARKET=MIN-MAX, MARKET one of mercadolibre, amazon, shopee",
        ),
        (["--store-name", "X", "--saturday", "9-13"], "--saturday: write HH:MM-HH:MM, for example"),
    ],
)
def test_scripted_setup_names_the_bad_flag(
    models_dir: Path, tmp_path: Path, flags: list[str], error: str
) -> None:
    done = responde(["setup", "--yes", "--lang", "en", *flags], tmp_path / "home", models_dir)
    assert done.returncode == 2 and done.stderr.startswith(f"responde setup: {error}"), done.stderr
    assert not (tmp_path / "home" / "config" / "rules").exists()


def test_per_marketplace_delivery_times_fill_the_replies(models_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    flags = ["--store-name", "Sol", "--ship-days", "mercadolibre=1-2", "--ship-days", "amazon=8-15"]
    assert responde(["setup", "--yes", *flags], home, models_dir).returncode == 0
    lines = [
        {"id": "ml", "text": "cuántos días tarda el envío?", "site": "www.mercadolibre.com.mx"},
        {"id": "amz", "text": "how many days does shipping take?", "site": "sellercentral.amazon.com"},
    ]
    out = responde(["classify"], home, models_dir, "".join(json.dumps(x) + "\n" for x in lines))
    ml, amz = (json.loads(line) for line in out.stdout.splitlines())
    assert ml["intents"][0]["id"] == amz["intents"][0]["id"] == "shipping_info"
    assert "1" in ml["suggestions"][0]["text"] and "2" in ml["suggestions"][0]["text"]
    assert "8" in amz["suggestions"][0]["text"] and "15" in amz["suggestions"][0]["text"]


def test_an_overlay_error_names_the_overlay_file_and_line(tmp_path: Path) -> None:
    user = tmp_path / "user"
    (user / "intents").mkdir(parents=True)
    (user / "store.yaml").write_text("# mine\nstore_name: Sol\nreturn_days: -3\n")
    (user / "intents" / "thanks.yaml").write_text(
        "templates:\n  pt-BR:\n  - text: Valeu, {buyer}!\n    gloss_zh: 谢谢\n"
    )
    with pytest.raises(RulesError) as info:
        load_rules(paths.RULES_DIR, [user])
    problems = info.value.problems
    assert f"{user / 'store.yaml'}:3: return_days: Input should be greater than or equal to 0" in problems
    assert any(
        p.startswith(
            f"{user / 'intents' / 'thanks.yaml'}:3: templates.pt-BR.0: unknown placeholder {{buyer}}"
        )
        for p in problems
    )


def test_layers_merge_key_by_key_and_the_team_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESPONDE_HOME", str(tmp_path))
    user, team = config.user_rules_dir(), config.team_rules_dir()
    (user / "intents").mkdir(parents=True)
    team.mkdir(parents=True)
    (user / "store.yaml").write_text("store_name: Mine\nreturn_days: 10\n")
    (team / "store.yaml").write_text("return_days: 20\n")
    (user / "intents" / "thanks.yaml").write_text(
        "templates:\n  en-US:\n  - text: Cheers!\n    gloss_zh: 谢谢\n"
    )
    rules = config.load(paths.RULES_DIR)
    assert (rules.knowledge.store_name, rules.knowledge.return_days, rules.knowledge.warranty_days) == (
        "Mine",
        20,
        90,
    )
    assert rules.intents["thanks"].templates["en-US"][0].text == "Cheers!"
    assert (
        rules.intents["thanks"].templates["es-MX"]
        == load_rules(paths.RULES_DIR).intents["thanks"].templates["es-MX"]
    )
    assert rules.sources["store.yaml:return_days"] == team / "store.yaml"
    assert rules.sources["store.yaml:warranty_days"] == paths.RULES_DIR / "store.yaml"
    assert rules.needs_setup is False
    (user / "store.yaml").write_text("return_days: 10\n")  # no name of the store's own: still the demo
    assert config.load(paths.RULES_DIR).needs_setup is True


def test_the_server_says_setup_is_needed_until_it_is_done(models_dir: Path, tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "home", models_dir, configured=False)
    try:
        health = server.request("GET", "/v1/health")[1]
        assert health["setup_required"] is True
        status, before = server.request("POST", "/v1/analyze", PT_RETURN)
        assert status == 200 and before["setup_required"] is True and before["suggestions"] == []
        assert before["intents"][0]["id"] == "return_exchange"  # recognition still helps
        done = responde(
            ["setup", "--yes", "--store-name", "Casa Lupita", "--return-days", "45"], server.home, models_dir
        )
        assert done.returncode == 0 and done.stdout.endswith("The running server now uses them.\n"), (
            done.stderr
        )
        status, after = server.request("POST", "/v1/analyze", PT_RETURN)
        assert after["setup_required"] is False and "Casa Lupita" in after["suggestions"][0]["text"]
        assert server.request("GET", "/v1/health")[1]["setup_required"] is False
    finally:
        log = server.stop()
    assert "Not set up yet: the panel shows no replies until you run `responde setup`" in log


def test_config_prints_where_each_setting_comes_from(models_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = responde(["config"], home, models_dir)
    assert "Setup: NOT DONE. Until you run `responde setup` the panel shows no replies." in first.stdout
    responde(["setup", "--yes", "--store-name", "Casa Lupita", "--return-days", "45"], home, models_dir)
    shown = responde(["config"], home, models_dir).stdout
    store = home / "config" / "rules" / "store.yaml"
    rows = {line.split()[0]: line for line in shown.splitlines() if line.startswith("    ")}

    def row(key: str, value: str, layer: str, source: Path) -> str:
        return f"    {pad(key, 27)}{pad(value, 30)}{pad(layer, 20)}{source}"

    assert rows["store_name"] == row("store_name", "Casa Lupita", "your settings", store)
    assert rows["return_days"] == row("return_days", "45", "your settings", store)
    privacy = paths.RULES_DIR / "privacy.yaml"
    assert rows["retention_days"] == row("retention_days", "90", "shipped defaults", privacy)
    assert "Setup: done" in shown and f"data          {home}" in shown


def test_version(tmp_path: Path, models_dir: Path) -> None:
    from proxy import __version__

    done = responde(["--version"], tmp_path, models_dir)
    assert done.stdout == f"Responde {__version__}\n"
    manifest = json.loads((paths.REPO / "extension" / "manifest.json").read_text())
    assert manifest["version"] == __version__  # `make extension` stamps it; the unpacked folder agrees
