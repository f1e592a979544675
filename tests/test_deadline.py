"""Deadline arithmetic (time zones, weekends, the Mercado Libre night window, DST) and off-hours replies."""

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from proxy.deadline import due, next_opening, parse_span
from proxy.engine import Engine
from proxy.rules.loader import RuleSet
from proxy.schedule import acknowledgement

MX, SP, NY = ZoneInfo("America/Mexico_City"), ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/New_York")
NIGHT = parse_span("21:00-08:00")


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (datetime(2026, 11, 20, 18, 0, tzinfo=MX), datetime(2026, 11, 21, 13, 0, tzinfo=MX)),  # 3 h + 5 h
        (
            datetime(2026, 11, 20, 23, 30, tzinfo=MX),
            datetime(2026, 11, 21, 16, 0, tzinfo=MX),
        ),  # sent at night
        (datetime(2026, 11, 20, 7, 0, tzinfo=MX), datetime(2026, 11, 20, 16, 0, tzinfo=MX)),  # before 08:00
        (datetime(2026, 11, 20, 13, 0, tzinfo=MX), datetime(2026, 11, 20, 21, 0, tzinfo=MX)),  # ends at 21:00
    ],
)
def test_mercado_libre_eight_business_hours(received: datetime, expected: datetime) -> None:
    assert due(received, 8, MX, NIGHT) == expected


def test_the_same_moment_on_two_store_clocks() -> None:
    received = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 19:00 in Mexico City, 22:00 in São Paulo
    assert due(received, 8, MX, NIGHT) == datetime(2026, 11, 21, 14, 0, tzinfo=MX)  # 2 h tonight + 6 h
    assert due(received, 8, SP, NIGHT) == datetime(2026, 11, 21, 16, 0, tzinfo=SP)  # all 8 h tomorrow


def test_weekends_skipped_or_counted() -> None:
    friday = datetime(2026, 11, 20, 18, 0, tzinfo=MX)
    assert due(friday, 8, MX, NIGHT, frozenset({5, 6})) == datetime(2026, 11, 23, 13, 0, tzinfo=MX)
    assert due(friday, 24, MX) == datetime(2026, 11, 21, 18, 0, tzinfo=MX)  # Amazon: calendar hours
    assert due(friday, 12, MX) == datetime(2026, 11, 21, 6, 0, tzinfo=MX)  # Shopee


def test_calendar_hours_across_a_daylight_saving_change() -> None:
    before = datetime(2026, 3, 7, 12, 0, tzinfo=NY)  # clocks jump 02:00 -> 03:00 on March 8
    assert due(before, 24, NY) == datetime(2026, 3, 8, 13, 0, tzinfo=NY)
    assert (due(before, 24, NY) - before).total_seconds() == 24 * 3600


def test_next_opening() -> None:
    week = {d: parse_span("09:00-18:00") for d in ("mon", "tue", "wed", "thu", "fri")}
    opening = {**week, "sat": None, "sun": None}
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=MX)
    assert next_opening(sunday, MX, opening) == datetime(2026, 11, 23, 9, 0, tzinfo=MX)
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=MX)
    assert next_opening(tuesday, MX, opening) == tuesday
    assert next_opening(sunday, MX, {}) is None


SATURDAY_NIGHT = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)  # 22:30 on Saturday in Mexico City
BUYERS = ("es-MX", "es-AR", "es-ES", "pt-BR", "en-US")


@pytest.mark.parametrize(
    ("site", "text", "words"),
    [
        (
            "mercadolibre.com.mx",
            "¿tienen la funda en rojo?",
            "te escribimos el lunes 23 de noviembre a las 09:00 (hora del centro de México).",
        ),
        (
            "mercadolivre.com.br",
            "tem a capinha em vermelho?",
            "te escrevemos segunda-feira, 23 de novembro, às 12:00 (horário de Brasília).",
        ),
        (
            "sellercentral.amazon.com",
            "do you have it in red?",
            "we'll write back on Monday, November 23 at 10:00 AM EST.",
        ),
    ],
)
def test_off_hours_acknowledgement_in_the_buyers_words(
    engine: Engine, site: str, text: str, words: str
) -> None:
    out = engine.analyze(text, site, now=SATURDAY_NIGHT)
    ack = out["suggestions"][-1]
    assert ack["template_id"].startswith("off_hours.") and ack["text"].endswith(words)
    assert "11月23日星期一 09:00" in ack["gloss_zh"] and ack["policy"]["ok"]  # the team's clock
    assert out["suggestions"][0]["template_id"].startswith("variant.")


def test_no_acknowledgement_for_hand_offs_or_in_opening_hours(engine: Engine) -> None:
    complaint = engine.analyze(
        "son unos estafadores, voy a profeco", "mercadolibre.com.mx", now=SATURDAY_NIGHT
    )
    assert complaint["handoff"]["required"] and not any(
        s["template_id"].startswith("off_hours") for s in complaint["suggestions"]
    )
    daytime = engine.analyze("¿tienen la funda en rojo?", "mercadolibre.com.mx")  # the pinned clock: open
    assert not any(s["template_id"].startswith("off_hours") for s in daytime["suggestions"])


def test_deadline_in_the_answer(engine: Engine) -> None:
    received = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # Friday 21:00 in Mexico City
    out = engine.analyze("ya lo enviaron?", "mercadolibre.com.mx", received_at=received, now=SATURDAY_NIGHT)
    assert out["deadline"] == {
        "due": "2026-11-21T22:00:00+00:00",  # Saturday 16:00 local: the night did not count
        "minutes_left": -390,
        "overdue": True,
        "target_hours": 8.0,
        "counting": "business hours",
    }
    assert engine.analyze("hola", "mercadolibre.com.mx")["deadline"] is None  # no time given


def test_the_buyer_reads_the_hour_on_their_own_clock(rules: RuleSet) -> None:
    """A team in Shanghai opens at 09:00 on Monday: Sunday evening in the Americas. The reply says the buyer's
    day and hour; the gloss the team's, and the buyer's beside it."""
    shanghai = dataclasses.replace(rules, hours=rules.hours.model_copy(update={"timezone": "Asia/Shanghai"}))
    acks = {locale: acknowledgement(shanghai, locale, SATURDAY_NIGHT) for locale in BUYERS}
    said = {locale: ack["text"].split(": ")[-1] for locale, ack in acks.items() if ack}
    assert said == {
        "es-MX": "te escribimos el domingo 22 de noviembre a las 19:00 (hora del centro de México).",
        "es-AR": "te escribimos el domingo 22 de noviembre a las 22:00.",
        "es-ES": "te escribimos el lunes 23 de noviembre a las 02:00.",
        "pt-BR": "te escrevemos domingo, 22 de novembro, às 22:00 (horário de Brasília).",
        "en-US": "we'll write back on Sunday, November 22 at 8:00 PM EST.",
    }
    glossed = {locale: ack["gloss_zh"].split("我们会在")[-1] for locale, ack in acks.items() if ack}
    assert glossed == {
        "es-MX": "11月23日星期一 09:00（买家当地时间 11月22日星期日 19:00）给您完整答复。",
        "es-AR": "11月23日星期一 09:00（买家当地时间 11月22日星期日 22:00）给您完整答复。",
        "es-ES": "11月23日星期一 09:00（买家当地时间 02:00）给您完整答复。",
        "pt-BR": "11月23日星期一 09:00（买家当地时间 11月22日星期日 22:00）给您完整答复。",
        "en-US": "11月23日星期一 09:00（买家当地时间 11月22日星期日 20:00）给您完整答复。",
    }
