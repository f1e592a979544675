"""The `responde` command: serve, train, classify, eval, token."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
import time
from pathlib import Path

from proxy import (
    __version__,
    cli_config,
    cli_data,
    config,
    paths,
    progress,
    reload_status,
    setup_cmd,
    training,
)
from proxy.candidates import to_yaml
from proxy.cli_batch import build as _engine
from proxy.cli_batch import checked, cmd_classify, cmd_eval
from proxy.i18n import cli_lang, tr
from proxy.nlp import dataset
from proxy.nlp.corpus import CorpusError
from proxy.nlp.fasttext_check import FastTextMissing
from proxy.nlp.model import Model
from proxy.redact import redact_logs
from proxy.rules.loader import RulesError
from proxy.server.keys import ENGINE
from proxy.store import Store


def log_to(path: Path) -> None:
    """Also write the log to `path` (the autostart service's log), rotated at 5 MB, 3 old files kept."""
    from logging.handlers import RotatingFileHandler

    from proxy.redact import RedactingFilter

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # like every other handler: no buyer data in the log
    logging.getLogger().addHandler(handler)


def _port_in_use(host: str, port: int) -> str | None:
    """Why `port` cannot be listened on (None when it can), checked before loading the models."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP server on 127.0.0.1."""
    from proxy.server.app import create_app, serve
    from proxy.server.security import TokenSource

    if args.host not in ("127.0.0.1", "localhost") and not args.team_mode:
        print(
            "responde: refusing to bind outside loopback (use --team-mode if you really mean it)",
            file=sys.stderr,
        )
        return 2
    lock = paths.ServerLock()
    holder = lock.acquire()
    if holder is not None:
        print(
            f"responde: a Responde server (pid {holder}) is already running with this data directory "
            f"({paths.data_home()}); stop it first, or use `responde reload` to make it reload",
            file=sys.stderr,
        )
        return 1
    busy = _port_in_use(args.host, args.port)
    if busy:
        lock.release()
        print(
            f"responde: cannot listen on {args.host}:{args.port}: {busy}; choose another with --port N",
            file=sys.stderr,
        )
        return 1
    if args.log_file:
        log_to(args.log_file)
    engine = _engine(args)
    paths.read_or_create_token()
    origin = f"chrome-extension://{paths.extension_id()}"
    privacy = engine.rules.privacy

    def open_store() -> Store:
        return Store(paths.database_path(), paths.store_key(), privacy.store_text, privacy.retention_days)

    app = create_app(
        engine,
        port=args.port,
        token=TokenSource(paths.token_path()),
        origin=origin,
        open_store=open_store,
        workers=args.workers,
        budget=args.budget,
        read_timeout=args.read_timeout,
    )

    def listening() -> None:
        lock.publish()  # only now can `responde reload` find this server
        print(f"Responde listening on http://127.0.0.1:{args.port}  (data: {paths.data_home()})", flush=True)
        print("Pair the extension: paste the token printed by `responde token` into its options", flush=True)
        print(f"Allowed extension origin: {origin}", flush=True)
        logging.getLogger("responde").info("listening on http://127.0.0.1:%d", args.port)
        if app[ENGINE].rules.needs_setup:
            print(tr(cli_lang(), "serve_not_set_up"), flush=True)

    try:
        asyncio.run(
            serve(
                app,
                args.port,
                args.host,
                build=lambda: _engine(args, quiet=True),
                on_listening=listening,
                on_reload=reload_status.write,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(
            f"responde: cannot listen on port {args.port}: {exc.strerror}; choose another with --port N",
            file=sys.stderr,
        )
        return 1
    finally:
        lock.release()
    return 0


def cmd_reload(args: argparse.Namespace) -> int:
    """Ask the running server to reload rules and the active model (SIGHUP) and report how it went."""
    lang = cli_lang()
    try:
        outcome = reload_status.request_reload(args.timeout)
    except OSError:
        outcome = None
    if outcome is None:
        print(f"responde reload: {tr(lang, 'reload_no_server', path=paths.pid_path())}", file=sys.stderr)
        return 1
    if not outcome.ok:
        print(f"responde reload: {tr(lang, 'reload_failed', error=outcome.error)}", file=sys.stderr)
        return 1
    print(tr(lang, "reload_ok"))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Retrain from the corpus, extra labelled data and agents' corrections; activate only if not worse."""
    rules = config.load(args.rules)
    if not all(checked(f, rules) for f in args.extra):
        return 2
    extra = [ex for f in args.extra for ex in dataset.load(f, rules.intents, cli_data.lang_of)]
    fixes, confirmed = cli_data.corrections(args, set(rules.intents))
    started = time.perf_counter()
    with progress.training(args.no_progress) as (_, say):
        done = training.retrain(rules, args.corpus, args.models, extra, fixes, confirmed, progress=say)
    took = time.perf_counter() - started
    print(f"trained with {len(extra)} extra examples and {len(fixes)} agent corrections in {took:.1f}s")
    if done.held_out:
        verdict = "now active" if done.activated else "NOT activated: worse than the active model"
        print(
            f"held out: {done.held_out} corrected and agent-confirmed messages; accuracy new "
            f"{done.new_accuracy:.3f} vs active "
            f"{done.old_accuracy:.3f}: {verdict}"
        )
    print(f"model: {done.path}; run `responde reload` (or restart serve) to use it")
    for key, value in Model.load(done.path).report.items():
        print(f"  held-out {key}: {value}")
    if args.candidates:
        found = cli_data.template_candidates(args, rules)
        args.candidates.write_text(to_yaml(rules, found), encoding="utf-8")
        print(f"{len(found)} template candidates from agents' sent replies: review {args.candidates}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Print (or rotate) the pairing token; a running server uses the new one from its next request."""
    print(paths.read_or_create_token(rotate=args.rotate))
    if args.rotate and paths.ServerLock().holder() is not None:
        print(
            "the running server now accepts only this token: paste it into the extension's options",
            file=sys.stderr,
        )
    return 0


def parser() -> argparse.ArgumentParser:
    """Argument parser for every sub-command."""
    p = argparse.ArgumentParser(prog="responde", description="Local reply assistant for marketplace agents.")
    p.add_argument("--version", action="version", version=f"Responde {__version__}")
    p.add_argument(
        "--rules", type=Path, default=paths.RULES_DIR, help="rules directory (default: repo rules/)"
    )
    p.add_argument("--corpus", type=Path, default=paths.CORPUS_DIR, help="corpus directory")
    p.add_argument("--models", type=Path, default=None, help="model cache (default: $RESPONDE_HOME/models)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    p.add_argument("--db", type=Path, default=None, help="store file (default: $RESPONDE_HOME/responde.db)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the local API server")
    s.add_argument("--port", type=int, default=paths.DEFAULT_PORT)
    s.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    s.add_argument("--team-mode", action="store_true", help="allow binding a non-loopback address")
    s.add_argument("--workers", type=int, default=None, help="recognition processes (default: one per core)")
    s.add_argument(
        "--budget", type=float, default=5.0, help="seconds one request may take before it gets a 503 (5)"
    )
    s.add_argument("--read-timeout", type=float, default=10.0, help=argparse.SUPPRESS)
    s.add_argument("--log-file", type=Path, default=None, help="also log to this file (rotated at 5 MB)")
    s.set_defaults(func=cmd_serve)
    t = sub.add_parser("train", help="(re)train the intent model")
    t.add_argument(
        "--extra", type=Path, action="append", default=[], help="labelled data to add (.jsonl/.csv/.yml)"
    )
    t.add_argument("--no-corrections", action="store_true", help="ignore the agents' intent corrections")
    t.add_argument(
        "--candidates", type=Path, help="also write the replies agents sent as template candidates (YAML)"
    )
    t.set_defaults(func=cmd_train)
    c = sub.add_parser("classify", help="JSON Lines in (stdin or FILE), analyze answers out")
    c.add_argument("input", nargs="?", default=None)
    c.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    c.set_defaults(func=cmd_classify)
    e = sub.add_parser("eval", help="evaluate on a labelled JSON Lines file")
    e.add_argument("file", type=Path, nargs="?", default=None, help="default: the shipped sample")
    e.add_argument(
        "--cv", type=int, default=0, help="K-fold cross-validation, training on the other folds too"
    )
    e.add_argument("--json", type=Path, default=None, help="also write the report as JSON")
    e.add_argument("--html", type=Path, default=None, help="also write a self-contained HTML report")
    e.add_argument("--lang", choices=["zh-CN", "es", "pt-BR", "en"], help="the HTML report's language")
    e.set_defaults(func=cmd_eval)
    k = sub.add_parser("token", help="print the pairing token")
    k.add_argument("--rotate", action="store_true", help="make a new token (re-pair the extension)")
    k.set_defaults(func=cmd_token)
    r = sub.add_parser("reload", help="make the running server reload rules and the active model")
    r.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the server's answer")
    r.set_defaults(func=cmd_reload)
    cli_data.add_parsers(sub)
    setup_cmd.add_parser(sub)
    cli_config.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; known failures print one clear line instead of a traceback."""
    os.umask(0o077)  # every file Responde writes (store, logs, exports, models) is the user's alone
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    redact_logs()
    args = parser().parse_args(argv)
    if args.models is None:
        args.models = paths.models_dir()
    try:
        return int(args.func(args))
    except RulesError as exc:
        print(f"responde: {exc}", file=sys.stderr)
        return 2
    except (CorpusError, FastTextMissing, FileNotFoundError, ValueError) as exc:
        print(f"responde: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
