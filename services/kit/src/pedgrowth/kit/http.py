"""The HTTP face every service shares: health, readiness, metrics, POST /api/v1/events."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from fastapi import Body, FastAPI, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pedgrowth.contracts import ContractViolation, Fact
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .auth import CurrentPrincipal, Principal, forbid
from .bodies import BodyGuard, BodyLimits, error_body, refusal
from .docs import add_offline_docs
from .inbox import BUSINESS_RULE, EventResult
from .operator import router as operator_router
from .recording import Outcome
from .service import Service

UNMETERED = {"/metrics", "/health"}


def create_app(service: Service) -> FastAPI:
    """The FastAPI application of a service, with the shared routes and the service's own routers."""
    parts = service.parts
    app = FastAPI(title=parts.title or f"pedgrowth {service.name}", description=parts.description,
                  version="1.0.0", lifespan=service.lifespan, docs_url=None, redoc_url=None)
    add_offline_docs(app)  # /docs and /redoc from vendored assets (FastAPI's own load from a CDN)
    app.state.service = service
    app.state.tokens = service.tokens
    add_body_guard(app, service)
    add_metering(app, service)
    add_error_table(app, parts.rejections)
    add_operational_routes(app, service)
    add_events_route(app, service)
    for router in parts.routers:
        app.include_router(router)
    app.include_router(operator_router)
    return app


def add_body_guard(app: FastAPI, service: Service) -> None:
    """Media type and size of request bodies, checked before any route reads them (kit/bodies.py)."""
    s = service.settings
    app.add_middleware(BodyGuard, limits=BodyLimits(s.max_json_bytes, s.max_upload_bytes,
                                                    dict(service.parts.body_limits)))


def add_metering(app: FastAPI, service: Service) -> None:
    """Count requests and time them per route template (bounded label values)."""
    app.add_middleware(Metering, service=service)


class Metering:
    """A plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on every request)."""

    def __init__(self, app, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def send_and_note(message):
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            if path not in UNMETERED:
                m, name, method = self.service.metrics, self.service.name, scope["method"]
                m.http_requests.labels(name, method, path, f"{status_code // 100}xx").inc()
                m.http_latency.labels(name, method, path).observe(time.perf_counter() - started)


def add_error_table(app: FastAPI, rejections: dict[type[Exception], int]) -> None:
    """Domain errors become HTTP answers in one place: status from the service's table."""
    for error_class, code in rejections.items():
        async def handler(_: Request, error: Exception, code: int = code) -> JSONResponse:
            return JSONResponse(status_code=code, content=business_detail(error))
        app.add_exception_handler(error_class, handler)


def business_detail(error: Exception) -> dict:
    field = getattr(error, "field", None)
    return error_body(["body", *(field.split(".") if field else [])], str(error), BUSINESS_RULE)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK: dict[str, Any] = {"response_class": Response,
                            "responses": {200: {"content": {XLSX: {}}, "description": "the workbook"}}}
"""The route arguments of an answer that is an XLSX workbook: ``@router.get(path, **WORKBOOK)``."""


class Answer(BaseModel):
    """Base of the services' response models: a field the answer carries but the model does not declare is an
    error, not dropped silently, so the tests that read a resource fail and name it (STYLE lesson 20)."""

    model_config = ConfigDict(extra="forbid")


class RowReport(Answer):
    """One row of an import's report, the part every importer says alike (registry, training, mentoring): which row,
    and why it was not recorded. Each service's ``ImportRow`` adds its own outcome and ids."""

    row: int = Field(description="the spreadsheet row number; the header is row 1")
    reason_code: str | None = None
    reason: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class Readiness(BaseModel):
    """503 with ``not ready`` while the store or the broker does not answer."""

    status: Literal["ready", "not ready"]
    service: str
    store: bool
    broker: bool


class EventResults(BaseModel):
    """One result per posted event, in order."""

    results: list[EventResult]


class Refused(BaseModel):
    """The kit's error body; with the event's result when a rule refused a single posted event."""

    detail: list[dict[str, Any]]
    result: EventResult | None = None


def add_operational_routes(app: FastAPI, service: Service) -> None:
    """Liveness, readiness and Prometheus metrics: open, for probes and scrapers."""

    @app.get("/health", tags=["operations"], response_model=Health)
    async def health() -> dict:
        return {"status": "ok", "service": service.name}

    @app.get("/ready", tags=["operations"], response_model=Readiness,
             responses={503: {"model": Readiness, "description": "the store or the broker does not answer"}})
    async def ready(response: Response) -> dict:
        checks = await service.ready()
        ok = all(checks.values())
        if not ok:
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "ready" if ok else "not ready", "service": service.name, **checks}

    @app.get("/metrics", tags=["operations"])
    async def metrics() -> Response:
        return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def add_events_route(app: FastAPI, service: Service) -> None:
    """POST /api/v1/events: one CloudEvent or an array; all are validated before any is recorded."""

    @app.post("/api/v1/events", status_code=status.HTTP_202_ACCEPTED, tags=["events"],
              summary="Publish CloudEvents to this service", response_model=EventResults,
              responses={409: {"model": Refused}, 422: {"model": Refused, "description": "a single event refused "
                                                        "by a rule, or a body that is not CloudEvents"}})
    async def post_events(principal: CurrentPrincipal, payload: Any = Body(...)) -> JSONResponse:
        single = not isinstance(payload, list)
        items = [payload] if single else payload
        check_batch(items, single, service.settings.max_events_per_request)
        facts = await asyncio.to_thread(validate_all, service, items, principal, single)
        results = await asyncio.to_thread(service.inbox.record_batch, facts, "http")
        if any(result.outcome is Outcome.ACCEPTED for result in results):
            service.inbox.recorded.set()
        if single and results[0].outcome is Outcome.REJECTED:
            return rejection_response(service, results[0])
        return JSONResponse(status_code=status.HTTP_202_ACCEPTED,
                            content={"results": [r.as_dict() for r in results]})


