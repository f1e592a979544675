"""Typed application-state keys."""

from __future__ import annotations

from aiohttp import web

from proxy.engine import Engine
from proxy.server.batcher import Batcher
from proxy.server.pool import WorkerPool
from proxy.server.security import TokenSource
from proxy.server.stored import Stored

ENGINE = web.AppKey("engine", Engine)
STORE = web.AppKey("store", Stored)  # set only when the server keeps a store; its calls run on its thread
POOL = web.AppKey("pool", WorkerPool)  # the worker processes that run recognition and redaction
BATCHER = web.AppKey("batcher", Batcher)  # /v1/analyze requests that wait together go to a worker together
READ_TIMEOUT = web.AppKey("read_timeout", float)  # seconds a client has for its headers, and for its body
TOKEN = web.AppKey(
    "token", TokenSource
)  # the pairing token, re-read when `responde token --rotate` changes it
