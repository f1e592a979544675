"""Deadlines and off-hours replies for one analysis, from rules/marketplaces.yaml and rules/hours.yaml."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from proxy.deadline import DAYS, due, next_opening, parse_span
from proxy.rules.loader import RuleSet
from proxy.rules.schema import Marketplace


def deadline(market: Marketplace | None, rules: RuleSet, received: datetime | None, now: datetime) -> Any:
    """{due, minutes_left, overdue, target_hours, counting} for the marketplace, or None."""
    if market is None or market.response is None or received is None:
        return None
    target = market.response
    tz = ZoneInfo(rules.hours.timezone)
    skip = frozenset(DAYS.index(d) for d in target.skip_days)
    excluded = parse_span(target.excluded) if target.excluded else None
    at = due(received, target.hours, tz, excluded, skip)
    left = int((at - now).total_seconds() // 60)
    return {
        "due": at.isoformat(),
        "minutes_left": left,
        "overdue": left < 0,
        "target_hours": target.hours,
        "counting": "business hours" if excluded or skip else "calendar hours",
    }


def opening(rules: RuleSet) -> dict[str, Any]:
    """Opening spans per day (None when closed)."""
    return {day: None if span == "closed" else parse_span(span) for day, span in rules.hours.opening.items()}


WHEN_PATTERNS = {  # weekday, day, month and hour, the way each language writes them
    "es": "EEEE d 'de' MMMM 'a las' HH:mm",
    "pt": "EEEE, d 'de' MMMM, 'às' HH:mm",
    "en": "EEEE, MMMM d 'at' h:mm a",
    "zh": "M月d日EEEE HH:mm",
}


@lru_cache(maxsize=256)  # the next opening is the same for every message of an hour: Babel formats it once
def _when(moment: datetime, locale: str) -> str:
    """The next opening time in the buyer's language (Babel: weekday and month names)."""
    return str(format_datetime(moment, WHEN_PATTERNS[locale[:2]], locale=locale))


def acknowledgement(rules: RuleSet, locale: str, now: datetime) -> dict[str, str] | None:
    """The off-hours reply (with the next opening time written the buyer's way), or None when open."""
    tz = ZoneInfo(rules.hours.timezone)
    when = next_opening(now, tz, opening(rules))
    ack = rules.hours.acknowledgement.get(locale)
    if when is None or when == now or ack is None:
        return None
    local = when.astimezone(tz)
    written = _when(local, locale.replace("-", "_"))
    gloss = _when(local, "zh_CN")
    return {
        "text": ack.text.format(when=written),
        "gloss_zh": ack.gloss_zh.format(when=gloss),
        "reopens": local.isoformat(),
    }
