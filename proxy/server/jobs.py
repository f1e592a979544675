"""What the worker processes run: recognition plus the redaction and hashing of what will be stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from proxy.engine import Engine
from proxy.store import Hasher, Prepared, prepare, prepare_final_text


def make_jobs(engine: Engine, hasher: Hasher | None) -> dict[str, Callable[..., Any]]:
    """The job table of the worker pool, for one engine (and the store's hasher, when there is a store)."""

    def analyze(
        text: str,
        site: str | None,
        locale: str | None,
        context: Mapping[str, str | None],
        ui_lang: str,
        thread: Sequence[tuple[str, str]],
        received_at: datetime | None,
    ) -> tuple[dict[str, Any], Prepared | None]:
        result = engine.analyze(text, site, locale, context, ui_lang, thread, received_at)
        return result, prepare(text, context, hasher) if hasher is not None else None

    def final_text(text: str, name_keys: list[str]) -> str:
        return prepare_final_text(text, name_keys, hasher or Hasher(b""))

    return {"analyze": analyze, "final_text": final_text}
