"""Every compiled pattern in `proxy/` runs in linear time on adversarial 64 KiB inputs.

The buyer writes the server's input, so one pattern that backtracks (`\\S+@\\S+\\.\\w+` took ~11 s on
64 KiB of `a`, and grows with the square of the length) stalls recognition. Patterns are found, not
listed: module globals, class attributes, lists / tuples / dicts of them, the literal patterns of
`re.sub(...)`-style calls in the source, and the patterns a real Engine compiles from the rules.
Each runs (`finditer`, which is what `sub`, `findall` and `split` cost) on 64 KiB strings built from
generic attack shapes and from the pattern's own literal characters and words; a check that is not done
in BOUND seconds fails (linear patterns take milliseconds; a quadratic one takes tens of seconds)."""

from __future__ import annotations

import ast
import importlib
import inspect
import multiprocessing
import pkgutil
import re
import re._parser as sre_parse  # type: ignore[import-not-found]
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import re2

import proxy
from proxy.engine import Engine
from proxy.nlp import normalize

SIZE = 64 * 1024
BOUND = 2.0  # seconds for one (pattern, input): a generous guard against quadratic or worse behaviour
PATTERN_TYPES = (re.Pattern, type(re2.compile("")))
GENERIC = ["a", "a@", "a.", "1", "1 ", "x@y.", "+55 (11) 9", " ", "a ", "A", "1-", "1.", "a1", "@ ", "\n"]
GENERIC += ["a-", "Aa ", "1/", "1,", "a\n", "!?", "(1", "a@b ", "a.b@", "http://a", "www.a", "aa1 "]
SKIP_MODULES = {"proxy.__main__"}
RE_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def _walk(obj: Any, where: str, found: dict[str, Any], seen: set[int], depth: int = 0) -> None:
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, PATTERN_TYPES):
        found.setdefault(f"{obj.pattern!r}/{getattr(obj, 'flags', 0)}", (where, obj))
    elif isinstance(obj, dict):
        for k, v in list(obj.items()):
            _walk(k, f"{where}[key]", found, seen, depth + 1)
            _walk(v, f"{where}[{k!r}]"[:120], found, seen, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(obj):
            _walk(v, f"{where}[{i}]", found, seen, depth + 1)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("proxy"):
        for k, v in vars(obj).items():
            _walk(v, f"{where}.{k}", found, seen, depth + 1)


def _flags(node: ast.expr | None) -> int:
    """The value of a flags argument written as re.X or re.X | re.Y."""
    if isinstance(node, ast.BinOp):
        return _flags(node.left) | _flags(node.right)
    if isinstance(node, ast.Attribute):
        return int(getattr(re, node.attr, 0))
    return 0


def _source_literals(path: Path, name: str, found: dict[str, Any]) -> None:
    """Literal patterns passed to re.X(...) / re2.X(...) inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("re", "re2")
            and node.func.attr in RE_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            flag_arg = node.args[1] if node.func.attr == "compile" and len(node.args) > 1 else None
            flag_arg = next((k.value for k in node.keywords if k.arg == "flags"), flag_arg)
            if node.func.value.id == "re2":
                compiled = re2.compile(node.args[0].value)
            else:
                compiled = re.compile(node.args[0].value, _flags(flag_arg))
            key = f"{compiled.pattern!r}/{getattr(compiled, 'flags', 0)}"
            found.setdefault(key, (f"{name}:{node.lineno}", compiled))


def _built_once(value: Any, module: str) -> bool:
    """A function of this module, cached, without parameters: it may build a pattern on first use."""
    wrapped = getattr(value, "__wrapped__", None)
    return (
        hasattr(value, "cache_info")
        and inspect.isfunction(wrapped)
        and wrapped.__module__ == module
        and not inspect.signature(wrapped).parameters
    )


def discover(engine: Engine | None = None) -> dict[str, tuple[str, Any]]:
    """Every compiled pattern reachable from proxy's modules (and from a real engine, when given)."""
    found: dict[str, tuple[str, Any]] = {}
    seen: set[int] = set()
    for info in pkgutil.walk_packages(proxy.__path__, "proxy."):
        if info.name in SKIP_MODULES:
            continue
        module = importlib.import_module(info.name)
        for attr, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == info.name:
                for cattr, cvalue in vars(value).items():
                    _walk(cvalue, f"{info.name}.{attr}.{cattr}", found, seen)
            elif _built_once(value, info.name):  # a pattern built on first use (`@functools.cache`)
                _walk(value(), f"{info.name}.{attr}()", found, seen)
            elif not isinstance(value, type(proxy)):
                _walk(value, f"{info.name}.{attr}", found, seen)
        if module.__file__ and module.__file__.endswith(".py"):
            _source_literals(Path(module.__file__), info.name, found)
    if engine is not None:
        _walk(engine, "Engine", found, seen)
    return found


def _literals(pattern: str, flags: int) -> tuple[list[str], list[str]]:
    """The literal characters and the runs of literal characters (words) of a pattern."""
    chars: list[str] = []
    words: list[str] = []

    def visit(items: Any) -> None:
        run = ""
        for op, av in items:
            name = str(op)
            if name == "LITERAL":
                run += chr(av)
                chars.append(chr(av))
                continue
            if len(run) >= 2:
                words.append(run)
            run = ""
            if name == "IN":
                chars.extend(chr(v) for o, v in av if str(o) == "LITERAL")
            elif name in ("SUBPATTERN",):
                visit(av[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                visit(av[-1])
            elif name == "BRANCH":
                for alt in av[1]:
                    visit(alt)
            elif name in ("ASSERT", "ASSERT_NOT"):
                visit(av[1])
        if len(run) >= 2:
            words.append(run)

    try:  # RE2's \p{L} classes read as a plain letter
        visit(sre_parse.parse(re.sub(r"\\p\{\w+\}", "a", pattern), flags & ~re.UNICODE))
    except (re.error, TypeError, ValueError):
        pass
    uniq = list(dict.fromkeys(c for c in chars if c.isprintable() or c in "\n\t"))
    return uniq[:14], list(dict.fromkeys(words))[:10]


def attacks(pattern: str, flags: int) -> Iterator[str]:
    """64 KiB strings: generic shapes, then shapes made of the pattern's own characters and words."""
    chars, words = _literals(pattern, flags)
    units = list(GENERIC)
    for w in words:
        units += [w, w + " ", w + "a", w + "1", w.upper() + " 1 "]
    for c in chars:
        units += [c, c + "a", "a" + c, c + "1", c + " ", c + "A1"]
    for unit in dict.fromkeys(units):
        yield (unit * (SIZE // len(unit) + 1))[:SIZE]


def _runner(conn: Any, checks: list[tuple[Any, str]], start: int) -> None:
    for i in range(start, len(checks)):
        conn.send(i)
        pattern, text = checks[i]
        for _ in pattern.finditer(text):
            pass
    conn.send(None)


def slow_checks(patterns: dict[str, tuple[str, Any]]) -> list[tuple[str, str, float]]:
    """(where, input shape, seconds) of every check that did not finish in BOUND seconds."""
    checks: list[tuple[Any, str]] = []
    names: list[str] = []
    for where, compiled in patterns.values():
        for text in attacks(compiled.pattern, getattr(compiled, "flags", 0)):
            checks.append((compiled, text))
            names.append(where)
    ctx = multiprocessing.get_context("fork")
    slow: list[tuple[str, str, float]] = []
    start = 0
    while start < len(checks):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_runner, args=(child, checks, start), daemon=True)
        proc.start()
        current, began = -1, time.monotonic()
        while True:
            if not parent.poll(BOUND):
                proc.kill()
                proc.join()
                slow.append((names[current], checks[current][1][:12], time.monotonic() - began))
                start = current + 1
                break
            message = parent.recv()
            if message is None:
                proc.join()
                start = len(checks)
                break
            current, began = message, time.monotonic()
    return slow


def test_every_pattern_in_proxy_is_found(engine: Engine) -> None:
    found = {where for where, _ in discover(engine).values()}
    # one of each way a pattern can live: module global, a list of tuples, a class' instance, re.sub literal
    assert "proxy.nlp.normalize._EMAIL" in found
    assert {"proxy.nlp.tone._capital_pair()", "proxy.nlp.normalize._MARKS"} <= found
    assert any(w.startswith("proxy.redact.") for w in found)
    assert any(w.startswith("Engine.recognizer.tone.") for w in found) and any(
        w.startswith("Engine.facts.") for w in found
    )
    assert any(w.startswith("proxy.policy:") for w in found)
    assert len(found) >= 40


def test_no_pattern_backtracks_on_adversarial_input(engine: Engine) -> None:
    assert slow_checks(discover(engine)) == []


def _call(conn: Any, fn: Any, arg: str) -> None:
    fn(arg)
    conn.send(True)


def finishes(fn: Any, arg: str, bound: float = BOUND) -> bool:
    """Whether fn(arg) returns within `bound` seconds (run in a child process that is killed if not)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_call, args=(child, fn, arg), daemon=True)
    proc.start()
    done = parent.poll(bound)
    proc.kill()
    proc.join()
    return done


def test_the_email_pattern_that_froze_the_server_is_linear() -> None:
    """normalize()'s e-mail replacement (`\\S+@\\S+\\.\\w+` took ~11 s on 64 KiB of `a`) on 64 KiB."""
    assert slow_checks({"normalize._EMAIL": ("normalize._EMAIL", normalize._EMAIL)}) == []
    for unit in ("a@", "a", "x@y.", "a.", "a@b "):
        assert finishes(normalize.tokens, (unit * SIZE)[:SIZE]), unit