def check_batch(items: list, single: bool, limit: int) -> None:
    """An array holds 1 to ``limit`` events (413 above); each item must be a JSON object (422 naming it)."""
    if not items:
        raise refusal(422, ["body"], "no events given: the array is empty", "schema")
    if len(items) > limit:
        raise refusal(413, ["body"],
                      f"{len(items)} events in one request; at most {limit} (PEDGROWTH_MAX_EVENTS_PER_REQUEST)",
                      "too_many_events")
    errors = [{"loc": ["body", *([] if single else [index])],
               "msg": f"a CloudEvent must be a JSON object, got {json_kind(item)}", "type": "schema",
               "index": index}
              for index, item in enumerate(items) if not isinstance(item, dict)]
    if errors:
        raise RequestValidationError(errors)


def json_kind(value: Any) -> str:
    """The JSON name of a parsed value's type, as a sender would call it."""
    kinds = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "an array"}
    return kinds.get(type(value), type(value).__name__)


def validate_all(service: Service, items: list, principal: Principal, single: bool) -> list[Fact]:
    """Every item as a fact, or one 422 naming each bad field, or 403 for another's scope."""
    errors, facts = [], []
    for index, item in enumerate(items):
        try:
            facts.append(service.inbox.validate(item))
        except ContractViolation as violation:
            service.inbox.count(EventResult(Outcome.REJECTED, reason_code=violation.reason), "http")
            loc = ["body", *([] if single else [index]), *(violation.field.split(".") if violation.field else [])]
            errors.append({"loc": loc, "msg": violation.message, "type": violation.reason, "index": index})
    if errors:
        raise RequestValidationError(errors)
    if not facts:
        raise refusal(422, ["body"], "no events given", "schema")
    for fact in facts:
        reason = service.parts.authorize_write(principal, fact.data)
        if reason:
            raise forbid(reason)
    return facts


def rejection_response(service: Service, result: EventResult) -> JSONResponse:
    """A single event refused by a business rule, with the status the service's table gives."""
    code = result.http_status or status.HTTP_422_UNPROCESSABLE_ENTITY
    detail = [{"loc": ["body", *(result.field.split(".") if result.field else [])], "msg": result.reason,
               "type": result.reason_code}]
    return JSONResponse(status_code=code, content={"detail": detail, "result": result.as_dict()})
