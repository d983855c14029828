"""Run one service with uvicorn: the body of each service's console command."""

from __future__ import annotations

import logging
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from .config import ServiceSettings


def serve(build: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings) -> None:
    """Build the service from its settings and serve it until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build(settings)
    # No access log: /metrics counts and times every request by route; a line per request
    # cost more CPU than answering a cached indicator.
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="info",
                access_log=False, timeout_graceful_shutdown=10)
