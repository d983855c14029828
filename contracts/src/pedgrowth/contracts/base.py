"""What every event model shares: the base class, field types and date arithmetic."""

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_day(value: Any) -> date:
    # datetime is a subclass of date: a timestamp must not pass for a day silently.
    if isinstance(value, datetime):
        raise PydanticCustomError("day_type", "expected a date YYYY-MM-DD, got a date-time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "day_type",
            "expected a date string YYYY-MM-DD, got {kind}",
            {"kind": type(value).__name__},
        )
    if not _DAY.fullmatch(value):
        raise PydanticCustomError(
            "day_format", "expected a date YYYY-MM-DD, got '{value}'", {"value": value}
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "day_value", "'{value}' is not a calendar date", {"value": value}
        ) from None


Day = Annotated[
    date, BeforeValidator(_to_day), WithJsonSchema({"type": "string", "format": "date"})
]
"""A calendar day: a `date`, or a string exactly YYYY-MM-DD; on the wire always the string."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Flag = StrictBool
Year = Annotated[int, Field(strict=True, ge=1990, le=2100)]
Amount = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Hours = Annotated[int, Field(strict=True, ge=1)]


def add_years(day: date, years: int) -> date:
    """The same month and day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class ContractModel(BaseModel):
    """A closed, immutable part of an event's data: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventData(ContractModel):
    """The `data` of one event type; its class attributes name the type and its subject."""

    service: ClassVar[str]
    type_suffix: ClassVar[str]
    subject_field: ClassVar[str]
    version: ClassVar[int] = 1
    event_type: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type_suffix" not in cls.__dict__:
            return  # an intermediate base such as RegistryEvent
        if cls.subject_field not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.subject_field names no field: {cls.subject_field}")
        cls.event_type = f"pedgrowth.{cls.service}.{cls.type_suffix}.v{cls.version}"

    @property
    def subject_id(self) -> str:
        """The id this event is about: the CloudEvent subject and the Kafka key."""
        return getattr(self, self.subject_field)
