"""`responde stats`, `export` and `forget`: the local store from the terminal (data-subject rights)."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

from proxy import config, paths
from proxy.candidates import Candidate, candidates
from proxy.i18n import cli_lang, tr
from proxy.nlp import dataset
from proxy.nlp.corpus import Example, read_corpus
from proxy.nlp.language import LanguageDetector
from proxy.rules.loader import RuleSet
from proxy.store import Store


def existing_store(args: argparse.Namespace) -> Store | None:
    """The store named by --db (default: the data directory's), or None if there is none yet."""
    path: Path = args.db or paths.database_path()
    return Store(path, paths.store_key()) if path.exists() else None


def open_store(args: argparse.Namespace) -> Store | None:
    """The existing store, or None with a message."""
    store = existing_store(args)
    if store is None:
        where = args.db or paths.database_path()
        print(f"responde: no store at {where} yet (the server creates it on first use)", file=sys.stderr)
    return store


def cmd_stats(args: argparse.Namespace) -> int:
    """Headline figures of the store."""
    store = open_store(args)
    if store is None:
        return 1
    s = store.stats(args.since)
    print(f"messages {s['messages']}   hand-offs {s['handoffs']}")
    print(
        "intents:  " + ", ".join(f"{k} {v}" for k, v in s["intents"].items())
        if s["intents"]
        else "intents: none"
    )
    print(
        "actions:  " + ", ".join(f"{k} {v}" for k, v in s["actions"].items())
        if s["actions"]
        else "actions: none"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Everything stored, as one JSON document (stdout or --out)."""
    store = open_store(args)
    if store is None:
        return 1
    text = json.dumps(store.export(), ensure_ascii=False, indent=1)
    if args.out:
        private_write(args.out, text + "\n")
        print(f"exported to {args.out} (readable by you only)", file=sys.stderr)
    else:
        print(text)
    return 0


def private_write(path: Path, text: str) -> None:
    """Write `path` readable by its owner only (0600, whatever the umask or an older file's mode)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def cmd_forget(args: argparse.Namespace) -> int:
    """Delete what matches (buyer, order, date range) or everything (`--all`: confirmed first)."""
    lang = cli_lang()
    store = open_store(args)
    if store is None:
        return 1
    if args.all and not args.yes:
        if not sys.stdin.isatty():
            print(f"responde forget: {tr(lang, 'forget_needs_yes')}", file=sys.stderr)
            return 2
        n = store.stats()["messages"]
        answer = input(tr(lang, "forget_confirm_all", n=n) + ": ").strip().lower()
        if answer not in ("yes", "y", "sí", "si", "sim", "是"):
            print(tr(lang, "forget_cancelled"))
            return 1
    try:
        n = store.forget(args.buyer, args.order, args.since, args.until, everything=args.all)
    except ValueError as exc:
        print(f"responde forget: {exc}", file=sys.stderr)
        return 2
    print(tr(lang, "forgot", n=n))
    return 0


def corrections(args: argparse.Namespace, known_intents: set[str]) -> tuple[list[Example], list[Example]]:
    """Agents' 'wrong intent' corrections (to learn from: this agent's, from the store, then the team's,
    from the team pack) and intents they confirmed by inserting the suggestion (to check a new model
    against), from the store."""
    if args.no_corrections:
        return [], []
    from proxy import team

    store = existing_store(args)
    fixes, kept = (
        [Example(text, lang, (intent,)) for text, lang, intent in rows if intent in known_intents]
        for rows in ((store.corrections(), store.confirmed()) if store else ([], []))
    )
    return fixes + team.corrections(known_intents), kept


def template_candidates(args: argparse.Namespace, rules: RuleSet) -> list[Candidate]:
    """The replies agents sent after editing a suggestion, grouped into template candidates."""
    store = existing_store(args)
    return candidates(rules, store.sent_texts()) if store else []


@functools.cache
def _lid() -> LanguageDetector:
    return LanguageDetector()


def lang_of(text: str) -> str:
    """Language of an unlabelled-language example (Rasa files carry none)."""
    return _lid().detect(text, None, None, {}).code


def cmd_dataset(args: argparse.Namespace) -> int:
    """Write the training data (shipped corpus + agents' corrections) as .jsonl, .csv or Rasa .yml."""
    rules = config.load(args.rules)
    examples = read_corpus(args.corpus, rules.intents) + corrections(args, set(rules.intents))[0]
    n = dataset.dump(examples, args.out)
    print(f"wrote {n} examples to {args.out}")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the data commands."""
    s = sub.add_parser("stats", help="headline figures of the local store")
    s.add_argument("--since", help="only from this date (YYYY-MM-DD)")
    s.set_defaults(func=cmd_stats)
    e = sub.add_parser("export", help="everything stored, as JSON")
    e.add_argument("--out", type=Path, default=None)
    e.set_defaults(func=cmd_export)
    f = sub.add_parser("forget", help="delete stored data by buyer, order, dates, or everything")
    f.add_argument("--buyer", help="buyer name as the marketplace shows it (accents and case do not matter)")
    f.add_argument("--order", help="order id")
    f.add_argument("--since", help="from this date (YYYY-MM-DD)")
    f.add_argument("--until", help="before this date (YYYY-MM-DD)")
    f.add_argument("--all", action="store_true", help="everything (asks first)")
    f.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    f.set_defaults(func=cmd_forget)
    d = sub.add_parser("dataset", help="write corpus + agents' corrections as .jsonl, .csv or Rasa .yml")
    d.add_argument("out", type=Path)
    d.add_argument("--no-corrections", action="store_true", help="the shipped corpus only")
    d.set_defaults(func=cmd_dataset)
