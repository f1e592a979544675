"""Thin HTTP handlers: validate, call the engine, answer JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from proxy import __version__
from proxy.api_models import (
    AnalyzeRequest,
    ClassifyLine,
    Context,
    DashboardRequest,
    ExportRequest,
    FeedbackRequest,
    ForgetRequest,
    ThreadMessage,
)
from proxy.engine import Engine
from proxy.server.keys import BATCHER, ENGINE, POOL, READ_TIMEOUT, STORE
from proxy.server.pool import OverBudget, WorkerFailed
from proxy.server.security import SlowBody, error, loads
from proxy.server.stored import Stored, dashboard_tables, export_json
from proxy.store import Store, StoreError

log = logging.getLogger("responde.http")
M = TypeVar("M", bound=BaseModel)

KNOWN_FIELDS = frozenset(
    name
    for model in (ClassifyLine, ThreadMessage, Context, FeedbackRequest, ForgetRequest, DashboardRequest)
    for name in model.model_fields
)


def _field(loc: tuple[int | str, ...]) -> str:
    """A field path naming only the API's own fields: an unknown key is input, so it is not echoed."""
    return ".".join(str(p) if isinstance(p, int) or p in KNOWN_FIELDS else "(unknown field)" for p in loc)


def validation_error(exc: ValidationError) -> web.Response:
    """422 listing field paths and problems, without echoing values or unknown keys."""
    problems = [{"field": _field(tuple(e["loc"])), "problem": e["msg"]} for e in exc.errors()]
    resp = error(422, "invalid", "Request body does not match the API.")
    body = json.loads(resp.text or "{}")
    body["error"]["details"] = problems
    return web.json_response(body, status=422)


async def read_json(request: web.Request) -> Any:
    """The body as strict JSON (BadJson and SlowBody are left to the middleware)."""
    try:
        async with asyncio.timeout(request.app[READ_TIMEOUT]):
            raw = await request.read()
    except TimeoutError:
        raise SlowBody from None
    return loads(raw)


async def parse(request: web.Request, model: type[M]) -> M | web.Response:
    """The validated body, or the error response to send."""
    try:
        return model.model_validate(await read_json(request))
    except ValidationError as exc:
        return validation_error(exc)


NO_STORE = (409, "no_store", "This server keeps no store (started without one).")


async def parse_for_store(request: web.Request, model: type[M]) -> tuple[M, Stored] | web.Response:
    """The validated body and the store it is for, or the error response to send."""
    body = await parse(request, model)
    if isinstance(body, web.Response):
        return body
    store = request.app.get(STORE)
    return error(*NO_STORE) if store is None else (body, store)


async def analyze(request: web.Request) -> web.Response:
    """POST /v1/analyze."""
    body = await parse(request, AnalyzeRequest)
    if isinstance(body, web.Response):
        return body
    thread = [(m.author, m.text) for m in body.thread]
    context = body.context.model_dump()
    args = (body.text, body.site, body.locale, context, body.ui_lang, thread, body.received_at)
    size = len(body.text) + sum(len(text) for _, text in thread)
    trace = uuid.uuid4().hex
    try:
        result, prepared = await request.app[BATCHER].run(size, *args)
    except OverBudget as exc:
        replaced = "; the worker was replaced" if exc.replaced else ""
        log.warning("analysis %s stopped: %s%s", trace, exc, replaced)
        budget = request.app[POOL].budget
        return error(
            503,
            "over_budget",
            f"Analysing this message took longer than {budget:g} s and was stopped; other messages are "
            "still answered. Quote the trace id if it happens again.",
            trace,
        )
    except WorkerFailed as exc:
        log.error("analysis %s failed: %s", trace, exc)
        return error(500, "internal", "Internal error; see the server log.", trace)
    if request.app[ENGINE].rules.needs_setup:  # no replies in the demo store's name: say what to do
        result["suggestions"] = []
    result["setup_required"] = request.app[ENGINE].rules.needs_setup
    store = request.app.get(STORE)
    result["stored"] = False
    if store is not None:
        try:
            await store.call(Store.record_analysis, result, body.text, body.site, context, prepared)
            result["stored"] = True
        except StoreError as exc:
            log.error("analysis not recorded: %s", exc)  # the agent still gets the suggestions
    return web.json_response(result)


