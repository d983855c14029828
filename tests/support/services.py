"""Run a service in-process against the real broker, with its lifespan, for integration tests."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from pedgrowth.contracts import EventData, new_event
from pedgrowth.kit.auth import Role, Tokens

from .infra import free_port

SECRET = "test-secret-not-for-production-use-only"


def settings_for(settings_class, kafka, tmp_path, **overrides):
    """Service settings pointing at the test broker and a fresh data dir."""
    bootstrap, _, idempotence = kafka
    return settings_class(
        data_dir=tmp_path, kafka_bootstrap_servers=bootstrap, kafka_enable_idempotence=idempotence,
        token_secret=SECRET, relay_poll_seconds=0.02,
        kafka_session_timeout_ms=10_000 if idempotence else 2_000,  # Tansu: join a group in ~1 s
        **overrides,
    )


def token(role: Role = Role.ADMIN, **scope) -> str:
    return Tokens(SECRET).issue("test", role, **scope)


def auth(role: Role = Role.ADMIN, **scope) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **scope)}"}


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan started (broker, inbox, relay), and an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def cloud_event(data: EventData, source: str = "/school/sch-1/hr", **kw) -> dict:
    """A CloudEvent as a school system would send it (JSON-ready dict)."""
    event = new_event(data, source=source, id=kw.pop("id", None) or str(uuid.uuid4()), **kw)
    return event.model_dump(mode="json", exclude_none=True)


@contextlib.asynccontextmanager
async def served_http(app: FastAPI, port: int | None = None, lifespan: str = "on") -> AsyncIterator[str]:
    """The app on a real port of 127.0.0.1 (uvicorn, its lifespan inside), for browsers and CLIs; yields its URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)

