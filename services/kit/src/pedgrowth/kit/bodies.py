"""What a request body may be: a JSON media type on JSON routes (415), and a size limit (413).

Both are checked by an ASGI middleware before the route reads the body: the
declared ``Content-Length`` first, then the bytes as they arrive, so a 100 MB
body is refused after the limit, not parsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import HTTPException as RouteError
from fastapi import params
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

JSON_MEDIA_TYPES = ("application/json", "application/cloudevents+json", "application/cloudevents-batch+json")
BODY_METHODS = {"POST", "PUT", "PATCH"}


def error_body(loc: list, msg: str, kind: str) -> dict:
    """The one shape of an error answer: FastAPI's ``detail`` list, naming where and why."""
    return {"detail": [{"loc": loc, "msg": msg, "type": kind}]}


def refusal(status_code: int, loc: list, msg: str, kind: str = "value_error",
            headers: dict[str, str] | None = None) -> RouteError:
    """The error a route raises to answer ``error_body(loc, msg, kind)`` with ``status_code``."""
    return RouteError(status_code, error_body(loc, msg, kind)["detail"], headers=headers)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body grows past the route's limit."""

    def __init__(self, limit: int):
        super().__init__(413, error_body(["body"], f"the body is over {limit} bytes", "too_large")["detail"])
        self.limit = limit


@dataclass
class BodyLimits:
    """Byte limits: JSON routes, upload (form) routes, and per-path overrides by route template."""

    json_bytes: int
    upload_bytes: int
    per_path: dict[str, int] = field(default_factory=dict)

    def for_route(self, route, is_form: bool) -> int:
        if getattr(route, "path", None) in self.per_path:
            return self.per_path[route.path]
        return self.upload_bytes if is_form else self.json_bytes


@dataclass(frozen=True)
class Rule:
    """What the matched route accepts: at most ``limit`` bytes; JSON only unless it takes a form."""

    limit: int
    json_only: bool


def media_type(headers: list[tuple[bytes, bytes]]) -> str:
    """The request's media type without parameters, lower case ('' when absent)."""
    for name, value in headers:
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class UnsupportedMediaType(HTTPException):
    """Raised from ``receive`` when a JSON route is sent a body of another media type."""

    def __init__(self, given: str):
        super().__init__(415, error_body(
            ["header", "content-type"],
            f"Content-Type must be one of {', '.join(JSON_MEDIA_TYPES)}; got {given or 'none'}",
            "unsupported_media_type")["detail"])


class BodyGuard:
    """ASGI middleware: 415 for a non-JSON body on a JSON route, 413 past the route's byte limit.

    The checks run when the route first reads its body (the router has then put the
    matched route in the scope): a route that takes no body is not affected.
    """

    def __init__(self, app, limits: BodyLimits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        received, rule, started = 0, None, False

        async def guarded_receive():
            nonlocal received, rule
            if rule is None:
                rule = self.rule_of(scope)
            message = await receive()
            if message["type"] == "http.request" and message.get("body"):
                if not received and rule.json_only and media_type(scope["headers"]) not in JSON_MEDIA_TYPES:
                    raise UnsupportedMediaType(media_type(scope["headers"]))
                received += len(message["body"])
                if received > rule.limit:
                    raise BodyTooLarge(rule.limit)
            return message

        async def noting_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guarded_receive, noting_send)
        except (BodyTooLarge, UnsupportedMediaType) as error:
            if started:
                raise
            await answer(send, error.status_code, {"detail": error.detail})

    def rule_of(self, scope) -> Rule:
        """The matched route's rule; BodyTooLarge at once when the declared length is over it."""
        route = scope.get("route")
        takes_body = isinstance(route, APIRoute) and route.body_field is not None
        is_form = takes_body and isinstance(route.body_field.field_info, params.Form)
        rule = Rule(self.limits.for_route(route, is_form), json_only=takes_body and not is_form)
        length = declared_length(scope["headers"])
        if length is not None and length > rule.limit:
            raise BodyTooLarge(rule.limit)
        return rule


async def answer(send, status_code: int, content: dict) -> None:
    body = json.dumps(content, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status_code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
