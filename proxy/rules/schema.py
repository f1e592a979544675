"""Pydantic schemas of the seller-editable files under rules/."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

BUILTIN_INTENTS = (
    "product_info",
    "availability",
    "size_fit",
    "variant",
    "price_offer",
    "payment",
    "shipping_info",
    "order_status",
    "not_received",
    "change_order",
    "cancel_order",
    "customs_tax",
    "return_exchange",
    "refund",
    "damaged_defective",
    "wrong_item",
    "invoice",
    "usage_help",
    "complaint",
    "thanks",
    "greeting",
    "other",
)
LOCALES = ("es-MX", "es-AR", "es-CO", "es-CL", "es-ES", "pt-BR", "en-US")
UI_LANGS = ("en", "es", "pt-BR", "zh-CN")
CONTEXT_FIELDS = (
    "buyer_name",
    "order_id",
    "product",
    "tracking_code",
    "eta",
    "size",
    "color",
    "city",
    "option",
)


class Strict(BaseModel):
    """Base: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Template(Strict):
    """One reply variant and its Chinese gloss for the agent."""

    text: str = Field(min_length=1, max_length=1000)
    gloss_zh: str = Field(min_length=1, max_length=1000)
    when: list[str] = Field(default_factory=list)  # offered (first) only when these values are known


class Keywords(Strict):
    """Phrases that signal an intent, per language (matched fuzzily after normalize())."""

    es: list[str] = Field(default_factory=list)
    pt: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class IntentLabels(Strict):
    """The intent's name in each UI language."""

    en: str
    es: str
    pt_BR: str = Field(alias="pt-BR")
    zh_CN: str = Field(alias="zh-CN")


class IntentFile(Strict):
    """rules/intents/<id>.yaml: one intent, its keywords, hand-off flags and reply templates."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")
    group: Literal["pre-sale", "order", "post-sale", "relationship", "other"]
    label: IntentLabels
    handoff: bool = False  # a person answers: the hand-off model learns it, and it always hands off as main
    urgent: bool = False
    keywords: Keywords = Field(default_factory=Keywords)
    templates: dict[str, list[Template]]
    # per locale, a short answer with no greeting that follows another intent's reply when a message asks
    # two things and the two full replies do not fit the marketplace's length together (optional)
    brief: dict[str, list[Template]] = Field(default_factory=dict)


class ShipWindow(Strict):
    """Delivery time in days on one marketplace."""

    min: int = Field(ge=0, le=120)
    max: int = Field(ge=0, le=120)

    @model_validator(mode="after")
    def ordered(self) -> ShipWindow:
        """The shortest time comes first."""
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is more than max ({self.max})")
        return self


class Knowledge(Strict):
    """rules/store.yaml: the seller's facts that fill reply placeholders (`responde setup` writes them to
    the user's config directory, laid over the shipped file)."""

    store_name: str = Field(min_length=1, max_length=80)
    return_days: int = Field(ge=0, le=365)
    warranty_days: int = Field(ge=0, le=3650)
    handling_days: int = Field(ge=0, le=60)
    ship_days_min: int = Field(ge=0, le=120)
    ship_days_max: int = Field(ge=0, le=120)
    invoice_hours: int = Field(ge=0, le=720)
    markets: list[str] = Field(default_factory=list)  # marketplaces.yaml keys the store sells on
    shipping: dict[str, ShipWindow] = Field(default_factory=dict)  # per marketplace, over ship_days_*

    @model_validator(mode="after")
    def ordered(self) -> Knowledge:
        """The shortest delivery time comes first."""
        if self.ship_days_min > self.ship_days_max:
            raise ValueError(f"ship_days_min ({self.ship_days_min}) is more than ship_days_max")
        return self


KNOWLEDGE_PLACEHOLDERS = (
    "store_name",
    "return_days",
    "warranty_days",
    "handling_days",
    "ship_days_min",
    "ship_days_max",
    "invoice_hours",
)


class Privacy(Strict):
    """rules/privacy.yaml: what the local store keeps and for how long."""

    store_text: bool = True
    retention_days: int = Field(90, ge=1, le=3650)