async def feedback(request: web.Request) -> web.Response:
    """POST /v1/feedback: insert / edit / dismiss / intent correction / hand-off confirmation."""
    parsed = await parse_for_store(request, FeedbackRequest)
    if isinstance(parsed, web.Response):
        return parsed
    body, store = parsed
    if body.intent is not None and body.intent not in request.app[ENGINE].rules.intents:
        return error(422, "invalid", "Unknown intent id; GET /v1/intents lists them.")
    if body.action == "corrected" and body.intent is None:
        return error(422, "invalid", "A correction needs the right intent.")
    if not await store.call(Store.has_trace, body.trace_id):
        return error(404, "unknown_trace", "No analysis with this trace id (expired or forgotten).")
    redacted = None
    if body.final_text:
        try:
            keys = await store.call(Store.name_keys, body.trace_id)
            redacted = await request.app[POOL].run("final_text", body.final_text, keys)
        except (OverBudget, WorkerFailed) as exc:
            log.error("feedback text of %s not redacted: %s", body.trace_id, exc)
            return error(
                503, "over_budget", "Could not process the final text in time; retry.", body.trace_id
            )
    try:
        await store.call(
            Store.record_feedback,
            body.trace_id,
            body.action,
            body.template_id,
            body.intent,
            body.final_text,
            redacted,
        )
    except StoreError as exc:
        log.error("feedback not recorded: %s", exc)
        return error(507, "store_full", "Could not save: the disk is full or the store is read-only.")
    return web.json_response({"ok": True}, status=201)


async def health(request: web.Request) -> web.Response:
    """GET /v1/health."""
    engine: Engine = request.app[ENGINE]
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "intents": len(engine.rules.intents),
            "setup_required": engine.rules.needs_setup,
        }
    )


async def intents(request: web.Request) -> web.Response:
    """GET /v1/intents: ids, labels and flags for the panel's pickers."""
    engine: Engine = request.app[ENGINE]
    return web.json_response(
        {
            "intents": [
                {
                    "id": f.id,
                    "group": f.group,
                    "labels": f.label.model_dump(by_alias=True),
                    "handoff": f.handoff,
                    "urgent": f.urgent,
                }
                for f in engine.rules.intents.values()
            ]
        }
    )


STATIC = Path(__file__).parent / "static"
PAGES = {"/": ("index.html", "text/html")}  # says where the dashboard is (the extension); no data


async def page(request: web.Request) -> web.Response:
    """GET /: a static page pointing to the dashboard in the extension (no data: that needs the token)."""
    name, kind = PAGES[request.path]
    return web.Response(body=(STATIC / name).read_bytes(), content_type=kind, charset="utf-8")


async def dashboard(request: web.Request) -> web.Response:
    """POST /v1/dashboard {"since"?, "until"?, "site"?}: the dashboard's tables.

    Stored data is served on POST only: Chrome sends the extension's Origin on an extension's POST, never on
    its GET, and the guard requires that exact Origin on every POST."""
    parsed = await parse_for_store(request, DashboardRequest)
    if isinstance(parsed, web.Response):
        return parsed
    body, store = parsed
    return web.json_response(await store.read(dashboard_tables, body.since, body.until, body.site))


async def export(request: web.Request) -> web.Response:
    """POST /v1/export {}: everything stored (data-subject access)."""
    parsed = await parse_for_store(request, ExportRequest)
    if isinstance(parsed, web.Response):
        return parsed
    return web.Response(text=await parsed[1].read(export_json), content_type="application/json")


async def forget(request: web.Request) -> web.Response:
    """POST /v1/forget: data-subject erasure, from the dashboard through the extension."""
    parsed = await parse_for_store(request, ForgetRequest)
    if isinstance(parsed, web.Response):
        return parsed
    body, store = parsed
    try:
        n = await store.call(
            Store.forget, body.buyer_name, body.order_id, body.since, body.until, everything=body.everything
        )
    except ValueError as exc:
        return error(422, "invalid", str(exc))
    except StoreError as exc:
        log.error("forget failed: %s", exc)
        return error(507, "store_full", "Could not delete: the store is read-only or the disk is full.")
    return web.json_response({"forgotten": n})
