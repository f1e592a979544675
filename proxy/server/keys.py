"""Typed application-state keys."""

from __future__ import annotations

from aiohttp import web

from proxy.engine import Engine

ENGINE = web.AppKey("engine", Engine)