SPAN = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"


def _span(value: str) -> str:
    """A day's opening hours: HH:MM-HH:MM or closed (checked per day, so errors name the day's line)."""
    if value != "closed" and not re.match(SPAN, value):
        raise ValueError(f"write HH:MM-HH:MM or closed, not {value!r}")
    return value


OpeningSpan = Annotated[str, AfterValidator(_span)]


class ResponseTarget(Strict):
    """A marketplace's response-time target."""

    hours: float = Field(gt=0, le=240)
    excluded: str | None = Field(default=None, pattern=SPAN)
    skip_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(default_factory=list)


class Acknowledgement(Strict):
    """The off-hours reply of one locale."""

    text: str = Field(min_length=10, max_length=300)
    gloss_zh: str = Field(min_length=2)


class Hours(Strict):
    """rules/hours.yaml: the team's time zone, opening hours and off-hours acknowledgement."""

    timezone: str
    opening: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], OpeningSpan]
    acknowledgement: dict[Literal[LOCALES], Acknowledgement]  # type: ignore[valid-type]

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        """An IANA time zone name."""
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, ZoneInfoNotFoundError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as America/Sao_Paulo)"
            ) from exc
        return value


class Marketplace(Strict):
    """Message rules of one marketplace."""

    name: str
    hosts: list[str] = Field(min_length=1)
    max_length: int | None = Field(default=None, ge=20, le=10000)
    forbid: list[Literal["email", "phone", "url", "shortener", "handle"]] = Field(default_factory=list)
    allowed_link_hosts: list[str] = Field(default_factory=list)
    response: ResponseTarget | None = None


class Policies(Strict):
    """rules/marketplaces.yaml."""

    marketplaces: dict[str, Marketplace]


class Slots(Strict):
    """rules/slots.yaml: what a missing placeholder shows, per language, e.g. [número de pedido]."""

    es: dict[str, str]
    pt: dict[str, str]
    en: dict[str, str]
    zh: dict[str, str]


class Colour(Strict):
    """One colour: its Chinese name for the gloss and how buyers write it, per language."""

    zh: str = Field(min_length=1)
    es: list[str] = Field(default_factory=list)
    pt: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class FactsFile(Strict):
    """rules/facts.yaml: colours, sizes and cities a buyer may name, to fill {color}, {size}, {city}."""

    colours: dict[str, Colour] = Field(min_length=1)
    not_colours: list[str] = Field(default_factory=list)  # phrases with a colour word that are not one
    size_cues: Keywords  # words written just before a size: talla, talle, tamanho, size
    sizes: list[str] = Field(min_length=1)  # sizes written as letters or words; 1-2 digit numbers always
    size_word: dict[Literal[(*LOCALES, "zh-CN")], str]  # type: ignore[valid-type]
    cities: dict[str, list[str]] = Field(default_factory=dict)  # name -> other spellings and short names

    @field_validator("size_word")
    @classmethod
    def every_locale(cls, value: dict[str, str]) -> dict[str, str]:
        """One word per reply locale and for the Chinese gloss."""
        absent = [loc for loc in (*LOCALES, "zh-CN") if loc not in value]
        if absent:
            raise ValueError(f"add the word for a size in {', '.join(absent)}")
        return value


class ToneFile(Strict):
    """rules/tone.yaml: words of anger, threats and disputes, and words of praise, per language."""

    negative: Keywords
    threats: Keywords
    positive: Keywords
    disputes: Keywords = Field(default_factory=Keywords)  # quoting the listing against what happened


class Wrapping(Strict):
    """What buyers write around a request in one language: openers and sign-offs that carry no request."""

    open: list[str] = Field(min_length=1)
    close: list[str] = Field(min_length=1)


class WrappersFile(Strict):
    """rules/wrappers.yaml: greetings, lead-ins and sign-offs per language. Training wraps examples in them
    (same labels), so the model reads past them to the request (retrain after editing)."""

    es: Wrapping
    pt: Wrapping
    en: Wrapping
