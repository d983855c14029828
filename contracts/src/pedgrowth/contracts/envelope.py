"""The CloudEvents 1.0 envelope every pedgrowth message travels in (JSON structured mode)."""

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .base import EARLIEST_DAY, ID_MAX_LENGTH, LATEST_DAY, check_identifier

ATTRIBUTE_NAME = re.compile(r"[a-z0-9]{1,20}")
JSON_CONTENT_TYPE = r"^application/json(\s*;.*)?$"

NonEmpty = Annotated[str, Field(min_length=1)]

# Attribute bounds, checked before deduplication: a receipt keeps source and id, so an
# unbounded attribute would be stored even for a duplicate (docs/architecture.md, "Bad input").
ID_MAX = 256
SOURCE_MAX = 512
TYPE_MAX = 256
EXTENSION_VALUE_MAX = 1024
EXTENSIONS_MAX = 20
EnvelopeId = Annotated[str, Field(min_length=1, max_length=ID_MAX), AfterValidator(check_identifier)]
Source = Annotated[str, Field(min_length=1, max_length=SOURCE_MAX), AfterValidator(check_identifier)]
EventType = Annotated[str, Field(min_length=1, max_length=TYPE_MAX)]
Subject = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH), AfterValidator(check_identifier)]
Uri = Annotated[str, Field(min_length=1, max_length=SOURCE_MAX), AfterValidator(check_identifier)]


def _timestamp_text(value: Any) -> Any:
    # pydantic would read a number as a Unix time; the contract says RFC 3339 text.
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError(
            "time_type",
            "expected an RFC 3339 timestamp with an offset, got {kind}",
            {"kind": type(value).__name__},
        )
    return value


def _timestamp_range(value: datetime) -> datetime:
    if not EARLIEST_DAY.year <= value.year <= LATEST_DAY.year:
        raise PydanticCustomError(
            "time_range",
            "{time} is outside the years {earliest}..{latest}",
            {"time": value.isoformat(), "earliest": EARLIEST_DAY.year, "latest": LATEST_DAY.year},
        )
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_text), AfterValidator(_timestamp_range)]


def _extension_value(name: str, value: Any) -> None:
    # CloudEvents extension values are strings, integers or booleans; bounded like the rest.
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) < 2**31):
        return
    if isinstance(value, str) and len(value) <= EXTENSION_VALUE_MAX:
        return
    raise PydanticCustomError(
        "extension_value",
        "extension attribute '{field}' must be a string of at most {limit} characters, "
        "a 32-bit integer or a boolean",
        {"field": name, "limit": EXTENSION_VALUE_MAX},
    )


class CloudEvent(BaseModel):
    """One event as it is put on Kafka or posted over HTTP; `data` is checked by the catalog."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={"propertyNames": {"pattern": f"^{ATTRIBUTE_NAME.pattern}$"}},
    )

    specversion: Literal["1.0"]
    id: EnvelopeId
    source: Source
    type: EventType
    time: Timestamp
    subject: Subject | None = None
    datacontenttype: Annotated[str, Field(pattern=JSON_CONTENT_TYPE, max_length=TYPE_MAX)] | None = (
        "application/json"
    )
    dataschema: Uri | None = None
    data: dict

    @model_validator(mode="after")
    def _extension_names(self) -> "CloudEvent":
        extensions = self.model_extra or {}
        if len(extensions) > EXTENSIONS_MAX:
            raise PydanticCustomError(
                "extension_count",
                "at most {limit} extension attributes, got {count}",
                {"limit": EXTENSIONS_MAX, "count": len(extensions)},
            )
        for name, value in extensions.items():
            if not ATTRIBUTE_NAME.fullmatch(name):
                raise PydanticCustomError(
                    "extension_name",
                    "extension attribute '{field}' must be 1-20 lowercase letters or digits",
                    {"field": name},
                )
            _extension_value(name, value)
        return self

    @property
    def extensions(self) -> dict[str, Any]:
        """The extension attributes (everything beyond the CloudEvents core)."""
        return dict(self.model_extra or {})

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object: absent attributes left out, dates as YYYY-MM-DD."""
        return {k: v for k, v in self.model_dump(mode="json").items() if v is not None}

    def to_bytes(self) -> bytes:
        """The Kafka message value: compact UTF-8 JSON."""
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
