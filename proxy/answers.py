"""How `responde setup` reads each answer: a parser per kind of question, whose error (in the agent's
language) says how to write the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from proxy.i18n import tr
from proxy.rules.schema import SPAN


class BadAnswer(ValueError):
    """An answer that cannot be used; the message says how to write it (already translated)."""


def number(lang: str, lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or not lo <= int(text) <= hi:
            raise BadAnswer(tr(lang, "err_number", lo=lo, hi=hi))
        return int(text)

    return parse


def text(lang: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = " ".join(text.split())
        if not 1 <= len(value) <= 80:
            raise BadAnswer(tr(lang, "err_text"))
        return value

    return parse


def window(lang: str) -> Callable[[str], tuple[int, int]]:
    def parse(text: str) -> tuple[int, int]:
        parts = text.replace(" ", "").split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise BadAnswer(tr(lang, "err_range"))
        low, high = int(parts[0]), int(parts[1])
        if not 0 <= low <= high <= 120:
            raise BadAnswer(tr(lang, "err_range"))
        return low, high

    return parse


def zone(lang: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, ZoneInfoNotFoundError):
            raise BadAnswer(tr(lang, "err_timezone", value=value)) from None
        return value

    return parse


def opening(lang: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value in ("closed", "cerrado", "fechado", "休息", "关闭", "-"):
            return "closed"
        if not re.match(SPAN, value):
            raise BadAnswer(tr(lang, "err_span"))
        return value

    return parse


def markets(lang: str, known: list[str], names: dict[str, str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        chosen = []
        for part in (p.strip().lower() for p in text.replace(" ", ",").split(",")):
            if not part:
                continue
            key = known[int(part) - 1] if part.isdigit() and 1 <= int(part) <= len(known) else part
            if key not in known:
                choices = ", ".join(f"{n + 1} {names[k]}" for n, k in enumerate(known))
                raise BadAnswer(tr(lang, "err_markets", choices=choices))
            if key not in chosen:
                chosen.append(key)
        if not chosen:
            raise BadAnswer(tr(lang, "err_markets", choices=", ".join(known)))
        return chosen

    return parse
