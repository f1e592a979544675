"""Response deadlines: marketplace targets counted in calendar or business hours on the seller's clock,
and the store's opening hours for off-hours acknowledgements."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_span(span: str) -> tuple[time, time]:
    """'21:00-08:00' -> (21:00, 08:00)."""
    start, end = (time.fromisoformat(part.strip()) for part in span.split("-"))
    return start, end


def _inside(t: time, span: tuple[time, time]) -> bool:
    start, end = span
    return start <= t < end if start < end else (t >= start or t < end)


def due(
    received: datetime,
    hours: float,
    tz: ZoneInfo,
    excluded: tuple[time, time] | None = None,
    skip_days: frozenset[int] = frozenset(),
) -> datetime:
    """When `hours` counted hours have passed since `received` (aware), in UTC.

    Hours inside the `excluded` daily window (e.g. 21:00-08:00 local time) and on `skip_days` (0 = Monday)
    are not counted. Arithmetic runs in UTC, so daylight-saving changes do not shift the result."""
    now = received.astimezone(ZoneInfo("UTC"))
    remaining = timedelta(hours=hours)
    for _ in range(10_000):
        if remaining <= timedelta(0):
            return now
        local = now.astimezone(tz)
        counted = local.weekday() not in skip_days and not (excluded and _inside(local.time(), excluded))
        boundaries = [datetime.combine(local.date() + timedelta(days=1), time(0), tz)]
        for b in excluded or ():
            at = datetime.combine(local.date(), b, tz)
            if at > local:
                boundaries.append(at)
        step = min(boundaries).astimezone(ZoneInfo("UTC")) - now
        if counted:
            step = min(step, remaining)
            remaining -= step
        now += step
    raise ValueError("no counted hours: check the excluded window and skipped days")


def next_opening(at: datetime, tz: ZoneInfo, opening: dict[str, tuple[time, time] | None]) -> datetime | None:
    """`at` itself when the store is open then, else when it opens next (None: always closed)."""
    local = at.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        span = opening.get(DAYS[day.weekday()])
        if span is None:
            continue
        start, end = (datetime.combine(day, t, tz) for t in span)
        if offset == 0 and start <= local < end:
            return at
        if local < start:
            return start
    return None
