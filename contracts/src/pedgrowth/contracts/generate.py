"""Generate the JSON Schemas and the AsyncAPI document from the models.

Usage: python -m pedgrowth.contracts.generate [--check] [--out DIR]
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from . import topics
from .base import EventData
from .catalog import EVENT_MODELS, SERVICE_EVENT_TYPES
from .envelope import CloudEvent

CONTRACTS_DIR = Path(__file__).resolve().parents[3]
SCHEMA_BASE = "https://pedgrowth.example/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
ASYNCAPI_FILE = "asyncapi.yaml"


def schema_path(event_type: str) -> str:
    """Where an event type's schema lives, relative to the contracts directory."""
    return f"schemas/{event_type}.json"


def event_schema(model: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of a whole CloudEvent of one type: envelope and data."""
    data = model.model_json_schema()
    defs = data.pop("$defs", {})
    envelope = CloudEvent.model_json_schema()
    properties = dict(envelope["properties"])
    properties["type"] = {"const": model.event_type, "title": "Type", "type": "string"}
    properties["subject"] = {
        **properties["subject"],
        "description": f"Equals data.{model.subject_field}; filled from it when absent.",
    }
    properties["data"] = data
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_BASE}{model.event_type}.json",
        "title": model.event_type,
        "description": data.get("description", ""),
        "type": "object",
        "required": envelope["required"],
        "properties": properties,
        "propertyNames": envelope["propertyNames"],
        "additionalProperties": True,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


KAFKA_BINDING = "0.5.0"


def _message(model: type[EventData]) -> dict[str, Any]:
    key = {"type": "string", "description": f"The subject: data.{model.subject_field}."}
    return {
        "name": model.event_type,
        "title": model.__name__,
        "summary": model.__doc__,
        "contentType": "application/json",
        "payload": {"$ref": f"./{schema_path(model.event_type)}"},
        "bindings": {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING}},
    }


def _dead_letter() -> dict[str, Any]:
    def header(description: str, **more: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **more}

    return {
        "name": "dead_letter",
        "title": "Dead letter",
        "summary": "An inbox message a service could not accept: the original bytes, unchanged.",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "required": [
                topics.DLQ_REASON_CODE_HEADER,
                topics.DLQ_REASON_HEADER,
                topics.DLQ_ORIGIN_HEADER,
            ],
            "properties": {
                topics.DLQ_REASON_CODE_HEADER: header(
                    "What kind of failure.", enum=list(topics.DLQ_REASON_CODES)
                ),
                topics.DLQ_REASON_HEADER: header("Why, in English, naming the field."),
                topics.DLQ_FIELD_HEADER: header("The offending field, e.g. data.hours."),
                topics.DLQ_ORIGIN_HEADER: header("Where it was read: topic/partition/offset."),
            },
        },
        "payload": {"type": "string", "format": "binary"},
    }


def _channel(
    address: str, description: str, message_ids: Sequence[str], retention_ms: int | None = None
) -> dict[str, Any]:
    kafka: dict[str, Any] = {"topic": address}
    if retention_ms is not None:
        kafka["topicConfiguration"] = {"retention.ms": retention_ms}
    return {
        "address": address,
        "description": description,
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in message_ids},
        "bindings": {"kafka": {**kafka, "bindingVersion": KAFKA_BINDING}},
    }


def _operation(
    action: str, channel: str, message_ids: Sequence[str], summary: str, group: str | None = None
) -> dict[str, Any]:
    operation = {
        "action": action,
        "summary": summary,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{m}"} for m in message_ids],
    }
    if group is not None:
        group_id = {"type": "string", "enum": [group]}
        operation["bindings"] = {"kafka": {"groupId": group_id, "bindingVersion": KAFKA_BINDING}}
    return operation


def _service_topics(service: str) -> tuple[dict[str, Any], dict[str, Any]]:
    types = SERVICE_EVENT_TYPES[service]
    events = topics.events_topic(service)
    inbox = topics.inbox_topic(service)
    dlq = topics.dlq_topic(service)
    channels = {
        events: _channel(events, f"Events the {service} service recorded.", types, -1),
        inbox: _channel(inbox, f"CloudEvents sent to the {service} service to record.", types),
        dlq: _channel(dlq, f"Inbox messages the {service} service rejected.", ["dead_letter"]),
    }
    operations = {
        f"{service}.publish": _operation("send", events, types, "Relay recorded events."),
        f"{service}.accept": _operation(
            "receive", inbox, types, "Validate and record outside events.",
            topics.inbox_group(service),
        ),
        f"{service}.reject": _operation(
            "send", dlq, ["dead_letter"], "Dead-letter what could not be accepted."
        ),
    }
    return channels, operations


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: every topic, its messages, who sends and who receives."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for service in topics.SERVICES:
        service_channels, service_operations = _service_topics(service)
        channels.update(service_channels)
        operations.update(service_operations)
    for service in topics.SERVICES:
        operations[f"indicators.project.{service}"] = _operation(
            "receive", topics.events_topic(service), SERVICE_EVENT_TYPES[service],
            "Project events into live indicators.", topics.PROJECTION_GROUP,
        )
    messages = {t: _message(m) for t, m in EVENT_MODELS.items()}
    messages["dead_letter"] = _dead_letter()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "pedgrowth events",
            "version": "1.0.0",
            "description": "Topics of the pedgrowth services. A value is a CloudEvent 1.0 "
            "in JSON structured mode; the key is the event's subject.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> dict[str, str]:
    """Every generated file's text, by path relative to the contracts directory."""
    files = {
        schema_path(t): json.dumps(event_schema(m), indent=2, ensure_ascii=False) + "\n"
        for t, m in EVENT_MODELS.items()
    }
    files[ASYNCAPI_FILE] = yaml.safe_dump(
        asyncapi_document(), sort_keys=False, allow_unicode=True, width=100
    )
    return files


def _stale(out: Path, files: dict[str, str]) -> list[str]:
    # A schema file for a type no model produces any more.
    present = (p.relative_to(out).as_posix() for p in (out / "schemas").glob("pedgrowth.*.json"))
    return sorted(p for p in present if p not in files)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def differences(out: Path) -> list[str]:
    """Files under `out` that are missing, differ from the models, or no longer belong."""
    files = render()
    changed = [path for path, text in files.items() if _read(out / path) != text]
    return sorted(changed + _stale(out, files))


def write(out: Path) -> list[str]:
    """Write the generated files under `out`, remove stale schemas; return what changed."""
    changed = differences(out)
    files = render()
    for path in changed:
        target = out / path
        if path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pedgrowth.contracts.generate")
    parser.add_argument("--check", action="store_true", help="exit 1 if generated files differ")
    parser.add_argument("--out", type=Path, default=CONTRACTS_DIR, help="the contracts directory")
    args = parser.parse_args(argv)
    if args.check:
        changed = differences(args.out)
        for path in changed:
            print(f"out of date: {path}", file=sys.stderr)
        return 1 if changed else 0
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
