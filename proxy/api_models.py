"""Pydantic models of API request bodies: strict, bounded, unknown keys refused."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from proxy.rules.schema import LOCALES


class Strict(BaseModel):
    """Base of request models."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ThreadMessage(Strict):
    """An earlier message of the conversation."""

    author: Literal["buyer", "seller"]
    text: str = Field(max_length=5000)


class Context(Strict):
    """What the page knows about the order."""

    buyer_name: str | None = Field(default=None, max_length=80)
    order_id: str | None = Field(default=None, max_length=64)
    product: str | None = Field(default=None, max_length=200)
    tracking_code: str | None = Field(default=None, max_length=64)
    eta: str | None = Field(default=None, max_length=40)
    size: str | None = Field(default=None, max_length=20)
    color: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=80)


class AnalyzeRequest(Strict):
    """POST /v1/analyze and each line of `responde classify`."""

    text: str = Field(min_length=1, max_length=5000)
    site: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9.-]+$")
    locale: Literal[LOCALES] | None = None  # type: ignore[valid-type]
    ui_lang: Literal["en", "es", "pt-BR", "zh-CN"] = "en"
    thread: list[ThreadMessage] = Field(default_factory=list, max_length=50)
    context: Context = Field(default_factory=Context)
    received_at: AwareDatetime | None = None  # when the buyer sent `text` (ISO 8601 with offset)


class ClassifyLine(AnalyzeRequest):
    """A JSON Lines input row: an analyze request with an optional id to echo."""

    id: str | int | None = None


class FeedbackRequest(Strict):
    """POST /v1/feedback: what the agent did with a shown analysis."""

    trace_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    action: Literal["inserted", "edited", "dismissed", "corrected", "handoff_confirmed"]
    template_id: str | None = Field(default=None, max_length=100, pattern=r"^[\w.+-]+$")
    intent: str | None = Field(default=None, max_length=64, pattern=r"^[a-z_]+$")
    final_text: str | None = Field(default=None, max_length=5000)


class ForgetRequest(Strict):
    """POST /v1/forget: delete stored analyses by buyer, order, date range, or everything."""

    buyer_name: str | None = Field(default=None, min_length=1, max_length=80)
    order_id: str | None = Field(default=None, min_length=1, max_length=64)
    since: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    until: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    everything: bool = False


class DashboardRequest(Strict):
    """POST /v1/dashboard: the dashboard's tables for a date range (`until` exclusive) and maybe one site."""

    since: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    until: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    site: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9.-]+$")


class ExportRequest(Strict):
    """POST /v1/export: everything stored (an empty object; POST, so Chrome sends the extension's Origin)."""
