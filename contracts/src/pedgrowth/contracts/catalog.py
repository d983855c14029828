"""All event types, and the one way to turn bytes into a checked fact and back."""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from . import indicators, mentoring, registry, training
from .base import EventData
from .envelope import CloudEvent
from .topics import SERVICES

EVENT_MODELS: dict[str, type[EventData]] = {
    model.event_type: model
    for module in (registry, training, mentoring, indicators)
    for model in module.EVENTS
}
SERVICE_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    service: tuple(t for t, model in EVENT_MODELS.items() if model.service == service)
    for service in SERVICES
}

Reason = Literal["invalid_json", "schema"]


class ContractViolation(ValueError):
    """Why a message is not a valid pedgrowth event: what a DLQ header or an HTTP 422 reports."""

    def __init__(self, reason: Reason, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Fact:
    """A decoded event whose envelope and data both hold to the contract."""

    envelope: CloudEvent
    data: EventData

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def subject(self) -> str:
        """The id the event is about; also the Kafka message key."""
        return self.data.subject_id


def decode(raw: bytes | str | dict | CloudEvent) -> Fact:
    """Check a message against the contract, or raise ContractViolation naming the field."""
    return _decode(raw, service=None)


def decode_for_service(raw: bytes | str | dict | CloudEvent, service: str) -> Fact:
    """Like decode, and also refuse event types owned by another service."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; services are {', '.join(SERVICES)}")
    return _decode(raw, service=service)


def encode(event: Fact | CloudEvent) -> bytes:
    """The bytes to publish: compact UTF-8 JSON in CloudEvents structured mode."""
    envelope = event.envelope if isinstance(event, Fact) else event
    return envelope.to_bytes()


def new_event(
    data: EventData,
    *,
    source: str,
    id: str | None = None,
    time: datetime | None = None,
    **extensions: Any,
) -> CloudEvent:
    """Wrap event data in an envelope: a fresh id, now as time, the data's subject."""
    clash = sorted(extensions.keys() & CloudEvent.model_fields.keys())
    if clash:
        raise TypeError(f"not extension attributes: {', '.join(clash)}")
    return CloudEvent(
        specversion="1.0",
        id=id or str(uuid.uuid4()),
        source=source,
        type=data.event_type,
        time=time or datetime.now(UTC),
        subject=data.subject_id,
        data=_dump(data),
        **extensions,
    )


def _dump(data: EventData) -> dict[str, Any]:
    # Optional fields are left out rather than sent as null.
    return data.model_dump(mode="json", exclude_none=True)


def _decode(raw: bytes | str | dict | CloudEvent, service: str | None) -> Fact:
    envelope = raw if isinstance(raw, CloudEvent) else _envelope(_parse(raw))
    model = _model_for(envelope.type, service)
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as error:
        raise _violation(error, prefix="data") from None
    if envelope.subject is not None and envelope.subject != data.subject_id:
        raise ContractViolation(
            "schema",
            f"subject '{envelope.subject}' differs from data.{data.subject_field} "
            f"'{data.subject_id}'",
            field="subject",
        )
    canonical = envelope.model_copy(update={"subject": data.subject_id, "data": _dump(data)})
    return Fact(envelope=canonical, data=data)


def _parse(raw: bytes | str | dict) -> Any:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ContractViolation("invalid_json", f"the message is not UTF-8: {error}") from None
    if not isinstance(raw, str):
        return raw  # an already parsed JSON value that is not an object: _envelope names it
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except ValueError as error:
        raise ContractViolation("invalid_json", f"the message is not JSON: {error}") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _envelope(document: Any) -> CloudEvent:
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise ContractViolation("schema", f"a CloudEvent is a JSON object, got {kind}")
    try:
        return CloudEvent.model_validate(document)
    except ValidationError as error:
        raise _violation(error, prefix="") from None


def _model_for(event_type: str, service: str | None) -> type[EventData]:
    model = EVENT_MODELS.get(event_type)
    if model is None:
        raise ContractViolation("schema", _unknown_type(event_type), field="type")
    if service is not None and model.service != service:
        accepted = ", ".join(SERVICE_EVENT_TYPES[service])
        raise ContractViolation(
            "schema",
            f"type '{event_type}' belongs to the {model.service} service; "
            f"{service} accepts {accepted}",
            field="type",
        )
    return model


def _unknown_type(event_type: str) -> str:
    prefix = next((s for s in SERVICES if event_type.startswith(f"pedgrowth.{s}.")), None)
    if prefix is None:
        return (
            f"unknown event type '{event_type}'; types are pedgrowth.<service>.<event>.v<major> "
            f"with service one of {', '.join(SERVICES)}"
        )
    known = ", ".join(SERVICE_EVENT_TYPES[prefix])
    return f"unknown event type '{event_type}'; known {prefix} types: {known}"


def _violation(error: ValidationError, prefix: str) -> ContractViolation:
    first = error.errors(include_url=False)[0]
    path = [str(part) for part in first["loc"]]
    if first["type"] in ("extension_name", "extension_value"):
        path = [first["ctx"]["field"]]
    field = ".".join(part for part in (prefix, *path) if part) or None
    return ContractViolation("schema", _describe(first, path[-1] if path else prefix), field)


def _describe(error: dict[str, Any], name: str) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return f"{name} is required"
    if kind == "extra_forbidden":
        return f"{name} is not a field of this event type"
    if kind == "enum":
        allowed = ", ".join(re.findall(r"'([^']*)'", error["ctx"]["expected"]))
        return f"{name} must be one of: {allowed}; got {given!r}"
    if kind == "literal_error":
        return f"{name} must be {error['ctx']['expected']}; got {given!r}"
    return f"invalid {name}: {error['msg']}"
