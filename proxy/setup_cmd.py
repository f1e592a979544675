"""`responde setup`: the store's facts, asked in the agent's language (or given as flags with --yes), written
to the user's config directory (never the checkout), checked with every rule layer before anything is
saved; a running server is told to reload and says whether it could."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO, TypeVar

from proxy import answers as read
from proxy import config, reload_status
from proxy.answers import BadAnswer
from proxy.i18n import cli_lang, tr
from proxy.replies import render
from proxy.rules.loader import RulesError, RuleSet, load_rules
from proxy.rules.schema import Knowledge

T = TypeVar("T")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LANG_CHOICES = {"1": "zh-CN", "2": "es", "3": "pt-BR", "4": "en"}
HEADER = "# Written by `responde setup` on {day}. Run it again, or edit this file, then `responde reload`.\n"


class SetupAborted(Exception):
    """The answers ran out (end of input) before the last question."""


class Asker:
    """Questions on `out`, answers from `source`; a bad answer is explained and the question asked again."""

    def __init__(self, lang: str, source: TextIO, out: TextIO) -> None:
        self.lang, self.source, self.out = lang, source, out

    def __call__(self, key: str, default: str | None, parse: Callable[[str], T], **vars: Any) -> T:
        question = tr(self.lang, key, **vars)
        while True:
            shown = f" [{default}]" if default not in (None, "") else ""
            self.out.write(f"{question}{shown}: ")
            self.out.flush()
            line = self.source.readline()
            if not line:
                self.out.write("\n")
                raise SetupAborted
            answer = line.strip() or (default or "")
            try:
                return parse(answer)
            except BadAnswer as exc:
                self.out.write(f"  ! {exc}\n")


def system_zone() -> str | None:
    """The machine's IANA time zone name, when it can be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env:
        return env
    try:
        target = os.path.realpath("/etc/localtime")
        return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else None
    except OSError:
        return None


def ask_language(source: TextIO, out: TextIO, default: str) -> str:
    """The first question, in all four languages at once."""
    out.write("Language / 语言 / Idioma: 1 中文  2 español  3 português  4 English\n")
    while True:
        shown = next(k for k, v in LANG_CHOICES.items() if v == default)
        out.write(f"> [{shown}]: ")
        out.flush()
        line = source.readline()
        if not line:
            raise SetupAborted
        answer = line.strip() or shown
        if answer in LANG_CHOICES:
            return LANG_CHOICES[answer]
        if answer in LANG_CHOICES.values():
            return answer


def answers(args: argparse.Namespace, rules: RuleSet, ask: Asker | None, lang: str) -> dict[str, Any]:
    """Every setting, from the flags, else the question, else (with --yes) the value in force."""
    facts = rules.knowledge
    known = list(rules.policies.marketplaces)
    names = {k: m.name for k, m in rules.policies.marketplaces.items()}

    def get(flag: Any, key: str, default: str | None, parse: Callable[[str], T], **vars: Any) -> T:
        if flag is not None:
            try:
                return parse(str(flag))
            except BadAnswer as exc:
                raise BadAnswer(f"--{key.removeprefix('q_').replace('_', '-')}: {exc}") from None
        if ask is None:
            return parse(default or "")
        return ask(key, default, parse, **vars)

    if ask is None and args.store_name is None and rules.needs_setup:
        raise BadAnswer(tr(lang, "err_need_store_name"))
    out: dict[str, Any] = {}
    out["store_name"] = get(
        args.store_name, "q_store_name", None if rules.needs_setup else facts.store_name, read.text(lang)
    )
    choices = ", ".join(f"{n + 1} {names[k]}" for n, k in enumerate(known))
    out["markets"] = get(
        args.markets,
        "q_markets",
        ",".join(facts.markets or known),
        read.markets(lang, known, names),
        choices=choices,
    )
    for key, hi in (("return_days", 365), ("warranty_days", 3650), ("handling_days", 60)):
        out[key] = get(getattr(args, key), f"q_{key}", str(getattr(facts, key)), read.number(lang, 0, hi))
    given = dict(_ship_flags(args.ship_days, known, lang))
    shipping = {}
    for market in out["markets"]:
        now = facts.shipping.get(market)
        default = f"{now.min}-{now.max}" if now else f"{facts.ship_days_min}-{facts.ship_days_max}"
        low, high = get(given.get(market), "q_ship_days", default, read.window(lang), market=names[market])
        shipping[market] = {"min": low, "max": high}
    out["shipping"] = shipping
    out["invoice_hours"] = get(
        args.invoice_hours, "q_invoice_hours", str(facts.invoice_hours), read.number(lang, 0, 720)
    )
    zone = rules.hours.timezone if not rules.needs_setup else (system_zone() or rules.hours.timezone)
    out["timezone"] = get(args.timezone, "q_timezone", zone, read.zone(lang))
    opening = rules.hours.opening
    out["weekdays"] = get(args.weekdays, "q_weekdays", opening.get("mon", "closed"), read.opening(lang))
    out["saturday"] = get(args.saturday, "q_saturday", opening.get("sat", "closed"), read.opening(lang))
    out["sunday"] = get(args.sunday, "q_sunday", opening.get("sun", "closed"), read.opening(lang))
    return out


