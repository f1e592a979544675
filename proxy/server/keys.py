"""Typed application-state keys."""

from __future__ import annotations

from aiohttp import web

from proxy.engine import Engine
from proxy.store import Store

ENGINE = web.AppKey("engine", Engine)
STORE = web.AppKey("store", Store)  # set only when the server keeps a store
