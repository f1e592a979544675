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
    "en": "EEEE, MMMM d 'at' h:mm a z",  # the US has several clocks: the hour says which ("9:00 AM EST")
    "zh": "M月d日EEEE HH:mm",
}

# The clock a locale's buyers read the hour on: their country's (its capital's), not the team's. Nine in
# the morning in Mexico City is noon in São Paulo and Buenos Aires and four in the afternoon in Madrid.
BUYER_ZONES = {
    "es-MX": "America/Mexico_City",
    "es-AR": "America/Argentina/Buenos_Aires",
    "es-CO": "America/Bogota",
    "es-CL": "America/Santiago",
    "es-ES": "Europe/Madrid",
    "pt-BR": "America/Sao_Paulo",
    "en-US": "America/New_York",
}


@lru_cache(maxsize=256)  # the next opening is the same for every message of an hour: Babel formats it once
def _when(moment: datetime, zone: str, locale: str) -> str:
    """The next opening time on `zone`'s clock in the buyer's language (Babel: weekday and month names).
    The zone is part of the key: one instant compares equal on every clock."""
    return str(format_datetime(moment.astimezone(ZoneInfo(zone)), WHEN_PATTERNS[locale[:2]], locale=locale))


def acknowledgement(rules: RuleSet, locale: str, now: datetime) -> dict[str, str] | None:
    """The off-hours reply (with the next opening time written the buyer's way), or None when open."""
    tz = ZoneInfo(rules.hours.timezone)
    when = next_opening(now, tz, opening(rules))
    ack = rules.hours.acknowledgement.get(locale)
    if when is None or when == now or ack is None:
        return None
    zone = BUYER_ZONES.get(locale, rules.hours.timezone)
    local, theirs = when.astimezone(tz), when.astimezone(ZoneInfo(zone))
    written = _when(when, zone, locale.replace("-", "_"))
    gloss = _when(when, rules.hours.timezone, "zh_CN")  # the team's clock, and the buyer's when it differs
    if theirs.replace(tzinfo=None) != local.replace(tzinfo=None):
        same_day = theirs.date() == local.date()
        gloss += f"（买家当地时间 {f'{theirs:%H:%M}' if same_day else _when(when, zone, 'zh_CN')}）"
    return {
        "text": ack.text.format(when=written),
        "gloss_zh": ack.gloss_zh.format(when=gloss),
        "reopens": local.isoformat(),
    }