def _ship_flags(values: list[str], known: list[str], lang: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        market, _, window = value.partition("=")
        if market not in known or not window:
            raise BadAnswer(f"--ship-days {value}: " + tr(lang, "err_ship_flag", choices=", ".join(known)))
        pairs.append((market, window))
    return pairs


def files_for(found: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """store.yaml and hours.yaml contents for the answers."""
    windows = list(found["shipping"].values())
    store = {
        "store_name": found["store_name"],
        "return_days": found["return_days"],
        "warranty_days": found["warranty_days"],
        "handling_days": found["handling_days"],
        "ship_days_min": min(w["min"] for w in windows),
        "ship_days_max": max(w["max"] for w in windows),
        "invoice_hours": found["invoice_hours"],
        "markets": found["markets"],
        "shipping": found["shipping"],
    }
    opening = {day: found["weekdays"] for day in WEEKDAYS}
    opening.update(sat=found["saturday"], sun=found["sunday"])
    return store, {"timezone": found["timezone"], "opening": opening}


def save(base: Path, store: dict[str, Any], hours: dict[str, Any]) -> RuleSet:
    """Check the new files with every layer, then put them in the user's rules directory."""
    header = HEADER.format(day=date.today().isoformat())
    target = config.user_rules_dir()
    with tempfile.TemporaryDirectory(dir=config.config_home()) as tmp:
        trial = Path(tmp) / "rules"
        if target.is_dir():
            import shutil

            shutil.copytree(target, trial)
        for name, data in (("store.yaml", store), ("hours.yaml", hours)):
            config.write_yaml(trial / name, data, header)
        team = [config.team_rules_dir()] if config.team_rules_dir().is_dir() else []
        load_rules(base, [trial, *team])  # raises RulesError naming the file and line
    for name, data in (("store.yaml", store), ("hours.yaml", hours)):
        config.write_yaml(target / name, data, header)
    return config.load(base)


def cmd_setup(args: argparse.Namespace) -> int:
    """Ask (or take from flags) the store's facts and write them to the user's config directory."""
    out = sys.stdout
    settings = config.read_settings()
    lang = cli_lang(args.lang)
    if not args.yes and args.lang is None and "lang" not in settings:
        lang = ask_language(sys.stdin, out, lang)
    rules = config.load(args.rules)
    ask = None if args.yes else Asker(lang, sys.stdin, out)
    if ask is not None:
        out.write(tr(lang, "setup_intro") + "\n")
    try:
        found = answers(args, rules, ask, lang)
    except SetupAborted:
        print(f"responde setup: {tr(lang, 'err_eof')}", file=sys.stderr)
        return 1
    except BadAnswer as exc:
        print(f"responde setup: {exc}", file=sys.stderr)
        return 2
    store, hours = files_for(found)
    try:
        rules = save(args.rules, store, hours)
    except RulesError as exc:
        print(f"responde setup: {exc}", file=sys.stderr)
        return 2
    config.update_settings(lang=lang)
    report(args, rules, lang, store)
    return 0


def report(args: argparse.Namespace, rules: RuleSet, lang: str, store: dict[str, Any]) -> None:
    """What was saved, what a team pack overrides, an example reply, and the running server's reload."""
    print(tr(lang, "saved", path=config.user_rules_dir() / "store.yaml"))
    overridden = [
        key
        for key in store
        if (src := rules.sources.get(f"store.yaml:{key}")) and config.layer_of(src, args.rules) == "team"
    ]
    if overridden:
        print(tr(lang, "team_overrides", keys=", ".join(overridden)))
    facts: Knowledge = rules.knowledge
    market = rules.policies.marketplaces.get(facts.markets[0]) if facts.markets else None
    locale = "pt-BR" if "pt" not in lang else "es-MX"
    example = render(rules, "return_exchange", locale, {}, None, market)[0]
    print(tr(lang, "preview", locale=locale))
    print(f"  {example.text}")
    print(f"  {example.gloss_zh}")
    outcome = reload_status.request_reload(timeout=args.reload_timeout)
    if outcome is None:
        print(tr(lang, "start_hint"))
    elif outcome.ok:
        print(tr(lang, "reloaded"))
    else:
        print(tr(lang, "reload_failed", error=outcome.error), file=sys.stderr)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `responde setup`."""
    s = sub.add_parser("setup", help="your store's facts for the replies (asked, or given as flags)")
    s.add_argument("--yes", action="store_true", help="ask nothing: flags, else the values in force")
    s.add_argument("--lang", choices=["zh-CN", "es", "pt-BR", "en"], help="the language of the questions")
    s.add_argument("--store-name", help="the store's name as buyers see it")
    s.add_argument("--markets", help="where you sell, comma-separated: mercadolibre,amazon,shopee")
    s.add_argument("--return-days", dest="return_days", help="return window in days from delivery")
    s.add_argument("--warranty-days", dest="warranty_days", help="warranty in days")
    s.add_argument("--handling-days", dest="handling_days", help="days to dispatch an order")
    s.add_argument(
        "--ship-days",
        dest="ship_days",
        action="append",
        default=[],
        metavar="MARKET=MIN-MAX",
        help="delivery time per marketplace, e.g. mercadolibre=3-7 (repeat per marketplace)",
    )
    s.add_argument("--invoice-hours", dest="invoice_hours", help="hours to issue an invoice")
    s.add_argument("--timezone", help="the team's IANA time zone, e.g. America/Sao_Paulo")
    s.add_argument("--weekdays", help="opening hours Monday-Friday: HH:MM-HH:MM or closed")
    s.add_argument("--saturday", help="opening hours on Saturday: HH:MM-HH:MM or closed")
    s.add_argument("--sunday", help="opening hours on Sunday: HH:MM-HH:MM or closed")
    s.add_argument("--reload-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_setup)
