"""Thin HTTP handlers: validate, call the engine, answer JSON."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from proxy import __version__
from proxy.api_models import AnalyzeRequest, ClassifyLine, Context, ThreadMessage
from proxy.engine import Engine
from proxy.server.keys import ENGINE
from proxy.server.security import error

KNOWN_FIELDS = frozenset(
    name for model in (ClassifyLine, ThreadMessage, Context) for name in model.model_fields
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
    """Parse the body as JSON (raises json.JSONDecodeError on bad input)."""
    raw = await request.read()
    return json.loads(raw.decode("utf-8", errors="strict"))


async def analyze(request: web.Request) -> web.Response:
    """POST /v1/analyze."""
    try:
        body = AnalyzeRequest.model_validate(await read_json(request))
    except ValidationError as exc:
        return validation_error(exc)
    except UnicodeDecodeError:
        return error(400, "bad_json", "Body is not UTF-8 JSON.")
    engine: Engine = request.app[ENGINE]
    thread = [m.text for m in body.thread]
    result = engine.analyze(
        body.text, body.site, body.locale, body.context.model_dump(), body.ui_lang, thread
    )
    return web.json_response(result)


async def health(request: web.Request) -> web.Response:
    """GET /v1/health."""
    engine: Engine = request.app[ENGINE]
    return web.json_response({"status": "ok", "version": __version__, "intents": len(engine.rules.intents)})


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
