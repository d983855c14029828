"""The CloudEvents 1.0 envelope every pedgrowth message travels in (JSON structured mode)."""

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

ATTRIBUTE_NAME = re.compile(r"[a-z0-9]{1,20}")
JSON_CONTENT_TYPE = r"^application/json(\s*;.*)?$"

NonEmpty = Annotated[str, Field(min_length=1)]


def _timestamp_text(value: Any) -> Any:
    # pydantic would read a number as a Unix time; the contract says RFC 3339 text.
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError(
            "time_type",
            "expected an RFC 3339 timestamp with an offset, got {kind}",
            {"kind": type(value).__name__},
        )
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_text)]


class CloudEvent(BaseModel):
    """One event as it is put on Kafka or posted over HTTP; `data` is checked by the catalog."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={"propertyNames": {"pattern": f"^{ATTRIBUTE_NAME.pattern}$"}},
    )

    specversion: Literal["1.0"]
    id: NonEmpty
    source: NonEmpty
    type: NonEmpty
    time: Timestamp
    subject: NonEmpty | None = None
    datacontenttype: Annotated[str, Field(pattern=JSON_CONTENT_TYPE)] | None = "application/json"
    dataschema: NonEmpty | None = None
    data: dict

    @model_validator(mode="after")
    def _extension_names(self) -> "CloudEvent":
        for name in self.model_extra or {}:
            if not ATTRIBUTE_NAME.fullmatch(name):
                raise PydanticCustomError(
                    "extension_name",
                    "extension attribute '{field}' must be 1-20 lowercase letters or digits",
                    {"field": name},
                )
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
